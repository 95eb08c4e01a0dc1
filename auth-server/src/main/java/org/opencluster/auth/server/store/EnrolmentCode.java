package org.opencluster.auth.server.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A one-time enrolment code: its stored verifier and what it enrols.
 *
 * @param verifier what the store keeps: HMAC(code key, code_hash), never the code nor its hash (see
 *     {@code EnrolmentCodeKey})
 * @param codeHash the code_hash the client presented in this session's handshake (memory only, never stored;
 *     empty when read from the store): it keys the key-agreement enrolment proof (docs/PROTOCOL.md 8.1)
 */
public record EnrolmentCode(byte[] verifier, String purpose, Optional<String> username, Account.Role role,
        Account.Kind kind, Instant expiresAt, byte[] codeHash) {
    /**
     * Purpose of a code a person asked for to add a security key from a browser: it opens an enrolment session
     * for that existing account, which may register a WebAuthn credential and nothing else.
     */
    public static final String ADD_SECURITY_KEY = "webauthn";
    /** Purpose of an admin's code for a new account (ADMIN_ENROLMENT_CODE) or a reset one (ADMIN_ACCOUNT_RESET). */
    public static final String NEW_ACCOUNT = "enrol";
    /** Purpose of the first admin's code (issued by {@code oca-server init} only). */
    public static final String BOOTSTRAP_ADMIN = "bootstrap-admin";

    public EnrolmentCode {
        verifier = verifier.clone();
        codeHash = codeHash.clone();
        Objects.requireNonNull(purpose);
        Objects.requireNonNull(username);
        Objects.requireNonNull(role);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(expiresAt);
    }

    /** A code as stored (no code_hash known). */
    public EnrolmentCode(byte[] verifier, String purpose, Optional<String> username, Account.Role role,
            Account.Kind kind, Instant expiresAt) {
        this(verifier, purpose, username, role, kind, expiresAt, new byte[0]);
    }

    /** This code as granted to a session whose client presented {@code codeHash}. */
    public EnrolmentCode presentedAs(byte[] codeHash) {
        return new EnrolmentCode(verifier, purpose, username, role, kind, expiresAt, codeHash);
    }

    /** Using this code up at {@code now}, in the transaction of the write it grants. */
    public EnrolmentCodeUse use(Instant now) {
        return new EnrolmentCodeUse(verifier, purpose, now);
    }

    /** Whether this code adds a security key to an existing account (rather than enrolling a new one). */
    public boolean addsSecurityKey() {
        return ADD_SECURITY_KEY.equals(purpose);
    }

    @Override
    public byte[] verifier() {
        return verifier.clone();
    }

    @Override
    public byte[] codeHash() {
        return codeHash.clone();
    }
}
