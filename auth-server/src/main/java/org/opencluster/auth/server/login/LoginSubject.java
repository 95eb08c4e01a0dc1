package org.opencluster.auth.server.login;

import java.security.PublicKey;
import java.util.Optional;
import org.opencluster.auth.protocol.pake.CredentialRequest;

/**
 * Who a LOGIN_REQUEST is about and what it asks for: the name, the account as the handshake can serve it (empty
 * for an unknown name and for one that cannot be served, which answer alike), the proof the extensions ask for
 * (enrolment code, security key, or the account key), the protocol version of the session and the OPRF credential
 * request of LOGIN_REQUEST's extension 0x0001 (empty: the client does not speak the OPRF step).
 */
record LoginSubject(String username, Optional<LoginAccount> account, boolean enrolling, boolean webAuthn,
        long version, Optional<CredentialRequest> oprfRequest) {

    LoginSubject(String username, Optional<LoginAccount> account, boolean enrolling, boolean webAuthn, long version) {
        this(username, account, enrolling, webAuthn, version, Optional.empty());
    }

    /** The account's key; empty for an unknown name and for a person with security keys only. */
    Optional<PublicKey> key() {
        return account.map(LoginAccount::key);
    }

    /** The same login, answered as for an unknown name (an account that cannot be served, issue 13 item 5). */
    LoginSubject asUnknown() {
        return new LoginSubject(username, Optional.empty(), enrolling, webAuthn, version, oprfRequest);
    }
}
