package org.opencluster.auth.protocol.suite;

import java.math.BigInteger;

/** Strict validation of an uncompressed SEC1 P-256 point, shared by both P-256 implementations. */
final class P256Points {
    static final BigInteger P = new BigInteger(
            "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", 16);
    static final BigInteger B = new BigInteger(
            "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b", 16);
    private static final BigInteger THREE = BigInteger.valueOf(3);
    static final int LENGTH = 65;
    static final int COORDINATE = 32;

    private P256Points() {
    }

    /**
     * Checks length, the 0x04 prefix (compressed and infinity encodings are refused), both coordinates in
     * [0, p) and y^2 = x^3 - 3x + b (mod p). The cofactor of P-256 is 1, so every such point has prime order:
     * there is no small-subgroup point to refuse beyond the identity, which has no uncompressed encoding.
     */
    static BigInteger[] decodeValidated(byte[] encoded) throws SuiteException {
        if (encoded == null || encoded.length != LENGTH) {
            throw new SuiteException(SuiteError.INVALID_PUBLIC_KEY, "a P-256 public key is 65 bytes (0x04||X||Y), got "
                    + (encoded == null ? "none" : encoded.length + " bytes"));
        }
        if (encoded[0] != 0x04) {
            throw new SuiteException(SuiteError.INVALID_PUBLIC_KEY,
                    String.format("P-256 public key must be uncompressed (prefix 0x04), prefix was 0x%02x", encoded[0]));
        }
        BigInteger x = new BigInteger(1, java.util.Arrays.copyOfRange(encoded, 1, 1 + COORDINATE));
        BigInteger y = new BigInteger(1, java.util.Arrays.copyOfRange(encoded, 1 + COORDINATE, LENGTH));
        if (x.compareTo(P) >= 0 || y.compareTo(P) >= 0) {
            throw new SuiteException(SuiteError.INVALID_PUBLIC_KEY, "P-256 coordinate is not reduced modulo p");
        }
        BigInteger lhs = y.multiply(y).mod(P);
        BigInteger rhs = x.pow(3).subtract(x.multiply(THREE)).add(B).mod(P);
        if (!lhs.equals(rhs)) {
            throw new SuiteException(SuiteError.INVALID_PUBLIC_KEY, "P-256 public key is not a point on the curve");
        }
        return new BigInteger[] {x, y};
    }

    /** Fixed-width big-endian encoding of a coordinate / shared secret. */
    static byte[] toFixed(BigInteger v) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[COORDINATE];
        int copy = Math.min(raw.length, COORDINATE);
        System.arraycopy(raw, raw.length - copy, out, COORDINATE - copy, copy);
        java.util.Arrays.fill(raw, (byte) 0);
        return out;
    }
}
