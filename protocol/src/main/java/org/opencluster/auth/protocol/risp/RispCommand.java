package org.opencluster.auth.protocol.risp;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One decoded or to-be-encoded RISP command: an id and, depending on the id, nothing, a number, or bytes.
 *
 * <p>Immutable. Byte parameters (strings and 16/32/64-byte integers) are held as a read-only view; commands made by
 * {@link RispDecoder} view the very bytes that were fed to it instead of copying them, so the feeder must not
 * reuse a buffer after feeding it (the same contract as a Netty retained slice), unless the decoder copies strings
 * ({@link RispDecoder.Builder#copyStrings}). The factories here copy. The one exception to immutability is
 * {@link #ownedBytes()}, for the single consumer of a received command's private copy.
 *
 * <p>{@link #toString()} never prints parameter bytes: a decrypted command can carry secrets.
 */
public final class RispCommand {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final int id;
    private final long number;
    private final ByteBuffer bytes;
    /** The parameter's array when the decoder made it for this command alone (then {@code bytes} views all of it). */
    private final byte[] owned;

    private RispCommand(int id, long number, ByteBuffer bytes) {
        this(id, number, bytes, null);
    }

    private RispCommand(int id, long number, ByteBuffer bytes, byte[] owned) {
        this.id = id;
        this.number = number;
        this.bytes = bytes;
        this.owned = owned;
    }

    /** A command without parameter. */
    public static RispCommand none(int id) {
        requireKind(id, ParamKind.NONE);
        return new RispCommand(id, 0, null);
    }

    /**
     * A command with a 1, 2, 4 or 8 byte integer. Widths below 8 are unsigned ({@code 0 <= value < 2^(8*width)}),
     * the 8-byte width is a signed {@code long}, as the reference implementation reads them back.
     */
    public static RispCommand integer(int id, long value) {
        int width = CommandIds.integerWidth(id);
        if (width > CommandIds.MAX_NUMERIC_WIDTH) {
            throw new IllegalArgumentException(CommandIds.hex(id) + " carries a " + width
                    + "-byte binary value: use fixed(id, bytes)");
        }
        if (width < 8 && (value < 0 || value >>> (8 * width) != 0)) {
            throw new IllegalArgumentException(value + " does not fit the " + width + "-byte unsigned integer of "
                    + CommandIds.hex(id));
        }
        return new RispCommand(id, value, null);
    }

    /** A command with a 16, 32 or 64 byte binary integer (a nonce, key or hash); the bytes are copied. */
    public static RispCommand fixed(int id, byte[] value) {
        int width = CommandIds.integerWidth(id);
        if (width <= CommandIds.MAX_NUMERIC_WIDTH) {
            throw new IllegalArgumentException(CommandIds.hex(id) + " carries a " + width
                    + "-byte number: use integer(id, value)");
        }
        if (value.length != width) {
            throw new IllegalArgumentException(CommandIds.hex(id) + " needs exactly " + width + " bytes, got "
                    + value.length);
        }
        return new RispCommand(id, 0, ByteBuffer.wrap(value.clone()).asReadOnlyBuffer());
    }

    /** A command with a string parameter; the bytes are copied. */
    public static RispCommand string(int id, byte[] value) {
        requireKind(id, ParamKind.STRING);
        if (value.length > CommandIds.maxEncodableLength(id)) {
            throw new IllegalArgumentException(value.length + " bytes do not fit the "
                    + CommandIds.lengthPrefixWidth(id) + "-byte length prefix of " + CommandIds.hex(id));
        }
        return new RispCommand(id, 0, ByteBuffer.wrap(value.clone()).asReadOnlyBuffer());
    }

    /** A command with a string parameter: the remaining bytes of {@code value}, copied (not consumed). */
    public static RispCommand string(int id, ByteBuffer value) {
        byte[] copy = new byte[value.remaining()];
        value.duplicate().get(copy);
        return string(id, copy);
    }

    /** Decoder path: {@code view} is already a read-only slice that this command may keep. */
    static RispCommand viewing(int id, ByteBuffer view) {
        return new RispCommand(id, 0, view);
    }

    /** Decoder path: {@code array} was allocated for this command's parameter alone and nobody else holds it. */
    static RispCommand owning(int id, byte[] array) {
        return new RispCommand(id, 0, ByteBuffer.wrap(array).asReadOnlyBuffer(), array);
    }

    static RispCommand number(int id, long value) {
        return new RispCommand(id, value, null);
    }

    private static void requireKind(int id, ParamKind kind) {
        ParamKind actual = CommandIds.kindOf(id);
        if (actual != kind) {
            throw new IllegalArgumentException(CommandIds.hex(id) + " is a " + actual + " command, not " + kind);
        }
    }

    public int id() {
        return id;
    }

    public ParamKind kind() {
        return CommandIds.kindOf(id);
    }

    /** True for strings and 16/32/64-byte integers. */
    public boolean hasBytes() {
        return bytes != null;
    }

    /** The numeric value of a 1/2/4/8-byte integer command. */
    public long number() {
        if (kind() != ParamKind.INTEGER || bytes != null) {
            throw new IllegalStateException(CommandIds.hex(id) + " has no numeric parameter");
        }
        return number;
    }

    /** Length of the byte parameter (0 for commands without one). */
    public int length() {
        return bytes == null ? 0 : bytes.remaining();
    }

    /** A fresh read-only view of the byte parameter (position 0); empty for commands without one. */
    public ByteBuffer bytes() {
        return bytes == null ? EMPTY : bytes.duplicate();
    }

    /**
     * A writable view of the byte parameter when the decoder copied it into an array of its own for this command
     * (a parameter that spanned reads, or any string of a {@link RispDecoder.Builder#copyStrings} decoder), else
     * {@code null}. For the one consumer of a received command that may transform it where it lies, such as
     * decrypting a frame in place instead of into another buffer; whoever does so must be its only user.
     */
    public ByteBuffer ownedBytes() {
        return owned == null ? null : ByteBuffer.wrap(owned);
    }

    /** A copy of the byte parameter. */
    public byte[] copyBytes() {
        byte[] out = new byte[length()];
        if (bytes != null) {
            bytes.duplicate().get(out);
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RispCommand)) {
            return false;
        }
        RispCommand other = (RispCommand) o;
        return id == other.id && number == other.number && Objects.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * id + Long.hashCode(number)) + (bytes == null ? 0 : bytes.hashCode());
    }

    @Override
    public String toString() {
        if (bytes != null) {
            return CommandIds.hex(id) + "[" + bytes.remaining() + " bytes]";
        }
        return kind() == ParamKind.INTEGER ? CommandIds.hex(id) + "[" + number + "]" : CommandIds.hex(id);
    }
}
