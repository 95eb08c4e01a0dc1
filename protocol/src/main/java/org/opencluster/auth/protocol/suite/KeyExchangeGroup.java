package org.opencluster.auth.protocol.suite;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * An ephemeral key-agreement group, with its implementation and sizes. The 16-bit ids are the TLS "NamedGroup"
 * values, so that logs and captures read the same as TLS ones; they appear on the wire in key shares
 * (docs/PROTOCOL.md, section 5.3). The handshake asks the group for its {@link #keyExchange()} and share lengths
 * instead of branching on it, so a new group is one constant here plus its {@link KeyExchange} class.
 *
 * <p>The two sides' shares differ for a KEM: the side that sends first (the server, in SERVER_HELLO) sends the
 * <em>initiator share</em>, the other answers with the <em>responder share</em> (for a Diffie-Hellman group both
 * are a public key of the same length).
 */
public enum KeyExchangeGroup {
    /** RFC 7748 X25519: public key = 32-byte little-endian u-coordinate. */
    X25519(0x001d, "X25519", 32, 32, 32, X25519KeyExchange::new),
    /** NIST P-256 (secp256r1) ECDH: public key = SEC1 uncompressed point 0x04 || X || Y (65 bytes). */
    P256(0x0017, "P-256", 65, 65, 32, P256BcKeyExchange::new),
    /**
     * The TLS hybrid of draft-ietf-tls-ecdhe-mlkem-04 (NamedGroup 0x11ec): initiator share = ML-KEM-768 encapsulation
     * key (1184) || X25519 public key (32); responder share = ML-KEM-768 ciphertext (1088) || X25519 public key
     * (32); shared secret = ML-KEM shared secret (32) || X25519 shared secret (32).
     */
    X25519MLKEM768(0x11ec, "X25519MLKEM768", 1216, 1120, 64, X25519MlKem768KeyExchange::new);

    private final int wireId;
    private final String displayName;
    private final int initiatorShareLength;
    private final int responderShareLength;
    private final int sharedSecretLength;
    private final Supplier<KeyExchange> factory;
    private volatile KeyExchange keyExchange;

    KeyExchangeGroup(int wireId, String displayName, int initiatorShareLength, int responderShareLength,
            int sharedSecretLength, Supplier<KeyExchange> factory) {
        this.wireId = wireId;
        this.displayName = displayName;
        this.initiatorShareLength = initiatorShareLength;
        this.responderShareLength = responderShareLength;
        this.sharedSecretLength = sharedSecretLength;
        this.factory = factory;
    }

    public int wireId() {
        return wireId;
    }

    public String displayName() {
        return displayName;
    }

    /**
     * Exact length of an encoded public key, i.e. of the initiator share; any other length is refused. For the
     * Diffie-Hellman groups, also the responder share's length.
     */
    public int publicKeyLength() {
        return initiatorShareLength;
    }

    /** Exact length of the share the first sender (the server in SERVER_HELLO) sends. */
    public int initiatorShareLength() {
        return initiatorShareLength;
    }

    /** Exact length of the share the answering side (the client in CLIENT_CHOICE) sends. */
    public int responderShareLength() {
        return responderShareLength;
    }

    /** Length of the shared secret the key schedule mixes in. */
    public int sharedSecretLength() {
        return sharedSecretLength;
    }

    /** The (stateless, thread-safe) implementation, made on first use. */
    public KeyExchange keyExchange() {
        KeyExchange k = keyExchange;
        if (k == null) {
            k = factory.get();
            keyExchange = k;
        }
        return k;
    }

    public static Optional<KeyExchangeGroup> byWireId(int wireId) {
        for (KeyExchangeGroup g : values()) {
            if (g.wireId == wireId) {
                return Optional.of(g);
            }
        }
        return Optional.empty();
    }
}
