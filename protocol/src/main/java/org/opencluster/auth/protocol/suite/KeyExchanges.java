package org.opencluster.auth.protocol.suite;

/**
 * Picks the implementation of each key-exchange group. The choice was measured in this JVM with
 * {@code bench/.../PrimitiveChoiceBenchmark} (JMH, 1 fork, 4x1 s warm-up, 5x1 s measurement; one op = generate an
 * ephemeral key pair + derive the secret with a fixed peer key; OpenJDK 17.0.15, 2 shared cores under load from
 * other builds, so absolute figures are pessimistic, ratios are what matter):
 * <pre>
 *   X25519  Bouncy Castle rfc7748.X25519   5 111 ops/s    JDK XDH (SunEC)    1 393 ops/s   -> BC (3.7x)
 *   P-256   Bouncy Castle SecP256R1 + ECDH   512 ops/s    JDK EC  (SunEC)      163 ops/s   -> BC (3.1x)
 * </pre>
 * The issue's own figures agree (SunEC X25519 250 us vs BC 93 us). Both P-256 implementations are kept and
 * tested against each other; the JDK one is only a fallback.
 */
public final class KeyExchanges {
    private static final KeyExchange X25519 = new X25519KeyExchange();
    private static final KeyExchange P256 = new P256BcKeyExchange();

    private KeyExchanges() {
    }

    /** The (stateless, thread-safe) implementation used for {@code group}. */
    public static KeyExchange forGroup(KeyExchangeGroup group) {
        switch (group) {
            case X25519:
                return X25519;
            case P256:
                return P256;
            default:
                throw new IllegalArgumentException("no key exchange for " + group);
        }
    }

    /** The SunEC P-256 implementation, for cross-checks and measurement only. */
    public static KeyExchange jdkP256() {
        return new P256JdkKeyExchange();
    }
}
