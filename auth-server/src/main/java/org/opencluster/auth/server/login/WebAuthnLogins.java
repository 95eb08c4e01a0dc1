package org.opencluster.auth.server.login;

import java.util.Optional;

/**
 * The WebAuthn side of a login with proof kind 4, as the handshake needs it (the implementation lives in
 * {@code server.webauthn}, so the state machine stays free of the WebAuthn library).
 */
public interface WebAuthnLogins {
    /**
     * The WEBAUTHN_OPTIONS JSON for {@code username}: the account's usable keys, or a decoy of the same shape (a
     * stable derived credential id) when the name is unknown or has no usable key.
     */
    byte[] requestOptions(String username, Optional<LoginAccount> account);

    /**
     * Verifies an assertion (the PROOF JSON) against {@code challenge}: signature, origin, RP id, user presence,
     * user verification for admins, and a signature counter that must move forward. Never throws; every problem
     * is {@code false}. An unknown account still costs a signature verification.
     */
    boolean verify(String username, Optional<LoginAccount> account, byte[] challenge, byte[] proofJson);
}
