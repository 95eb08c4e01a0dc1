package org.opencluster.auth.token.envelope;

import java.util.Objects;

/**
 * Which KDF costs an envelope may carry. The floor stops a downgraded (cheap to brute-force) envelope from being
 * sealed or opened; the ceiling stops a forged envelope from making the client allocate unbounded memory.
 */
public final class EnvelopePolicy {
    /** Floor m=19 MiB, t=2, p=1 (the OWASP minimum for Argon2id); ceiling 4 GiB, t=64, p=16. */
    public static final EnvelopePolicy DEFAULT = builder().build();

    private final KdfParameters floor;
    private final KdfParameters ceiling;

    private EnvelopePolicy(Builder b) {
        this.floor = b.floor;
        this.ceiling = b.ceiling;
        if (!ceiling.atLeast(floor)) {
            throw new IllegalArgumentException("KDF ceiling " + ceiling + " is below floor " + floor);
        }
    }

    public KdfParameters floor() {
        return floor;
    }

    public KdfParameters ceiling() {
        return ceiling;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder; only tests should lower the floor (and only where the KDF cost is not under test). */
    public static final class Builder {
        private KdfParameters floor = new KdfParameters(19 * 1024, 2, 1);
        private KdfParameters ceiling = new KdfParameters(4 * 1024 * 1024, 64, 16);

        public Builder floor(KdfParameters floor) {
            this.floor = Objects.requireNonNull(floor);
            return this;
        }

        public Builder ceiling(KdfParameters ceiling) {
            this.ceiling = Objects.requireNonNull(ceiling);
            return this;
        }

        public EnvelopePolicy build() {
            return new EnvelopePolicy(this);
        }
    }
}
