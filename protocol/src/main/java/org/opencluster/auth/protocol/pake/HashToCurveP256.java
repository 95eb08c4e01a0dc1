package org.opencluster.auth.protocol.pake;

import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The suite {@code P256_XMD:SHA-256_SSWU_RO_} of RFC 9380 (8.2): {@code hash_to_field} (5.2) with L = 48,
 * {@link SimplifiedSwuP256}, and the sum of the two mapped points (clear_cofactor is the identity, h = 1); and
 * RFC 9497's HashToScalar for P-256 (4.3): hash_to_field modulo the group order n instead of p.
 *
 * <p>Constant time: the reduction modulo p is Bouncy Castle's word-array reduction, the map is straight-line
 * (see {@link SimplifiedSwuP256}) and Q0 + Q1 is the complete addition ({@link CompleteAddition}); the output
 * point is built from BigIntegers. The reduction modulo n in {@link #hashToScalar} is BigInteger arithmetic, not
 * constant time.
 */
public final class HashToCurveP256 {
    /** L = ceil((ceil(log2(p)) + k) / 8) with k = 128. */
    static final int L = 48;

    private HashToCurveP256() {
    }

    /** hash_to_field(msg, count) for p: count reduced field elements as words. */
    static int[][] hashToField(byte[] msg, byte[] dst, int count) {
        byte[] uniform = ExpandMessageXmd.expand(msg, dst, count * L);
        int[][] u = new int[count][];
        for (int i = 0; i < count; i++) {
            u[i] = P256FieldOps.reduceBigEndian(uniform, i * L, L);
        }
        Arrays.fill(uniform, (byte) 0);
        return u;
    }

    /**
     * hash_to_curve(msg) under {@code dst}, as an affine point (the identity when Q1 = -Q0, which callers
     * refuse). Q0 + Q1 is the complete addition (Q0 projective with Z = 1), so it has no case to branch on, and
     * one inversion makes it affine.
     */
    public static ECPoint hashToCurve(byte[] msg, byte[] dst) {
        int[][] u = hashToField(msg, dst, 2);
        long[] x = P256Field.create();
        long[] y = P256Field.create();
        long[] z = P256Field.ONE.clone();
        long[] x1 = P256Field.create();
        long[] y1 = P256Field.create();
        long[] u0 = P256Field.fromWordsToMontgomery(u[0]);
        long[] u1 = P256Field.fromWordsToMontgomery(u[1]);
        long[][] t = CompleteAddition.scratch();
        try {
            SimplifiedSwuP256.map(u0, x, y);
            SimplifiedSwuP256.map(u1, x1, y1);
            CompleteAddition.addMixed(x, y, z, x1, y1, t);
            if (P256Field.isZero(z) == 1) {
                return P256Group.CURVE.getInfinity(); // public: Oprf refuses it with an error
            }
            P256Field.invert(z, z);
            P256Field.multiply(x, z, x);
            P256Field.multiply(y, z, y);
            return P256Group.CURVE.createPoint(P256Field.toBigInteger(x), P256Field.toBigInteger(y));
        } finally {
            Arrays.fill(u[0], 0);
            Arrays.fill(u[1], 0);
            for (long[] a : new long[][] {x, y, z, x1, y1, u0, u1, t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7]}) {
                Arrays.fill(a, 0);
            }
        }
    }

    /** map_to_curve of one field element (exposed for the Q0/Q1 test vectors). */
    static ECPoint mapToCurve(int[] u) {
        return SimplifiedSwuP256.map(P256Group.CURVE, u);
    }

    /** HashToScalar(msg, dst): hash_to_field(msg, 1) with modulus n; may be zero (callers that need [1, n) check). */
    public static BigInteger hashToScalar(byte[] msg, byte[] dst) {
        byte[] uniform = ExpandMessageXmd.expand(msg, dst, L);
        BigInteger s = new BigInteger(1, uniform).mod(P256Group.ORDER);
        Arrays.fill(uniform, (byte) 0);
        return s;
    }

    /** A field element as a BigInteger (for tests). */
    static BigInteger toBigInteger(int[] u) {
        return P256FieldOps.toBigInteger(u);
    }
}
