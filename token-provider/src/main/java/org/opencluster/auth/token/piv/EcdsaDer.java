package org.opencluster.auth.token.piv;

/**
 * A card's ECDSA signature, accepted only in strict DER (X.690 DER, RFC 3279 {@code Ecdsa-Sig-Value}):
 * {@code SEQUENCE { INTEGER r, INTEGER s }} with definite lengths in their shortest form, each INTEGER minimal and
 * positive (a leading 0x00 only before a byte whose high bit is set), r and s at most the field size, and nothing
 * after the sequence.
 *
 * <p>That is what the cards this project meets emit: YubiKey PIV, PIV cards through OpenSC, and jCardSim running
 * our applet (P-256 and P-384, 800 signatures checked; jCardSim encodes with Bouncy Castle's DER encoder). This
 * class used to "repair" BER and non-minimal encodings, and so turned nine malformed variants per curve into
 * valid signatures (issue 13 item 8, found with Project Wycheproof's vectors); no card is known to emit one of
 * them, so none is accepted: a card that did would get a clear error rather than silent re-encoding.
 */
final class EcdsaDer {
    private EcdsaDer() {
    }

    /**
     * Returns {@code sig} itself when it is strict DER with r and s of at most {@code fieldBytes} bytes.
     *
     * @throws IllegalArgumentException saying what is wrong (never echoing the bytes)
     */
    static byte[] requireStrict(byte[] sig, int fieldBytes) {
        String problem = problem(sig, fieldBytes);
        if (problem != null) {
            throw new IllegalArgumentException("the ECDSA signature is not strict DER: " + problem);
        }
        return sig;
    }

    /** Whether {@code sig} is strict DER with r and s of at most {@code fieldBytes} bytes. */
    static boolean isStrict(byte[] sig, int fieldBytes) {
        return problem(sig, fieldBytes) == null;
    }

    private static String problem(byte[] sig, int fieldBytes) {
        if (sig.length < 2 || sig[0] != 0x30) {
            return "not a SEQUENCE";
        }
        int[] pos = {1};
        int seqLen = length(sig, pos);
        if (seqLen < 0) {
            return "a length that is not minimal definite DER";
        }
        if (pos[0] + seqLen != sig.length) {
            return "the SEQUENCE length does not match (bytes after it, or cut short)";
        }
        for (String name : new String[] {"r", "s"}) {
            String p = integer(sig, pos, fieldBytes, name);
            if (p != null) {
                return p;
            }
        }
        return pos[0] == sig.length ? null : "bytes after s inside the SEQUENCE";
    }

    private static String integer(byte[] b, int[] pos, int fieldBytes, String name) {
        if (pos[0] >= b.length || b[pos[0]++] != 0x02) {
            return name + " is not an INTEGER";
        }
        int len = length(b, pos);
        if (len < 1 || pos[0] + len > b.length) {
            return name + " has a bad length";
        }
        int first = b[pos[0]] & 0xff;
        if (first >= 0x80) {
            return name + " is negative";
        }
        if (first == 0 && (len == 1 || (b[pos[0] + 1] & 0x80) == 0)) {
            return name + " is zero or not minimal";
        }
        if (len - (first == 0 ? 1 : 0) > fieldBytes) {
            return name + " is longer than the field";
        }
        pos[0] += len;
        return null;
    }

    /** A minimal definite length (short form below 128, else 0x81 or 0x82 with no leading zero), or -1. */
    private static int length(byte[] b, int[] pos) {
        if (pos[0] >= b.length) {
            return -1;
        }
        int first = b[pos[0]++] & 0xff;
        if (first < 0x80) {
            return first;
        }
        int n = first & 0x7f;
        if (n < 1 || n > 2 || pos[0] + n > b.length || b[pos[0]] == 0) {
            return -1;
        }
        int len = 0;
        for (int i = 0; i < n; i++) {
            len = (len << 8) | (b[pos[0]++] & 0xff);
        }
        return len < 0x80 ? -1 : len;
    }
}
