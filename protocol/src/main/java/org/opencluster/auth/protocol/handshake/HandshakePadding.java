package org.opencluster.auth.protocol.handshake;

import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.PADDING;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.opencluster.auth.protocol.risp.RispCommand;

/**
 * The PADDING field of protocol version 3 (docs/PROTOCOL.md section 5.3.12): the last field of LOGIN_REQUEST and
 * LOGIN_PROOF, zero bytes, as long as it takes to make the message's bytes exactly its size class. A frame's size
 * is its plaintext's plus a constant, so an eavesdropper then sees one LOGIN_REQUEST size for every username (1-255
 * bytes, with any extension and a device token as this server issues them, 41 bytes; only a name over 234 bytes
 * with a 255-byte token takes the next size) and one proof-flight size per suite for every proof kind and key type.
 */
public final class HandshakePadding {
    /** LOGIN_REQUEST message bytes, PADDING included. */
    public static final int LOGIN_REQUEST_BYTES = 512;
    /** LOGIN_PROOF message bytes, PADDING included: the largest proof (8 192 bytes of WebAuthn JSON) fits. */
    public static final int LOGIN_PROOF_BYTES = 8448;
    /** A message too long for its class (only a LOGIN_REQUEST with a long name and a long device token) grows by this. */
    public static final int STEP = 256;
    /** PADDING's own id and length prefix. */
    private static final int FIELD_OVERHEAD = 4;

    private HandshakePadding() {
    }

    /** The size a message of {@code unpaddedBytes} (without PADDING) is padded to, PADDING included. */
    public static int paddedSize(int sizeClass, int unpaddedBytes) {
        int least = unpaddedBytes + FIELD_OVERHEAD;
        return least <= sizeClass ? sizeClass : (least + STEP - 1) / STEP * STEP;
    }

    /** The zero padding bytes that make a message of {@code unpaddedBytes} exactly {@link #paddedSize} long. */
    public static byte[] zeros(int sizeClass, int unpaddedBytes) {
        return new byte[paddedSize(sizeClass, unpaddedBytes) - unpaddedBytes - FIELD_OVERHEAD];
    }

    /**
     * Whether {@code padding}, the parameter of a PADDING field that ends a message of {@code totalBytes} (the field
     * included), is all zero and makes the message exactly its size. Reads every byte (no early exit).
     */
    public static boolean fits(int sizeClass, int totalBytes, byte[] padding) {
        int nonZero = 0;
        for (byte b : padding) {
            nonZero |= b;
        }
        return nonZero == 0 && totalBytes == paddedSize(sizeClass, totalBytes - FIELD_OVERHEAD - padding.length);
    }

    /** The message with PADDING appended so that it is exactly {@link #paddedSize} bytes long. */
    public static HandshakeMessage pad(int marker, int sizeClass, RispCommand... fields) {
        int unpadded = HandshakeMessage.of(marker, fields).encode().length;
        List<RispCommand> padded = new ArrayList<>(Arrays.asList(fields));
        padded.add(RispCommand.string(PADDING, zeros(sizeClass, unpadded)));
        return HandshakeMessage.of(marker, padded.toArray(new RispCommand[0]));
    }

    /**
     * Checks a received message of version 3: PADDING present, all zero, and the message exactly its size.
     *
     * @throws HandshakeException MALFORMED_MESSAGE otherwise (a sender that pads wrongly leaks what padding hides)
     */
    public static void check(HandshakeMessage m, int sizeClass) throws HandshakeException {
        if (!m.has(PADDING)) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "version 3 pads this message (PADDING)");
        }
        byte[] padding = m.bytes(PADDING);
        int total = m.encode().length;
        int unpadded = total - FIELD_OVERHEAD - padding.length;
        if (!fits(sizeClass, total, padding)) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "PADDING must be zeros making the message "
                    + paddedSize(sizeClass, unpadded) + " bytes; it is " + total);
        }
    }
}
