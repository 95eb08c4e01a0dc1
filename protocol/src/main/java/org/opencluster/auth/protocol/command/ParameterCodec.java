package org.opencluster.auth.protocol.command;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.opencluster.auth.protocol.risp.CommandSpec;
import org.opencluster.auth.protocol.risp.ParamKind;
import org.opencluster.auth.protocol.risp.RispCommand;

/**
 * The layout of composite string parameters (docs/PROTOCOL.md section 8): {@code u8} values, fixed-size values and
 * {@code u16 length || bytes} fields, in the order the command's spec documents. {@link Writer} builds one for the
 * client, {@link Reader} takes one apart for the server; both hold the whole parameter to the command's
 * {@link CommandSpec#maxLength()}, and the reader refuses a parameter cut short, a length past the end, or bytes
 * after the last field. The typed records next to each spec (e.g. {@link EnrolCommands.EnrolAccount}) use these.
 */
public final class ParameterCodec {
    /** Largest field a u16 length prefix can describe. */
    public static final int MAX_FIELD = 0xffff;

    private ParameterCodec() {
    }

    public static Writer writer(CommandSpec spec) {
        return new Writer(spec);
    }

    public static Reader reader(CommandSpec spec, ByteBuffer parameter) throws MalformedParameterException {
        return new Reader(spec, parameter);
    }

    /** Builds one parameter; a value that cannot be encoded is a caller's mistake (IllegalArgumentException). */
    public static final class Writer {
        private final CommandSpec spec;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        private Writer(CommandSpec spec) {
            if (spec.kind() != ParamKind.STRING) {
                throw new IllegalArgumentException(spec + " has no composite parameter");
            }
            this.spec = spec;
        }

        public Writer u8(int value) {
            if (value < 0 || value > 0xff) {
                throw new IllegalArgumentException(spec.name() + ": " + value + " does not fit a u8");
            }
            out.write(value);
            return this;
        }

        /** Bytes of a length both sides know (no prefix). */
        public Writer fixed(byte[] value) {
            out.writeBytes(value);
            return this;
        }

        /** {@code u16 length || value}. */
        public Writer field(String what, byte[] value) {
            if (value.length > MAX_FIELD) {
                throw new IllegalArgumentException(spec.name() + ": the " + what + " has " + value.length
                        + " bytes, a u16 length allows " + MAX_FIELD);
            }
            out.write(value.length >>> 8);
            out.write(value.length & 0xff);
            out.writeBytes(value);
            return this;
        }

        /** The parameter; longer than the spec allows is refused here, before it is sent. */
        public byte[] toBytes() {
            if (out.size() > spec.maxLength()) {
                throw new IllegalArgumentException(spec.name() + " takes at most " + spec.maxLength()
                        + " bytes, the fields make " + out.size());
            }
            return out.toByteArray();
        }

        public RispCommand toCommand() {
            return RispCommand.string(spec.id(), toBytes());
        }
    }

    /** Takes one parameter apart in order; {@link #end()} checks that nothing follows the last field. */
    public static final class Reader {
        private final CommandSpec spec;
        private final ByteBuffer in;

        private Reader(CommandSpec spec, ByteBuffer parameter) throws MalformedParameterException {
            this.spec = spec;
            this.in = parameter.slice();
            if (in.remaining() > spec.maxLength()) {
                throw malformed("has " + in.remaining() + " bytes, at most " + spec.maxLength() + " are allowed");
            }
        }

        /** A u8 from 0 to {@code max}. */
        public int u8(String what, int max) throws MalformedParameterException {
            if (!in.hasRemaining()) {
                throw malformed("is cut short before the " + what);
            }
            int v = in.get() & 0xff;
            if (v > max) {
                throw malformed("has " + what + " " + v + ", at most " + max + " is defined");
            }
            return v;
        }

        public byte[] fixed(String what, int length) throws MalformedParameterException {
            if (in.remaining() < length) {
                throw malformed("is cut short in the " + what + " (" + length + " bytes)");
            }
            byte[] b = new byte[length];
            in.get(b);
            return b;
        }

        /** A {@code u16 length || bytes} field, the length checked against what is left before anything is read. */
        public byte[] field(String what) throws MalformedParameterException {
            if (in.remaining() < 2) {
                throw malformed("is cut short before the length of the " + what);
            }
            int n = in.getShort() & 0xffff;
            if (n > in.remaining()) {
                throw malformed("is cut short in the " + what + " (" + n + " bytes announced, " + in.remaining()
                        + " left)");
            }
            byte[] b = new byte[n];
            in.get(b);
            return b;
        }

        /**
         * A last fixed-length field that may be absent: null when nothing is left, else exactly {@code length} bytes
         * (fewer is cut short; more is refused by {@link #end()}).
         */
        public byte[] optionalFixed(String what, int length) throws MalformedParameterException {
            return in.hasRemaining() ? fixed(what, length) : null;
        }

        /** Everything left, as a view (for a last field without prefix, such as a name). */
        public ByteBuffer rest() {
            ByteBuffer r = in.slice();
            in.position(in.limit());
            return r;
        }

        public void end() throws MalformedParameterException {
            if (in.hasRemaining()) {
                throw malformed("has " + in.remaining() + " bytes after its last field");
            }
        }

        public MalformedParameterException malformed(String what) {
            return new MalformedParameterException(spec.name() + " " + what);
        }
    }
}
