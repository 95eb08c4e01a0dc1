package org.opencluster.auth.token.piv;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;

/**
 * Re-encodes a card's ECDSA signature as canonical DER. Cards answer {@code SEQUENCE { INTEGER r, INTEGER s }}, but
 * not every card gets DER's integer rules right (a missing 0x00 before a high bit, or superfluous leading zeros;
 * jCardSim does both now and then), and the JDK's verifier rightly refuses such encodings. The integers are read as
 * unsigned magnitudes, which is what the card meant, and written back minimal.
 */
final class EcdsaDer {
    private EcdsaDer() {
    }

    /** The canonical form, or the input unchanged when it is not a two-integer sequence at all. */
    static byte[] canonical(byte[] sig) {
        try {
            int[] pos = {0};
            if (sig[pos[0]++] != 0x30) {
                return sig;
            }
            int seqLen = length(sig, pos);
            if (pos[0] + seqLen != sig.length) {
                return sig;
            }
            BigInteger r = integer(sig, pos);
            BigInteger s = integer(sig, pos);
            if (r == null || s == null || pos[0] != sig.length) {
                return sig;
            }
            byte[] rb = r.toByteArray();
            byte[] sb = s.toByteArray();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            writeTlv(body, 0x02, rb);
            writeTlv(body, 0x02, sb);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            writeTlv(out, 0x30, body.toByteArray());
            return out.toByteArray();
        } catch (ArrayIndexOutOfBoundsException e) {
            return sig;
        }
    }

    private static BigInteger integer(byte[] b, int[] pos) {
        if (b[pos[0]++] != 0x02) {
            return null;
        }
        int len = length(b, pos);
        if (len < 1 || pos[0] + len > b.length) {
            return null;
        }
        BigInteger v = new BigInteger(1, java.util.Arrays.copyOfRange(b, pos[0], pos[0] + len));
        pos[0] += len;
        return v;
    }

    private static int length(byte[] b, int[] pos) {
        int first = b[pos[0]++] & 0xff;
        if (first < 0x80) {
            return first;
        }
        int n = first & 0x7f;
        int len = 0;
        for (int i = 0; i < n && i < 3; i++) {
            len = (len << 8) | (b[pos[0]++] & 0xff);
        }
        return len;
    }

    private static void writeTlv(ByteArrayOutputStream out, int tag, byte[] value) {
        out.write(tag);
        if (value.length < 0x80) {
            out.write(value.length);
        } else {
            out.write(0x81);
            out.write(value.length);
        }
        out.write(value, 0, value.length);
    }
}
