package org.opencluster.auth.protocol.risp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Streaming RISP v4 decoder: it only frames. Bytes arrive in fragments of any size (one byte at a time works);
 * each complete command is handed to a {@link Sink} as an immutable {@link RispCommand}.
 *
 * <p>A string or binary parameter that lies whole inside one fed buffer is a read-only <em>slice</em> of that buffer
 * (no copy): the feeder hands those bytes over and must not modify them afterwards. Only a parameter split across
 * feeds is gathered, into an array that grows with the bytes that arrived (to twice what arrived, capped at the claimed length).
 *
 * <p>Every length is checked against the limit before anything is reserved for it, and what is then reserved follows
 * the bytes received, never the claim: a peer that claims the maximum and sends nothing more costs nothing (at most
 * {@link #FIRST_GATHER_BYTES}), one that sends n bytes of it costs at most 2n ({@link #bufferedBytes()}). Any error poisons the decoder: a stream that went wrong is never resumed (fail closed). Not thread-safe;
 * one decoder per connection.
 */
public final class RispDecoder {
    /** Default largest string parameter: 1 MiB. */
    public static final int DEFAULT_MAX_STRING_LENGTH = 1 << 20;
    /** Hard ceiling for the configurable limit: a parameter must fit one Java array. */
    public static final int MAX_STRING_LENGTH_CEILING = Integer.MAX_VALUE - 16;
    /** What a split parameter reserves at first when fewer bytes of it arrived (less when it is shorter). */
    public static final int FIRST_GATHER_BYTES = 256;

    /** Receives decoded commands. */
    @FunctionalInterface
    public interface Sink {
        void accept(RispCommand command);
    }

    private enum State { ID, NUMBER, LENGTH, BODY, FAILED }

    private final int maxStringLength;
    private final CommandRegistry registry;
    private final Direction travel;
    private final boolean copyStrings;
    private final boolean admitUnknown;

    private State state = State.ID;
    private int id;
    private long acc;
    private int accHave;
    private int need;
    private byte[] body;
    private int bodyLength;
    private int bodyFill;
    private String failure;

    private RispDecoder(Builder b) {
        this.maxStringLength = b.maxStringLength;
        this.registry = b.registry;
        this.travel = b.travel;
        this.copyStrings = b.copyStrings;
        this.admitUnknown = b.admitUnknown;
    }

    /** A framing-only decoder with the default limit: accepts any id. */
    public static RispDecoder framingOnly() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The configured limit on string parameters. */
    public int maxStringLength() {
        return maxStringLength;
    }

    /**
     * Consumes all of {@code in}, emitting every command it completes. If the sink throws, {@code in}'s position is
     * just after the command that was being delivered, so the caller can resume.
     */
    public void feed(ByteBuffer in, Sink sink) {
        Objects.requireNonNull(sink, "sink");
        if (state == State.FAILED) {
            throw new RispProtocolException(RispError.DECODER_FAILED, "stream already failed: " + failure);
        }
        ByteBuffer src = in.isReadOnly() ? in.duplicate() : in.asReadOnlyBuffer();
        try {
            run(src, sink);
        } catch (RispProtocolException e) {
            state = State.FAILED;
            failure = e.getMessage();
            body = null;
            throw e;
        } finally {
            in.position(src.position());
        }
    }

    /** Convenience: feeds {@code bytes} and returns the commands completed by them. */
    public List<RispCommand> feed(byte[] bytes) {
        List<RispCommand> out = new ArrayList<>();
        feed(ByteBuffer.wrap(bytes), out::add);
        return out;
    }

    /** Declares the end of the stream: throws {@link RispError#TRUNCATED} if it ended inside a command. */
    public void finish() {
        if (state == State.FAILED) {
            throw new RispProtocolException(RispError.DECODER_FAILED, "stream already failed: " + failure);
        }
        if (state != State.ID || accHave != 0) {
            String where;
            switch (state) {
                case ID:
                    where = "inside a command id (1 of 2 bytes)";
                    break;
                case NUMBER:
                    where = "inside the " + need + "-byte integer of " + CommandIds.hex(id) + " (" + accHave
                            + " bytes received)";
                    break;
                case LENGTH:
                    where = "inside the " + need + "-byte length prefix of " + CommandIds.hex(id) + " (" + accHave
                            + " bytes received)";
                    break;
                default:
                    where = "inside the parameter of " + CommandIds.hex(id) + " (" + bodyFill + " of "
                            + bodyLength + " bytes received)";
            }
            RispProtocolException e = new RispProtocolException(RispError.TRUNCATED, "stream ended " + where);
            state = State.FAILED;
            failure = e.getMessage();
            body = null;
            throw e;
        }
    }

    /**
     * Asserts that the bytes fed so far end on a command boundary, without ending the stream (used where a
     * container, such as an encrypted frame, must hold whole commands). Throws {@link RispError#TRUNCATED} otherwise.
     */
    public void finishCommandBoundary() {
        if (state != State.FAILED && !isIdle()) {
            finish();
        }
    }

    /**
     * Bytes this decoder holds for a parameter split across feeds (0 between commands): at most twice what arrived
     * of it, or {@link #FIRST_GATHER_BYTES}, whatever its claimed length.
     */
    public int bufferedBytes() {
        return body == null ? 0 : body.length;
    }

    /** True between commands (nothing partial buffered). */
    public boolean isIdle() {
        return state == State.ID && accHave == 0;
    }

    private void run(ByteBuffer src, Sink sink) {
        while (true) {
            switch (state) {
                case ID:
                    if (!src.hasRemaining()) {
                        return;
                    }
                    if (accHave == 0 && src.remaining() >= 2) {
                        id = src.getShort() & 0xffff;
                    } else {
                        if (!accumulate(src, 2)) {
                            return;
                        }
                        id = (int) takeAcc();
                    }
                    startCommand(src, sink);
                    break;
                case NUMBER:
                    if (!accumulate(src, need)) {
                        return;
                    }
                    state = State.ID;
                    sink.accept(RispCommand.number(id, takeAcc()));
                    break;
                case LENGTH:
                    if (!accumulate(src, need)) {
                        return;
                    }
                    startBody(takeAcc(), src, sink);
                    break;
                case BODY:
                    int n = Math.min(bodyLength - bodyFill, src.remaining());
                    if (bodyFill + n > body.length) {
                        // Twice what has arrived: copies stay amortised (each byte moves at most twice, and a
                        // parameter whose first half has arrived is reserved whole), what is reserved stays within
                        // twice what arrived.
                        body = java.util.Arrays.copyOf(body, (int) Math.min(bodyLength, 2L * (bodyFill + n)));
                    }
                    src.get(body, bodyFill, n);
                    bodyFill += n;
                    if (bodyFill < bodyLength) {
                        return;
                    }
                    byte[] filled = body;
                    body = null;
                    state = State.ID;
                    sink.accept(RispCommand.owning(id, filled));
                    break;
                default:
                    throw new IllegalStateException("unreachable: " + state);
            }
        }
    }

    private void startCommand(ByteBuffer src, Sink sink) {
        if (registry != null) {
            CommandSpec spec = registry.lookup(id);
            if (spec == null) {
                if (!admitUnknown) {
                    throw new RispProtocolException(RispError.UNKNOWN_COMMAND, "unknown command " + CommandIds.hex(id));
                }
            } else if (!spec.direction().allows(travel)) {
                throw new RispProtocolException(RispError.WRONG_DIRECTION,
                        spec + " may not travel " + travel);
            }
        }
        if (id >= 0x8000 && id < 0xc000) {
            int prefix = 1 << ((id >>> 12) - 8);
            if (src.remaining() >= prefix) {
                startBody(readUnsigned(src, prefix), src, sink);
            } else {
                need = prefix;
                state = State.LENGTH;
            }
        } else if (id < 0x7000) {
            int width = 1 << ((id >>> 12) & 7);
            if (width > CommandIds.MAX_NUMERIC_WIDTH) {
                startBody(width, src, sink);
            } else if (src.remaining() >= width) {
                state = State.ID;
                sink.accept(RispCommand.number(id, readUnsigned(src, width)));
            } else {
                need = width;
                state = State.NUMBER;
            }
        } else {
            state = State.ID;
            sink.accept(RispCommand.number(id, 0));
        }
    }

    private void startBody(long length, ByteBuffer src, Sink sink) {
        if (length < 0) {
            throw new RispProtocolException(RispError.NEGATIVE_LENGTH, CommandIds.hex(id)
                    + " has a negative 8-byte length prefix (" + length + ")");
        }
        long limit = maxStringLength;
        if (registry != null) {
            CommandSpec spec = registry.lookup(id);
            if (spec != null && spec.kind() == ParamKind.STRING) {
                limit = Math.min(limit, spec.maxLength());
            }
        }
        if (length > limit && id >= 0x8000) {
            throw new RispProtocolException(RispError.LENGTH_OVER_LIMIT, CommandIds.hex(id) + " claims "
                    + Long.toUnsignedString(length) + " bytes, the limit is " + limit);
        }
        int len = (int) length;
        if (copyStrings && src.remaining() >= len) {
            byte[] copy = new byte[len];
            src.get(copy);
            state = State.ID;
            sink.accept(RispCommand.owning(id, copy));
        } else if (src.remaining() >= len) {
            ByteBuffer view = src.slice(src.position(), len);
            src.position(src.position() + len);
            state = State.ID;
            sink.accept(RispCommand.viewing(id, view));
        } else {
            // Only what arrived (or a small first block) is reserved, never the claim: see bufferedBytes().
            body = new byte[(int) Math.min(len, Math.max(FIRST_GATHER_BYTES, 2L * src.remaining()))];
            bodyLength = len;
            bodyFill = 0;
            state = State.BODY;
        }
    }

    private boolean accumulate(ByteBuffer src, int n) {
        while (accHave < n && src.hasRemaining()) {
            acc = (acc << 8) | (src.get() & 0xff);
            accHave++;
        }
        return accHave == n;
    }

    private long takeAcc() {
        long v = acc;
        acc = 0;
        accHave = 0;
        return v;
    }

    private static long readUnsigned(ByteBuffer src, int width) {
        switch (width) {
            case 1:
                return src.get() & 0xffL;
            case 2:
                return src.getShort() & 0xffffL;
            case 4:
                return src.getInt() & 0xffffffffL;
            default:
                return src.getLong();
        }
    }

    /** Configuration of a decoder. */
    public static final class Builder {
        private int maxStringLength = DEFAULT_MAX_STRING_LENGTH;
        private CommandRegistry registry;
        private Direction travel = Direction.CLIENT_TO_SERVER;
        private boolean copyStrings;
        private boolean admitUnknown;

        private Builder() {
        }

        /**
         * With a {@link #registry}: an id the registry does not define is still framed by its type bits (within
         * {@link #maxStringLength}) and delivered, for a layer that answers it (a server's dispatcher answers
         * {@code UNKNOWN_COMMAND} and the session goes on, docs/PROTOCOL.md section 7). Registered ids keep their
         * direction and their own length limit.
         */
        public Builder admitUnknown(boolean admit) {
            this.admitUnknown = admit;
            return this;
        }

        /**
         * Copy every string parameter into an array of its own instead of viewing the fed buffer, so the feeder may
         * reuse or release its buffer as soon as {@link #feed} returns (a pooled network buffer, a reused read
         * array). Each string is then copied exactly once, and its command offers {@link RispCommand#ownedBytes}.
         */
        public Builder copyStrings(boolean copy) {
            this.copyStrings = copy;
            return this;
        }

        /** Largest string parameter accepted (bytes); a longer claim is {@link RispError#LENGTH_OVER_LIMIT}. */
        public Builder maxStringLength(int bytes) {
            if (bytes < 0 || bytes > MAX_STRING_LENGTH_CEILING) {
                throw new IllegalArgumentException("maxStringLength must be 0.." + MAX_STRING_LENGTH_CEILING);
            }
            this.maxStringLength = bytes;
            return this;
        }

        /**
         * Strict mode: only commands of {@code registry} that may travel in {@code travel} are accepted, and each
         * string is also held to its command's own {@link CommandSpec#maxLength()}.
         */
        public Builder registry(CommandRegistry registry, Direction travel) {
            this.registry = Objects.requireNonNull(registry, "registry");
            if (travel == Direction.BOTH) {
                throw new IllegalArgumentException("a stream travels one way: CLIENT_TO_SERVER or SERVER_TO_CLIENT");
            }
            this.travel = Objects.requireNonNull(travel, "travel");
            return this;
        }

        public RispDecoder build() {
            return new RispDecoder(this);
        }
    }
}
