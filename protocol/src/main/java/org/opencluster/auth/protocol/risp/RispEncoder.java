package org.opencluster.auth.protocol.risp;

import java.nio.ByteBuffer;

/**
 * Writes RISP v4 commands, big-endian, into caller-supplied buffers (no allocation on the hot path).
 *
 * <p>Misuse (a value that does not fit its id) is a programming error and throws {@link IllegalArgumentException};
 * a too-small output buffer throws {@link java.nio.BufferOverflowException} and leaves {@code out}'s position
 * unchanged.
 */
public final class RispEncoder {
    private RispEncoder() {
    }

    /** Exact encoded size of {@code command}. */
    public static long sizeOf(RispCommand command) {
        int id = command.id();
        switch (CommandIds.kindOf(id)) {
            case NONE:
                return 2;
            case INTEGER:
                return 2L + CommandIds.integerWidth(id);
            default:
                return 2L + CommandIds.lengthPrefixWidth(id) + command.length();
        }
    }

    /** Exact encoded size of a string command {@code id} with {@code length} parameter bytes. */
    public static long stringSize(int id, long length) {
        return 2L + CommandIds.lengthPrefixWidth(id) + length;
    }

    /** Appends {@code command} to {@code out}. */
    public static void encode(RispCommand command, ByteBuffer out) {
        int id = command.id();
        switch (CommandIds.kindOf(id)) {
            case NONE:
                putNone(out, id);
                break;
            case INTEGER:
                if (command.hasBytes()) {
                    putFixed(out, id, command.bytes());
                } else {
                    putInteger(out, id, command.number());
                }
                break;
            default:
                putString(out, id, command.bytes());
        }
    }

    /** Encodes {@code commands} into a new array. */
    public static byte[] toBytes(RispCommand... commands) {
        long total = 0;
        for (RispCommand c : commands) {
            total += sizeOf(c);
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("encoding of " + total + " bytes does not fit one array");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total);
        for (RispCommand c : commands) {
            encode(c, out);
        }
        return out.array();
    }

    public static void putNone(ByteBuffer out, int id) {
        if (CommandIds.kindOf(id) != ParamKind.NONE) {
            throw new IllegalArgumentException(CommandIds.hex(id) + " has a parameter");
        }
        out.putShort((short) id);
    }

    /** A 1/2/4/8-byte integer; widths below 8 must be unsigned values that fit. */
    public static void putInteger(ByteBuffer out, int id, long value) {
        int width = CommandIds.integerWidth(id);
        if (width > CommandIds.MAX_NUMERIC_WIDTH) {
            throw new IllegalArgumentException(CommandIds.hex(id) + " carries a " + width + "-byte binary value");
        }
        if (width < 8 && (value < 0 || value >>> (8 * width) != 0)) {
            throw new IllegalArgumentException(value + " does not fit the " + width + "-byte unsigned integer of "
                    + CommandIds.hex(id));
        }
        requireRoom(out, 2 + width);
        out.putShort((short) id);
        switch (width) {
            case 1:
                out.put((byte) value);
                break;
            case 2:
                out.putShort((short) value);
                break;
            case 4:
                out.putInt((int) value);
                break;
            default:
                out.putLong(value);
        }
    }

    /** A 16/32/64-byte binary integer; {@code value}'s remaining bytes must be exactly the width. Not consumed. */
    public static void putFixed(ByteBuffer out, int id, ByteBuffer value) {
        int width = CommandIds.integerWidth(id);
        if (width <= CommandIds.MAX_NUMERIC_WIDTH || value.remaining() != width) {
            throw new IllegalArgumentException(CommandIds.hex(id) + " needs a " + width + "-byte value, got "
                    + value.remaining() + " bytes");
        }
        requireRoom(out, 2 + width);
        out.putShort((short) id);
        out.put(value.duplicate());
    }

    /** A string: the remaining bytes of {@code value} (not consumed). */
    public static void putString(ByteBuffer out, int id, ByteBuffer value) {
        int prefix = CommandIds.lengthPrefixWidth(id);
        int length = value.remaining();
        if (length > CommandIds.maxEncodableLength(id)) {
            throw new IllegalArgumentException(length + " bytes do not fit the " + prefix
                    + "-byte length prefix of " + CommandIds.hex(id));
        }
        requireRoom(out, 2L + prefix + length);
        putStringHeader(out, id, length);
        out.put(value.duplicate());
    }

    /**
     * Only the id and length prefix of a string whose {@code length} bytes the caller writes next (for example
     * ciphertext sealed in place right after the header).
     */
    public static void putStringHeader(ByteBuffer out, int id, long length) {
        int prefix = CommandIds.lengthPrefixWidth(id);
        if (length < 0 || length > CommandIds.maxEncodableLength(id)) {
            throw new IllegalArgumentException(length + " does not fit the " + prefix + "-byte length prefix of "
                    + CommandIds.hex(id));
        }
        requireRoom(out, 2 + prefix);
        out.putShort((short) id);
        switch (prefix) {
            case 1:
                out.put((byte) length);
                break;
            case 2:
                out.putShort((short) length);
                break;
            case 4:
                out.putInt((int) length);
                break;
            default:
                out.putLong(length);
        }
    }

    private static void requireRoom(ByteBuffer out, long bytes) {
        if (out.remaining() < bytes) {
            throw new java.nio.BufferOverflowException();
        }
    }
}
