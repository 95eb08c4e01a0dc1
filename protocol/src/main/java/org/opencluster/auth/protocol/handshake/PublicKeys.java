package org.opencluster.auth.protocol.handshake;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Optional;
import org.opencluster.auth.protocol.suite.KeyExchangeGroup;

/**
 * Converts between the raw key-share encodings of the wire (X25519: 32-byte little-endian u; P-256: 04 || X || Y)
 * and JCA public keys, which is how the token layer takes and gives keys.
 */
public final class PublicKeys {
    private static final ECParameterSpec P256;

    static {
        try {
            AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
            params.init(new ECGenParameterSpec("secp256r1"));
            P256 = params.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private PublicKeys() {
    }

    /** The key-exchange group an account key can do ECDH in, if any. */
    public static Optional<KeyExchangeGroup> groupOf(PublicKey key) {
        if (key instanceof XECPublicKey) {
            return Optional.of(KeyExchangeGroup.X25519);
        }
        if (key instanceof ECPublicKey && ((ECPublicKey) key).getParams().getCurve().getField().getFieldSize() == 256) {
            return Optional.of(KeyExchangeGroup.P256);
        }
        return Optional.empty();
    }

    /** The wire encoding of {@code key} in its group. */
    public static byte[] encode(PublicKey key) {
        if (key instanceof XECPublicKey) {
            byte[] be = ((XECPublicKey) key).getU().toByteArray();
            byte[] le = new byte[32];
            for (int i = 0; i < 32 && i < be.length; i++) {
                le[i] = be[be.length - 1 - i];
            }
            return le;
        }
        if (key instanceof ECPublicKey) {
            ECPoint w = ((ECPublicKey) key).getW();
            byte[] out = new byte[65];
            out[0] = 4;
            fixed(w.getAffineX(), out, 1);
            fixed(w.getAffineY(), out, 33);
            return out;
        }
        throw new IllegalArgumentException("no key-share encoding for " + key.getAlgorithm() + " keys");
    }

    /** A JCA key for a raw public key of {@code group} (validated by the key exchange before this is called). */
    public static PublicKey decode(KeyExchangeGroup group, byte[] raw) throws GeneralSecurityException {
        if (group == KeyExchangeGroup.X25519) {
            byte[] be = new byte[32];
            for (int i = 0; i < 32; i++) {
                be[i] = raw[31 - i];
            }
            be[0] &= 0x7f; // RFC 7748: the top bit of the u-coordinate is ignored
            return KeyFactory.getInstance("XDH").generatePublic(
                    new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, be)));
        }
        if (group != KeyExchangeGroup.P256) {
            throw new GeneralSecurityException(group.displayName() + " has no public keys of its own (a KEM hybrid)");
        }
        if (raw.length != 65 || raw[0] != 4) {
            throw new GeneralSecurityException("P-256 keys are 65 bytes 04 || X || Y");
        }
        BigInteger x = new BigInteger(1, java.util.Arrays.copyOfRange(raw, 1, 33));
        BigInteger y = new BigInteger(1, java.util.Arrays.copyOfRange(raw, 33, 65));
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), P256));
    }

    private static void fixed(BigInteger v, byte[] out, int off) {
        byte[] b = v.toByteArray();
        int n = Math.min(b.length, 32);
        System.arraycopy(b, b.length - n, out, off + 32 - n, n);
    }
}
