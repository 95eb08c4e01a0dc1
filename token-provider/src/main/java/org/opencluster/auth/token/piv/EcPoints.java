package org.opencluster.auth.token.piv;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;

/** Conversions between PIV's uncompressed EC points and JDK public keys. */
public final class EcPoints {
    private EcPoints() {
    }

    /** Uncompressed point 04||X||Y of {@code key}, each coordinate left-padded to the field size. */
    public static byte[] encode(ECPublicKey key, int fieldBytes) {
        byte[] out = new byte[1 + 2 * fieldBytes];
        out[0] = 0x04;
        copyFixed(key.getW().getAffineX(), out, 1, fieldBytes);
        copyFixed(key.getW().getAffineY(), out, 1 + fieldBytes, fieldBytes);
        return out;
    }

    private static void copyFixed(BigInteger v, byte[] out, int off, int len) {
        byte[] b = v.toByteArray();
        int skip = Math.max(0, b.length - len);
        System.arraycopy(b, skip, out, off + len - (b.length - skip), b.length - skip);
    }

    /** Decodes an uncompressed point of {@code algorithm}'s curve into a Java public key. */
    public static ECPublicKey publicKey(PivAlgorithm algorithm, byte[] point) throws PivCardException {
        int n = algorithm.fieldBytes();
        if (point.length != 1 + 2 * n || point[0] != 0x04) {
            throw new PivCardException(PivCardError.MALFORMED_RESPONSE,
                    "the card's public key is not an uncompressed point of " + (1 + 2 * n) + " bytes");
        }
        try {
            AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
            params.init(new ECGenParameterSpec(algorithm.curveName()));
            ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
            ECPoint w = new ECPoint(new BigInteger(1, Arrays.copyOfRange(point, 1, 1 + n)),
                    new BigInteger(1, Arrays.copyOfRange(point, 1 + n, 1 + 2 * n)));
            if (!onCurve(spec, w)) {
                throw new PivCardException(PivCardError.MALFORMED_RESPONSE,
                        "the card returned a point that is not on " + algorithm.curveName());
            }
            return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, spec));
        } catch (GeneralSecurityException e) {
            throw new PivCardException(PivCardError.MALFORMED_RESPONSE,
                    "the card returned a public key that is not on " + algorithm.curveName(), -1, -1, e);
        }
    }

    /** The PIV algorithm of an EC public key on P-256 or P-384, if it is one. */
    public static java.util.Optional<PivAlgorithm> algorithmOf(java.security.PublicKey key) {
        if (!(key instanceof ECPublicKey)) {
            return java.util.Optional.empty();
        }
        ECParameterSpec params = ((ECPublicKey) key).getParams();
        for (PivAlgorithm a : PivAlgorithm.values()) {
            if (a.isRsa()) {
                continue;
            }
            try {
                AlgorithmParameters named = AlgorithmParameters.getInstance("EC");
                named.init(new ECGenParameterSpec(a.curveName()));
                ECParameterSpec spec = named.getParameterSpec(ECParameterSpec.class);
                if (spec.getCurve().equals(params.getCurve()) && spec.getGenerator().equals(params.getGenerator())
                        && spec.getOrder().equals(params.getOrder())) {
                    return java.util.Optional.of(a);
                }
            } catch (GeneralSecurityException e) {
                // this JDK lacks the curve: no key can be on it
            }
        }
        return java.util.Optional.empty();
    }

    /** True when {@code key}'s point lies on its curve (keys decoded by the JDK are not checked). */
    public static boolean isOnCurve(ECPublicKey key) {
        return onCurve(key.getParams(), key.getW());
    }

    /** y^2 = x^3 + ax + b (mod p) with 0 <= x, y < p: the JDK's KeyFactory does not check this. */
    private static boolean onCurve(ECParameterSpec spec, ECPoint w) {
        BigInteger p = ((java.security.spec.ECFieldFp) spec.getCurve().getField()).getP();
        BigInteger x = w.getAffineX();
        BigInteger y = w.getAffineY();
        if (x.signum() < 0 || y.signum() < 0 || x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
            return false;
        }
        BigInteger rhs = x.pow(3).add(spec.getCurve().getA().multiply(x)).add(spec.getCurve().getB()).mod(p);
        return y.modPow(BigInteger.TWO, p).equals(rhs);
    }
}
