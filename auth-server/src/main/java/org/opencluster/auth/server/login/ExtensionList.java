package org.opencluster.auth.server.login;

import java.util.Arrays;
import java.util.Optional;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.HandshakeLabels;

/**
 * The EXTENSIONS field of a client's handshake message (docs/PROTOCOL.md section 5): {@code u16 type, u16 length,
 * data}, repeated, types strictly increasing. One parser for the layout, so the server's checks, the cookie round
 * and the device token read the same list the same way (and one fuzz target covers it).
 */
final class ExtensionList {
    /** Bit of {@link #check}'s answer: the (empty) ENROLMENT extension is present. */
    static final int ENROLMENT_REQUESTED = 1;
    /** Bit of {@link #check}'s answer: the (empty) WEBAUTHN extension is present. */
    static final int WEBAUTHN_REQUESTED = 2;

    private ExtensionList() {
    }

    /**
     * Checks the layout: every header complete, every data inside the field, types strictly increasing; ENROLMENT
     * and WEBAUTHN empty; other types are not looked at here. Returns which of ENROLMENT and WEBAUTHN are present.
     */
    static int check(byte[] ext) throws HandshakeException {
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
                if (len != 0) {
                    throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "the enrolment extension is empty");
                }
                requested |= ENROLMENT_REQUESTED;
            }
            if (type == HandshakeLabels.EXTENSION_WEBAUTHN) {
                if (len != 0) {
                    throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "the WebAuthn extension is empty");
                }
                requested |= WEBAUTHN_REQUESTED;
            }
            i += 4 + len;
        }
        return requested;
    }

    /** The data of the extension of this type, or empty when absent. Call after {@link #check}. */
    static Optional<byte[]> find(byte[] ext, int type) {
        for (int i = 0; i + 4 <= ext.length; i += 4 + length(ext, i)) {
            if (type(ext, i) == type) {
                return Optional.of(Arrays.copyOfRange(ext, i + 4, i + 4 + length(ext, i)));
            }
        }
        return Optional.empty();
    }

    /** The list without the extension of this type (the same array when absent). Call after {@link #check}. */
    static byte[] without(byte[] ext, int type) {
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

    private static int type(byte[] ext, int at) {
        return ((ext[at] & 0xff) << 8) | (ext[at + 1] & 0xff);
    }

    private static int length(byte[] ext, int at) {
        return ((ext[at + 2] & 0xff) << 8) | (ext[at + 3] & 0xff);
    }
}
