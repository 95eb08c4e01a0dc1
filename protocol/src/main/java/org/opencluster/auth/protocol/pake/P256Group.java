package org.opencluster.auth.protocol.pake;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.raw.Mod;
import org.bouncycastle.math.raw.Nat;
import org.bouncycastle.math.raw.Nat256;

/**
 * The prime-order group P-256 as RFC 9497 (section 4.3) uses it: elements are compressed SEC1 points (33 bytes),
 * scalars 32-byte big-endian integers modulo the order n.
 *
 * <p>Secret-scalar multiplications go to the system's libcrypto when it is there and agrees with the Java code
 * ({@link NativeP256}, about three times faster), else to {@link RegularWindowMultiplier} (variable point) or
 * {@link GeneratorMultiplier} (the generator); both are constant time. Scalar inversion uses Bouncy
 * Castle's constant-time {@link Mod#modOddInverse}. Scalars are BigIntegers, which cannot be wiped and whose
 * arithmetic ({@code mod}) is not constant time.
 */
public final class P256Group {
    private static final X9ECParameters PARAMS = CustomNamedCurves.getByName("secp256r1");
    static final ECCurve CURVE = PARAMS.getCurve();
    static final ECPoint GENERATOR = PARAMS.getG();
    /** The group order n. */
    public static final BigInteger ORDER = PARAMS.getN();
    /** Ne: a compressed element. */
    public static final int ELEMENT_LENGTH = 33;
    /** Ns: a scalar. */
    public static final int SCALAR_LENGTH = 32;
    private static final int[] ORDER_WORDS = Nat256.fromBigInteger(ORDER);

    private P256Group() {
    }

    /** k * element for a secret k in [1, n). */
    static ECPoint multiply(BigInteger k, ECPoint element) {
        if (k.signum() <= 0 || k.compareTo(ORDER) >= 0 || element.isInfinity()) {
            throw new IllegalArgumentException("scalar outside [1, n) or the identity element");
        }
        NativeP256 fast = NativeP256.instance();
        return fast != null ? fast.multiply(k, element) : RegularWindowMultiplier.multiply(element, k, ORDER);
    }

    /** k * G for a secret k in [1, n). */
    static ECPoint multiplyGenerator(BigInteger k) {
        if (k.signum() <= 0 || k.compareTo(ORDER) >= 0) {
            throw new IllegalArgumentException("scalar outside [1, n)");
        }
        NativeP256 fast = NativeP256.instance();
        return fast != null ? fast.multiplyGenerator(k) : GeneratorMultiplier.multiply(k);
    }

    /**
     * Which implementation multiplies, and why, in one line: {@code libcrypto (libcrypto.so.3)} or {@code java
     * (reason)}. Chosen once per JVM by the system property {@code oca.p256.native} ({@code auto} or {@code off}).
     */
    public static String multiplierStatus() {
        return NativeP256.status();
    }

    /** k^-1 mod n, k in [1, n). */
    static BigInteger invertScalar(BigInteger k) {
        int[] x = Nat256.fromBigInteger(k);
        int[] z = Nat256.create();
        if (Mod.modOddInverse(ORDER_WORDS, x, z) == 0) {
            throw new IllegalArgumentException("scalar is not invertible");
        }
        Nat.zero(8, x);
        BigInteger inverse = Nat256.toBigInteger(z);
        Nat.zero(8, z);
        return inverse;
    }

    /** RandomScalar: uniform in [1, n), by rejection of 32 random bytes (RFC 9497, 2.1). */
    static BigInteger randomScalar(SecureRandom random) {
        byte[] bytes = new byte[SCALAR_LENGTH];
        while (true) {
            random.nextBytes(bytes);
            BigInteger k = new BigInteger(1, bytes);
            if (k.signum() > 0 && k.compareTo(ORDER) < 0) {
                Arrays.fill(bytes, (byte) 0);
                return k;
            }
        }
    }

    /** SerializeElement: compressed SEC1; the identity has no encoding here and is refused. */
    public static byte[] serializeElement(ECPoint element) {
        if (element.isInfinity()) {
            throw new IllegalArgumentException("the identity element is never serialized");
        }
        return element.getEncoded(true);
    }

    /**
     * DeserializeElement: exactly 33 bytes, prefix 0x02 or 0x03, x below p and on the curve. The identity cannot
     * be encoded in 33 bytes and P-256's cofactor is 1, so every point that decodes has order n.
     */
    public static ECPoint deserializeElement(byte[] encoded) throws PakeException {
        if (encoded == null || encoded.length != ELEMENT_LENGTH) {
            throw new PakeException(PakeError.INVALID_ELEMENT, "an element is " + ELEMENT_LENGTH + " bytes, got "
                    + (encoded == null ? "none" : encoded.length));
        }
        if (encoded[0] != 0x02 && encoded[0] != 0x03) {
            throw new PakeException(PakeError.INVALID_ELEMENT,
                    String.format("an element is a compressed point (prefix 0x02 or 0x03), prefix was 0x%02x",
                            encoded[0]));
        }
        try {
            ECPoint point = CURVE.decodePoint(encoded);
            if (point.isInfinity() || !point.isValid()) {
                throw new PakeException(PakeError.INVALID_ELEMENT, "not a point of P-256 other than the identity");
            }
            return point.normalize();
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new PakeException(PakeError.INVALID_ELEMENT, "x is not reduced or not the x of a P-256 point");
        }
    }

    /** SerializeScalar: 32 bytes big-endian. */
    public static byte[] serializeScalar(BigInteger k) {
        if (k.signum() < 0 || k.compareTo(ORDER) >= 0) {
            throw new IllegalArgumentException("scalar out of range");
        }
        byte[] raw = k.toByteArray();
        byte[] out = new byte[SCALAR_LENGTH];
        int copy = Math.min(raw.length, SCALAR_LENGTH);
        System.arraycopy(raw, raw.length - copy, out, SCALAR_LENGTH - copy, copy);
        Arrays.fill(raw, (byte) 0);
        return out;
    }

    /**
     * DeserializeScalar for a key or a blind: exactly 32 bytes, in [1, n). Zero is refused too: every scalar this
     * project deserializes is a private key or a blind, for which zero would reveal or erase the other operand.
     */
    public static BigInteger deserializeScalar(byte[] encoded) throws PakeException {
        if (encoded == null || encoded.length != SCALAR_LENGTH) {
            throw new PakeException(PakeError.INVALID_SCALAR, "a scalar is " + SCALAR_LENGTH + " bytes, got "
                    + (encoded == null ? "none" : encoded.length));
        }
        BigInteger k = new BigInteger(1, encoded);
        if (k.signum() == 0 || k.compareTo(ORDER) >= 0) {
            throw new PakeException(PakeError.INVALID_SCALAR, "a scalar must be in [1, n)");
        }
        return k;
    }
}
