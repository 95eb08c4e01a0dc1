package org.opencluster.auth.protocol.frame;

import java.nio.ByteBuffer;

/**
 * The 14 bytes in front of every ciphertext: the canonical RISP v4 encoding of three commands.
 * <pre>
 *   73 00 | 73 01             WRAPPED_ENCRYPTED_COMMAND | WRAPPED_ENCRYPTED_CLOSE   (no parameter)
 *   23 00  LLLLLLLL           LENGTH_OF_UNCRYPTED       (4-byte unsigned integer: plaintext length)
 *   a3 00  CCCCCCCC           ENCRYPTED_STRING          (4-byte length prefix: ciphertext+tag length)
 *   ...ciphertext || tag      (the string's bytes)
 * </pre>
 * These exact 14 bytes are the AEAD's associated data, so the frame type, the plaintext length and the
 * ciphertext length are all authenticated. RISP widths are fixed by the id, so a receiver that decoded the three
 * commands with the general codec rebuilds the identical bytes from their values ({@link #write}).
 */
public final class FrameHeader {
    public static final int WRAPPED_ENCRYPTED_COMMAND = 0x7300;
    public static final int WRAPPED_ENCRYPTED_CLOSE = 0x7301;
    public static final int LENGTH_OF_UNCRYPTED = 0x2300;
    public static final int ENCRYPTED_STRING = 0xa300;
    /** Bytes before the ciphertext. */
    public static final int LENGTH = 14;

    private FrameHeader() {
    }

    /** Writes the header at {@code out[offset..offset+14)}. */
    static void write(byte[] out, int offset, FrameType type, int plaintextLength, int ciphertextLength) {
        putShort(out, offset, type.commandId());
        putShort(out, offset + 2, LENGTH_OF_UNCRYPTED);
        putInt(out, offset + 4, plaintextLength);
        putShort(out, offset + 8, ENCRYPTED_STRING);
        putInt(out, offset + 10, ciphertextLength);
    }

    /** Type of the frame whose header starts at {@code in}'s position (absolute read), or null if malformed. */
    static FrameType typeAt(ByteBuffer in) {
        int p = in.position();
        int first = Short.toUnsignedInt(in.getShort(p));
        if (Short.toUnsignedInt(in.getShort(p + 2)) != LENGTH_OF_UNCRYPTED
                || Short.toUnsignedInt(in.getShort(p + 8)) != ENCRYPTED_STRING) {
            return null;
        }
        if (first == WRAPPED_ENCRYPTED_COMMAND) {
            return FrameType.DATA;
        }
        return first == WRAPPED_ENCRYPTED_CLOSE ? FrameType.CLOSE : null;
    }

    private static void putShort(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 8);
        b[o + 1] = (byte) v;
    }

    private static void putInt(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 24);
        b[o + 1] = (byte) (v >>> 16);
        b[o + 2] = (byte) (v >>> 8);
        b[o + 3] = (byte) v;
    }
}
