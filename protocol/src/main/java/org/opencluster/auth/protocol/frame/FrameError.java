package org.opencluster.auth.protocol.frame;

/**
 * Why the record layer refused a frame. Every one of these ends the channel (fail closed): the session must be
 * closed and, if wanted, re-established with a new handshake. Codes are stable (docs/PROTOCOL.md, section 5.7).
 */
public enum FrameError {
    /** The tag did not verify at the expected sequence number: tampered, replayed, reordered or dropped. */
    AUTHENTICATION_FAILED(0x01),
    /** The ciphertext length disagrees with LENGTH_OF_UNCRYPTED + tag: the frame was cut or padded. */
    LENGTH_MISMATCH(0x02),
    /** LENGTH_OF_UNCRYPTED above the negotiated maximum frame plaintext. */
    FRAME_TOO_LARGE(0x03),
    /** The stream ended without an authenticated close frame: data may have been cut off. */
    TRUNCATED(0x04),
    /** The frame header is not WRAPPED_ENCRYPTED_COMMAND/CLOSE, LENGTH_OF_UNCRYPTED, ENCRYPTED_STRING. */
    MALFORMED_HEADER(0x05),
    /** A frame arrived after the peer's authenticated close frame. */
    FRAME_AFTER_CLOSE(0x06),
    /** The 64-bit sequence number would wrap (cannot happen with a sane key-update limit). */
    SEQUENCE_EXHAUSTED(0x07),
    /** The channel already failed; nothing more is accepted. */
    CHANNEL_FAILED(0x08);

    private final int code;

    FrameError(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
