package org.opencluster.auth.protocol.risp;

/**
 * The one exception type of the RISP codec: every malformed, oversized or truncated input ends here, never in an
 * {@link OutOfMemoryError}, an {@link IndexOutOfBoundsException} or another runtime exception.
 */
public final class RispProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final RispError error;

    public RispProtocolException(RispError error, String message) {
        super(error + ": " + message);
        this.error = error;
    }

    public RispError error() {
        return error;
    }
}
