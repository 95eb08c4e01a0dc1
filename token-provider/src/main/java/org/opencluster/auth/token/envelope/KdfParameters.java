package org.opencluster.auth.token.envelope;

/**
 * Argon2id cost parameters, stored in every envelope so they can be raised later without breaking old envelopes.
 *
 * @param memoryKiB   memory in KiB (m)
 * @param iterations  passes over memory (t)
 * @param parallelism lanes (p)
 */
public record KdfParameters(int memoryKiB, int iterations, int parallelism) {
    /** Sealing default: 64 MiB, t=3, p=1 (RFC 9106's second recommended option uses 64 MiB, t=3). */
    public static final KdfParameters DEFAULT = new KdfParameters(64 * 1024, 3, 1);

    public KdfParameters {
        if (memoryKiB < 8 * parallelism || iterations < 1 || parallelism < 1 || parallelism > 255) {
            throw new IllegalArgumentException("invalid Argon2id parameters m=" + memoryKiB + " KiB, t=" + iterations
                    + ", p=" + parallelism + " (need t>=1, 1<=p<=255, m>=8p)");
        }
    }

    /** True when every parameter is at least the corresponding one in {@code floor}. */
    public boolean atLeast(KdfParameters floor) {
        return memoryKiB >= floor.memoryKiB && iterations >= floor.iterations && parallelism >= floor.parallelism;
    }

    /** True when no parameter exceeds the corresponding one in {@code ceiling}. */
    public boolean atMost(KdfParameters ceiling) {
        return memoryKiB <= ceiling.memoryKiB && iterations <= ceiling.iterations
                && parallelism <= ceiling.parallelism;
    }

    @Override
    public String toString() {
        return "Argon2id(m=" + memoryKiB + " KiB, t=" + iterations + ", p=" + parallelism + ")";
    }
}
