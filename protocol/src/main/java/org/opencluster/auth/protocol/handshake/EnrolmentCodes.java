package org.opencluster.auth.protocol.handshake;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Locale;

/** One-time enrolment codes: 120 random bits, readable, stored only as a hash. */
public final class EnrolmentCodes {
    private static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    private EnrolmentCodes() {
    }

    /** 24 characters of Crockford base32 in groups of four (easy to read out and type). */
    public static String generate(SecureRandom random) {
        byte[] b = new byte[15];
        random.nextBytes(b);
        StringBuilder sb = new StringBuilder();
        long acc = 0;
        int bits = 0;
        int chars = 0;
        for (byte x : b) {
            acc = (acc << 8) | (x & 0xff);
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                if (chars > 0 && chars % 4 == 0) {
                    sb.append('-');
                }
                sb.append(ALPHABET.charAt((int) (acc >>> bits) & 31));
                chars++;
            }
        }
        java.util.Arrays.fill(b, (byte) 0);
        return sb.toString();
    }

    /**
     * SHA-256 of the normalised code (dashes and white space removed, upper case): what the server stores and
     * what keys the enrolment proof of the handshake (docs/PROTOCOL.md section 5.5.4).
     */
    public static byte[] hash(String code) {
        String normal = code.replaceAll("[\\s-]", "").toUpperCase(Locale.ROOT);
        try {
            return MessageDigest.getInstance("SHA-256").digest(normal.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
