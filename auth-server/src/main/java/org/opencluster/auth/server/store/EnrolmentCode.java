package org.opencluster.auth.server.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.opencluster.auth.server.dispatch.Caller;

/** A stored one-time enrolment code: its hash and what it enrols. */
public record EnrolmentCode(byte[] codeHash, String purpose, Optional<String> username, Caller.Role role,
        Account.Kind kind, Instant expiresAt) {
    /**
     * Purpose of a code a person asked for to add a security key from a browser: it opens an enrolment session
     * for that existing account, which may register a WebAuthn credential and nothing else.
     */
    public static final String ADD_SECURITY_KEY = "webauthn";

    public EnrolmentCode {
        codeHash = codeHash.clone();
        Objects.requireNonNull(purpose);
        Objects.requireNonNull(username);
        Objects.requireNonNull(role);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(expiresAt);
    }

    /** Whether this code adds a security key to an existing account (rather than enrolling a new one). */
    public boolean addsSecurityKey() {
        return ADD_SECURITY_KEY.equals(purpose);
    }

    @Override
    public byte[] codeHash() {
        return codeHash.clone();
    }
}
