package org.opencluster.auth.token.piv;

import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Optional;
import org.opencluster.auth.token.KeyType;

/** PIV algorithm identifiers (SP 800-78-4) this project's applet and PIV token support for on-card keys. */
public enum PivAlgorithm {
    EC_P256(0x11, "secp256r1", 32, KeyType.EC_P256),
    EC_P384(0x14, "secp384r1", 48, KeyType.EC_P384),
    /** The card does the raw RSA operation on a block the host padded (PKCS#1 v1.5, PSS or OAEP). */
    RSA_2048(0x07, null, 256, KeyType.RSA_2048);

    private final int id;
    private final String curveName;
    private final int size;
    private final KeyType keyType;

    PivAlgorithm(int id, String curveName, int size, KeyType keyType) {
        this.id = id;
        this.curveName = curveName;
        this.size = size;
        this.keyType = keyType;
    }

    public int id() {
        return id;
    }

    public boolean isRsa() {
        return curveName == null;
    }

    /** The curve's standard name; {@code null} for RSA. */
    public String curveName() {
        return curveName;
    }

    /** EC: bytes of a field element (a coordinate); RSA: bytes of the modulus (one raw RSA block). */
    public int fieldBytes() {
        return size;
    }

    public KeyType keyType() {
        return keyType;
    }

    /** The algorithm of a public key, if a PIV card can hold it. */
    public static Optional<PivAlgorithm> of(PublicKey key) {
        if (key instanceof RSAPublicKey) {
            return ((RSAPublicKey) key).getModulus().bitLength() == 2048 ? Optional.of(RSA_2048) : Optional.empty();
        }
        return EcPoints.algorithmOf(key);
    }
}
