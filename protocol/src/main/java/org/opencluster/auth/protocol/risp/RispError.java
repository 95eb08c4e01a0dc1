package org.opencluster.auth.protocol.risp;

/** Why the codec rejected a stream. The numeric codes are part of the protocol (docs/PROTOCOL.md). */
public enum RispError {
    /** A string length prefix above the configured or per-command limit. */
    LENGTH_OVER_LIMIT(0x01),
    /** An 8-byte length prefix with the top bit set (a negative signed length). */
    NEGATIVE_LENGTH(0x02),
    /** The stream ended inside a command. */
    TRUNCATED(0x03),
    /** A command id the registry does not know, with a registry in strict mode. */
    UNKNOWN_COMMAND(0x04),
    /** A command the registry knows, but not for this direction of travel. */
    WRONG_DIRECTION(0x05),
    /** The decoder already failed; a failed stream is never resumed. */
    DECODER_FAILED(0x06);

    private final int code;

    RispError(int code) {
        this.code = code;
    }

    /** The wire code of this error. */
    public int code() {
        return code;
    }
}
