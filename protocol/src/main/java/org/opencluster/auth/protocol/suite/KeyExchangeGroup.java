package org.opencluster.auth.protocol.suite;

import java.util.Optional;

/**
 * An ephemeral key-agreement group. The 16-bit ids are the TLS "NamedGroup" values, so that logs and captures
 * read the same as TLS ones; they appear on the wire in key shares (docs/PROTOCOL.md, section 5.3).
 */
public enum KeyExchangeGroup {
    /** RFC 7748 X25519: public key = 32-byte little-endian u-coordinate. */
    X25519(0x001d, "X25519", 32),
    /** NIST P-256 (secp256r1) ECDH: public key = SEC1 uncompressed point 0x04 || X || Y (65 bytes). */
    P256(0x0017, "P-256", 65);

    /** Both groups produce a 32-byte shared secret (X25519 output; the P-256 x-coordinate). */
    public static final int SHARED_SECRET_LENGTH = 32;

    private final int wireId;
    private final String displayName;
    private final int publicKeyLength;

    KeyExchangeGroup(int wireId, String displayName, int publicKeyLength) {
        this.wireId = wireId;
        this.displayName = displayName;
        this.publicKeyLength = publicKeyLength;
    }

    public int wireId() {
        return wireId;
    }

    public String displayName() {
        return displayName;
    }

    /** Exact length of an encoded public key; any other length is refused. */
    public int publicKeyLength() {
        return publicKeyLength;
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
