package org.opencluster.auth.protocol.suite;

/**
 * Where the implementations of the key-exchange groups come from ({@link KeyExchangeGroup#keyExchange()}); the
 * choice for the two Diffie-Hellman groups was measured in this JVM with
 * {@code bench/.../PrimitiveChoiceBenchmark} (JMH, 1 fork, 5x1 s warm-up, 10x1 s measurement; one op = generate an
 * ephemeral key pair + derive the secret with a fixed peer key, i.e. one side of a handshake; OpenJDK 17.0.15 on
 * 2 cores shared with other builds, load average ~5, so absolute figures are pessimistic, ratios are what matter):
 * <pre>
 *   X25519  Bouncy Castle rfc7748.X25519      9 296 +- 1 251 ops/s (108 us)   JDK XDH (SunEC)  2 628 +- 1 003 ops/s
 *   P-256   Bouncy Castle SecP256R1 + ECDH    3 062 +-   573 ops/s (327 us)   JDK EC  (SunEC)    642 +-   189 ops/s
 * </pre>
 * BC wins by 3.5x and 4.8x. (A first, shorter run under heavier load gave the same order: 5 111 vs 1 393 and
 * 512 vs 163.)
 * The issue's own figures agree (SunEC X25519 250 us vs BC 93 us). Both P-256 implementations are kept and
 * tested against each other; the JDK one is only a fallback.
 */
public final class KeyExchanges {

    private KeyExchanges() {
    }

    /** The (stateless, thread-safe) implementation used for {@code group}: the group's own. */
    public static KeyExchange forGroup(KeyExchangeGroup group) {
        return group.keyExchange();
    }

    /** The SunEC P-256 implementation, for cross-checks and measurement only. */
    public static KeyExchange jdkP256() {
        return new P256JdkKeyExchange();
    }
}
