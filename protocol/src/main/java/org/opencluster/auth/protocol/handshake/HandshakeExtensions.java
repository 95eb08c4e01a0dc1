package org.opencluster.auth.protocol.handshake;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Optional;
import org.opencluster.auth.protocol.pake.CredentialRequest;
import org.opencluster.auth.protocol.pake.OpaqueP256;
import org.opencluster.auth.protocol.pake.PakeException;

/**
 * The EXTENSIONS field of a handshake message (docs/PROTOCOL.md section 5): {@code u16 type, u16 length, data},
 * repeated, types strictly increasing. The one parser and the one writer of the layout, for both sides: the
 * server's checks, its cookie round and device token, and the client's LOGIN_REQUEST and cookie retry read and
 * write the same list the same way (and one fuzz target covers the parser).
 */
public final class HandshakeExtensions {
    /** Bit of {@link #check}'s answer: the (empty) ENROLMENT extension is present. */
    public static final int ENROLMENT_REQUESTED = 1;
    /** Bit of {@link #check}'s answer: the (empty) WEBAUTHN extension is present. */
    public static final int WEBAUTHN_REQUESTED = 2;

    private HandshakeExtensions() {
    }

    /**
     * Checks the layout: every header complete, every data inside the field, types strictly increasing; ENROLMENT
     * and WEBAUTHN empty; other types are not looked at here. Returns which of ENROLMENT and WEBAUTHN are present.
     */
    public static int check(byte[] ext) throws HandshakeException {
        int requested = 0;
        int i = 0;
        int last = -1;
        while (i < ext.length) {
            if (ext.length - i < 4) {
                throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "truncated extension header");
            }
            int type = type(ext, i);
            int len = length(ext, i);
            if (type <= last || ext.length - i - 4 < len) {
                throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "extensions out of order or truncated");
            }
            last = type;
            if (type == HandshakeLabels.EXTENSION_ENROLMENT) {
                requireEmpty(len, "the enrolment extension is empty");
                requested |= ENROLMENT_REQUESTED;
            }
            if (type == HandshakeLabels.EXTENSION_WEBAUTHN) {
                requireEmpty(len, "the WebAuthn extension is empty");
                requested |= WEBAUTHN_REQUESTED;
            }
            i += 4 + len;
        }
        return requested;
    }

    /** The data of the extension of this type, or empty when absent. Call after {@link #check}. */
    public static Optional<byte[]> find(byte[] ext, int type) {
        for (int i = 0; i + 4 <= ext.length; i += 4 + length(ext, i)) {
            if (type(ext, i) == type) {
                return Optional.of(Arrays.copyOfRange(ext, i + 4, i + 4 + length(ext, i)));
            }
        }
        return Optional.empty();
    }

    /** The list without the extension of this type (the same array when absent). Call after {@link #check}. */
    public static byte[] without(byte[] ext, int type) {
        for (int i = 0; i + 4 <= ext.length; i += 4 + length(ext, i)) {
            if (type(ext, i) == type) {
                int end = i + 4 + length(ext, i);
                byte[] kept = Arrays.copyOf(ext, ext.length - (end - i));
                System.arraycopy(ext, end, kept, i, ext.length - end);
                return kept;
            }
        }
        return ext;
    }

    /**
     * The data of the DEVICE_TOKEN extension (empty data: the client keeps tokens but has none for this server and
     * name), or empty when the extension is absent. Call after {@link #check}.
     */
    public static Optional<byte[]> deviceToken(byte[] ext) throws HandshakeException {
        Optional<byte[]> token = find(ext, HandshakeLabels.EXTENSION_DEVICE_TOKEN);
        if (token.isPresent() && token.get().length > HandshakeCommands.MAX_DEVICE_TOKEN) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "a device token is at most "
                    + HandshakeCommands.MAX_DEVICE_TOKEN + " bytes");
        }
        return token;
    }

    /**
     * The OPRF extension's CredentialRequest (section 5.3.2, the blinded element), or empty when the client does
     * not speak the OPRF step. Its data is exactly 33 bytes and a P-256 point (RFC 9497 DeserializeElement), else
     * MALFORMED_MESSAGE. Call after {@link #check}.
     */
    public static Optional<CredentialRequest> oprfRequest(byte[] ext) throws HandshakeException {
        Optional<byte[]> data = find(ext, HandshakeLabels.EXTENSION_OPRF);
        if (data.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(CredentialRequest.deserialize(data.get()));
        } catch (PakeException e) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "the OPRF extension is a compressed"
                    + " P-256 element of " + OpaqueP256.NOE + " bytes: " + e.getMessage());
        }
    }

    /** A writer of the layout; extensions must be added in increasing type order. */
    public static Writer writer() {
        return new Writer();
    }

    /** Builds an EXTENSIONS field; refuses what {@link #check} would refuse (order, lengths). */
    public static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int last = -1;

        private Writer() {
        }

        public Writer add(int type, byte[] data) {
            if (type <= last || type > 0xffff || data.length > 0xffff) {
                throw new IllegalArgumentException("extensions go in strictly increasing type order, u16 lengths");
            }
            last = type;
            out.write(type >>> 8);
            out.write(type);
            out.write(data.length >>> 8);
            out.write(data.length);
            out.writeBytes(data);
            return this;
        }

        public byte[] toBytes() {
            return out.toByteArray();
        }
    }

    private static void requireEmpty(int len, String what) throws HandshakeException {
        if (len != 0) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, what);
        }
    }

    private static int type(byte[] ext, int at) {
        return ((ext[at] & 0xff) << 8) | (ext[at + 1] & 0xff);
    }

    private static int length(byte[] ext, int at) {
        return ((ext[at + 2] & 0xff) << 8) | (ext[at + 3] & 0xff);
    }
}
