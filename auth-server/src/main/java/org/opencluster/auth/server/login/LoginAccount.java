package org.opencluster.auth.server.login;

import java.security.PublicKey;
import java.util.Objects;
import java.util.Optional;
import org.opencluster.auth.server.store.Account;

/**
 * What the handshake needs to know of an account.
 *
 * @param key the account's public key, or {@code null} for a person who has security keys only (such an account
 *            can log in with proof kind 4 alone; the other kinds treat it like an unknown name)
 * @param keySigns false when the account's certificate allows key agreement only (a derive-only key, e.g. PIV 9D):
 *                 the server then asks for the key-agreement proof whatever its default
 * @param certificateProblem why the account's certificate does not allow a login now (expired, not yet valid, not
 *                 issued by the cluster CA, for another key); checked with the server's clock when the account is
 *                 looked up. Such a login fails exactly like a wrong proof; only the server's log says why.
 * @param opaqueRecord the RFC 9807 RegistrationRecord (129 bytes) of a credential-version-2 person, whose envelope
 *                 is sealed under OPAQUE's export_key; empty for version 1 persons and for accounts without one
 */
public record LoginAccount(String username, Account.Role role, PublicKey key, Optional<byte[]> envelope,
        boolean disabled, boolean keySigns, Optional<String> certificateProblem, Optional<byte[]> opaqueRecord) {
    /** An account without an OPAQUE registration (credential version 1, or no passphrase). */
    public LoginAccount(String username, Account.Role role, PublicKey key, Optional<byte[]> envelope,
            boolean disabled, boolean keySigns, Optional<String> certificateProblem) {
        this(username, role, key, envelope, disabled, keySigns, certificateProblem, Optional.empty());
    }

    /** An account whose key may sign (if its type can). */
    public LoginAccount(String username, Account.Role role, PublicKey key, Optional<byte[]> envelope,
            boolean disabled) {
        this(username, role, key, envelope, disabled, true);
    }

    /** An account whose certificate allows a login now. */
    public LoginAccount(String username, Account.Role role, PublicKey key, Optional<byte[]> envelope,
            boolean disabled, boolean keySigns) {
        this(username, role, key, envelope, disabled, keySigns, Optional.empty());
    }

    public LoginAccount {
        Objects.requireNonNull(username);
        Objects.requireNonNull(role);
        Objects.requireNonNull(envelope);
        Objects.requireNonNull(certificateProblem);
        Objects.requireNonNull(opaqueRecord);
    }

    /** Why this account may not log in (or re-authenticate) now, if it may not: disabled, or its certificate. */
    public Optional<String> refusal() {
        return disabled ? Optional.of("account disabled") : certificateProblem;
    }
}
