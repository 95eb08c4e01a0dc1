package org.opencluster.auth.protocol.handshake;

import java.nio.ByteBuffer;

/**
 * The ENVELOPE field: {@code u16 length || envelope || zero padding}, always exactly the server's configured size,
 * so real envelopes, service accounts and decoys for unknown usernames all look the same on the wire.
 */
public final class EnvelopeField {
    /** The {@code u16} length before the envelope: an envelope may be at most the field length minus this. */
    public static final int LENGTH_PREFIX = 2;

    private EnvelopeField() {
    }

    public static byte[] pad(byte[] envelope, int fieldLength) {
        if (envelope.length > fieldLength - LENGTH_PREFIX) {
            throw new IllegalArgumentException("an envelope of " + envelope.length + " bytes does not fit the "
                    + fieldLength + "-byte ENVELOPE field; raise the server's envelope field length");
        }
        return ByteBuffer.allocate(fieldLength).putShort((short) envelope.length).put(envelope).array();
    }

    /** The envelope inside a received field; the padding must be zeros. */
    public static byte[] unpad(byte[] field) throws HandshakeException {
        if (field.length < 2) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "ENVELOPE shorter than its length prefix");
        }
        int n = ((field[0] & 0xff) << 8) | (field[1] & 0xff);
        if (n > field.length - 2) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "ENVELOPE length " + n + " overruns the field");
        }
        int nonZero = 0;
        for (int i = 2 + n; i < field.length; i++) {
            nonZero |= field[i];
        }
        if (nonZero != 0) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "ENVELOPE padding is not zero");
        }
        return java.util.Arrays.copyOfRange(field, 2, 2 + n);
    }
}
