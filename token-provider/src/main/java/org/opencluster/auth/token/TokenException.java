package org.opencluster.auth.token;

import java.util.Objects;

/**
 * A token operation failed. The message says what went wrong and what to do; it never contains a PIN, a passphrase
 * or key material (callers must not put them in, and implementations only pass labels, URIs without pin-value and
 * PKCS#11 return-value names).
 */
public final class TokenException extends Exception {
    private static final long serialVersionUID = 1L;

    private final TokenError error;
    private final PinStatus pinStatus;

    public TokenException(TokenError error, String message) {
        this(error, message, PinStatus.UNKNOWN, null);
    }

    public TokenException(TokenError error, String message, Throwable cause) {
        this(error, message, PinStatus.UNKNOWN, cause);
    }

    public TokenException(TokenError error, String message, PinStatus pinStatus, Throwable cause) {
        super(error + ": " + message, cause);
        this.error = Objects.requireNonNull(error);
        this.pinStatus = Objects.requireNonNull(pinStatus);
    }

    public TokenError error() {
        return error;
    }

    /** PIN retry information for {@link TokenError#WRONG_PIN} / {@link TokenError#PIN_LOCKED}. */
    public PinStatus pinStatus() {
        return pinStatus;
    }
}
