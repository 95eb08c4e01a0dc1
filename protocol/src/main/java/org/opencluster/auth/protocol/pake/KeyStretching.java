package org.opencluster.auth.protocol.pake;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * The key stretching function (KSF) of RFC 9807 (4.3 and 7): applied to the OPRF output before the randomized
 * password is extracted, so each guess costs the attacker, who must also have asked the server once per guess.
 * Implementations return Nh = 32 bytes that the caller wipes; they do not modify their input.
 */
public interface KeyStretching {
    byte[] stretch(byte[] oprfOutput);

    /** Identity (the RFC's test vectors): returns a copy of the input. */
    static KeyStretching identity() {
        return byte[]::clone;
    }

    /**
     * Argon2id, version 0x13, salt zeroes(16) and no secret or associated data, as RFC 9807 configures it, at this
     * project's costs: token-provider's {@code KdfParameters.DEFAULT} is m = 64 MiB, t = 3, p = 1 (protocol cannot
     * depend on token-provider, so the costs are arguments).
     */
    static KeyStretching argon2id(int memoryKiB, int iterations, int parallelism) {
        if (iterations < 1 || parallelism < 1 || parallelism > 255 || memoryKiB < 8 * parallelism) {
            throw new IllegalArgumentException("invalid Argon2id costs m=" + memoryKiB + " KiB, t=" + iterations
                    + ", p=" + parallelism);
        }
        Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(new byte[16])
                .withMemoryAsKB(memoryKiB)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .build();
        return oprfOutput -> {
            Argon2BytesGenerator argon2 = new Argon2BytesGenerator();
            argon2.init(parameters);
            byte[] out = new byte[OpaqueP256.NH];
            argon2.generateBytes(oprfOutput, out);
            return out;
        };
    }
}
