package org.opencluster.auth.protocol.pake;

import java.math.BigInteger;
import org.bouncycastle.math.ec.ECPoint;

/**
 * An OPRF (or OPAQUE Diffie-Hellman) key pair: the private scalar in [1, n) and its public element.
 * The scalar is a BigInteger and cannot be wiped; hold the pair no longer than needed.
 */
public record OprfKeyPair(BigInteger privateKey, ECPoint publicKey) {
    /** The private key as 32 bytes big-endian (the caller wipes them). */
    public byte[] serializedPrivateKey() {
        return P256Group.serializeScalar(privateKey);
    }

    /** The public key as a 33-byte compressed element. */
    public byte[] serializedPublicKey() {
        return P256Group.serializeElement(publicKey);
    }

    @Override
    public String toString() {
        return "OprfKeyPair[publicKey=" + java.util.HexFormat.of().formatHex(serializedPublicKey()) + "]";
    }
}
