package org.opencluster.auth.token.piv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Map;

/**
 * Fuzz targets for what the host reads from a PIV card's answers (a card, or whatever sits on the reader, is
 * input like the network).
 *
 * <p>{@code berTlv}: byte 0 picks the template and element the client looks for (the ones {@link PivClient} reads:
 * discovery 7E/4F, GENERAL AUTHENTICATE 7C/80 and 7C/82, a generated key 7F49/86, a data object 53); the rest is the
 * card's data. Contract: {@link PivCardException} and nothing else; a found value lies inside the data.
 *
 * <p>{@code ecdsaDer}: a card's signature for {@link EcdsaDer#requireStrict} (byte 0 picks the field size, 32 or
 * 48). Contract: IllegalArgumentException, or the input itself returned, which is then a strict DER
 * {@code SEQUENCE { INTEGER r, INTEGER s }} with r and s no longer than the field.
 */
class PivParsersFuzzTest {
    private static final int[][] LOOKUPS = {{0x7E, 0x4F, -1}, {0x7C, 0x80, 8}, {0x7C, 0x82, 8}, {0x7F49, 0x86, 65},
            {0x7F49, 0x86, 97}, {0x53, 0x70, -1}};

    @FuzzTest
    void berTlv(byte[] input) {
        if (input.length < 1) {
            return;
        }
        int[] lookup = LOOKUPS[(input[0] & 0xff) % LOOKUPS.length];
        byte[] data = Arrays.copyOfRange(input, 1, input.length);
        try {
            byte[] value = BerTlv.valueIn(data, lookup[0], lookup[1], lookup[2]);
            assertTrue(value.length <= data.length);
            if (lookup[2] >= 0) {
                assertEquals(lookup[2], value.length);
            }
        } catch (PivCardException refused) {
            assertEquals(PivCardError.MALFORMED_RESPONSE, refused.error());
        } catch (RuntimeException | Error e) {
            throw new AssertionError("only PivCardException may escape valueIn", e);
        }
        try {
            Map<Integer, byte[]> elements = BerTlv.elementsOf(data, lookup[0]);
            elements.values().forEach(v -> assertTrue(v.length <= data.length));
        } catch (PivCardException refused) {
            assertEquals(PivCardError.MALFORMED_RESPONSE, refused.error());
        } catch (RuntimeException | Error e) {
            throw new AssertionError("only PivCardException may escape elementsOf", e);
        }
    }

    @FuzzTest
    void ecdsaDer(byte[] input) {
        if (input.length < 1) {
            return;
        }
        int fieldBytes = (input[0] & 1) == 0 ? 32 : 48;
        byte[] signature = Arrays.copyOfRange(input, 1, input.length);
        byte[] out;
        try {
            out = EcdsaDer.requireStrict(signature, fieldBytes);
        } catch (IllegalArgumentException refused) {
            return;
        } catch (RuntimeException | Error e) {
            throw new AssertionError("only IllegalArgumentException may escape EcdsaDer.requireStrict", e);
        }
        assertTrue(out == signature, "an accepted signature is returned unchanged");
        BigInteger[] rs = integers(out, true);
        assertTrue(rs != null, "an accepted signature is a strict DER pair of integers");
        for (BigInteger v : rs) {
            assertTrue(v.signum() > 0 && v.bitLength() <= 8 * fieldBytes, "r or s out of the field's size");
        }
    }

    /** r and s of a SEQUENCE of two INTEGERs, read as unsigned magnitudes; strict DER when {@code der}. */
    private static BigInteger[] integers(byte[] b, boolean der) {
        int[] pos = {0};
        if (b.length < 2 || b[pos[0]++] != 0x30) {
            return null;
        }
        int seq = length(b, pos, der);
        if (seq < 0 || pos[0] + seq != b.length) {
            return null;
        }
        BigInteger[] v = new BigInteger[2];
        for (int i = 0; i < 2; i++) {
            if (pos[0] >= b.length || b[pos[0]++] != 0x02) {
                return null;
            }
            int len = length(b, pos, der);
            if (len < 1 || pos[0] + len > b.length) {
                return null;
            }
            byte[] body = Arrays.copyOfRange(b, pos[0], pos[0] + len);
            if (der && (body[0] < 0 || (len > 1 && body[0] == 0 && body[1] >= 0))) {
                return null; // negative, or not minimal
            }
            v[i] = new BigInteger(1, body);
            pos[0] += len;
        }
        return pos[0] == b.length ? v : null;
    }

    private static int length(byte[] b, int[] pos, boolean der) {
        if (pos[0] >= b.length) {
            return -1;
        }
        int first = b[pos[0]++] & 0xff;
        if (first < 0x80) {
            return first;
        }
        int n = first & 0x7f;
        if (der && (n != 1 && n != 2)) {
            return -1;
        }
        int len = 0;
        for (int i = 0; i < n && i < 3; i++) {
            if (pos[0] >= b.length) {
                return -1;
            }
            len = (len << 8) | (b[pos[0]++] & 0xff);
        }
        return len;
    }
}
