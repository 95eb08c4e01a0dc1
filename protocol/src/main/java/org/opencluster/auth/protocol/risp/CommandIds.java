package org.opencluster.auth.protocol.risp;

/**
 * What the 16-bit id of a RISP v4 command says about its parameter.
 *
 * <pre>
 *   0x0000-0x6fff  integer of 2^((id &gt;&gt; 12) &amp; 7) bytes: 1, 2, 4, 8, 16, 32, 64
 *   0x7000-0x7fff  no parameter
 *   0x8000-0xbfff  string, length prefix of 2^((id &gt;&gt; 12) - 8) bytes: 1, 2, 4, 8
 *   0xc000-0xffff  no parameter
 * </pre>
 */
public final class CommandIds {
    /** Largest command id. */
    public static final int MAX_ID = 0xffff;

    /** Integers up to this width are carried as {@code long}; wider ones (16/32/64) as fixed-size byte values. */
    public static final int MAX_NUMERIC_WIDTH = 8;

    private CommandIds() {
    }

    /** The parameter kind encoded in {@code id}. */
    public static ParamKind kindOf(int id) {
        checkId(id);
        if (id < 0x7000) {
            return ParamKind.INTEGER;
        }
        if (id < 0x8000 || id >= 0xc000) {
            return ParamKind.NONE;
        }
        return ParamKind.STRING;
    }

    /** Byte width of the integer parameter of {@code id} (1 to 64); the id must be an integer command. */
    public static int integerWidth(int id) {
        if (kindOf(id) != ParamKind.INTEGER) {
            throw new IllegalArgumentException(hex(id) + " is not an integer command");
        }
        return 1 << ((id >>> 12) & 7);
    }

    /** Byte width of the length prefix of {@code id} (1, 2, 4 or 8); the id must be a string command. */
    public static int lengthPrefixWidth(int id) {
        if (kindOf(id) != ParamKind.STRING) {
            throw new IllegalArgumentException(hex(id) + " is not a string command");
        }
        return 1 << ((id >>> 12) - 8);
    }

    /** Largest string length that the length prefix of {@code id} can express (capped at {@code Long.MAX_VALUE}). */
    public static long maxEncodableLength(int id) {
        int width = lengthPrefixWidth(id);
        return width == 8 ? Long.MAX_VALUE : (1L << (8 * width)) - 1;
    }

    /** True when the integer parameter of {@code id} is a fixed-size binary value (16, 32 or 64 bytes). */
    public static boolean isFixedBinary(int id) {
        return integerWidth(id) > MAX_NUMERIC_WIDTH;
    }

    static void checkId(int id) {
        if (id < 0 || id > MAX_ID) {
            throw new IllegalArgumentException("command id out of range 0x0000-0xffff: " + id);
        }
    }

    /** The id as 0xhhhh, the spelling used in every message and in docs/PROTOCOL.md. */
    public static String hex(int id) {
        return String.format("0x%04x", id);
    }
}
