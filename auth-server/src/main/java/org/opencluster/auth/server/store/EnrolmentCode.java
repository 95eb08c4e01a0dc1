package org.opencluster.auth.server.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.opencluster.auth.server.dispatch.Caller;

/** A stored one-time enrolment code: its hash and what it enrols. */
public record EnrolmentCode(byte[] codeHash, String purpose, Optional<String> username, Caller.Role role,
        Account.Kind kind, Instant expiresAt) {
    public EnrolmentCode {
        codeHash = codeHash.clone();
        Objects.requireNonNull(purpose);
        Objects.requireNonNull(username);
        Objects.requireNonNull(role);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(expiresAt);
    }

    @Override
    public byte[] codeHash() {
        return codeHash.clone();
    }
}
