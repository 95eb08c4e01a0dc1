package org.opencluster.auth.token.piv;

/** A PIV card operation failed; {@link #error()} classifies it, messages never contain PINs or keys. */
public final class PivCardException extends Exception {
    private static final long serialVersionUID = 1L;

    private final PivCardError error;
    private final int statusWord;
    private final int triesLeft;

    public PivCardException(PivCardError error, String message, int statusWord, int triesLeft, Throwable cause) {
        super(message, cause);
        this.error = error;
        this.statusWord = statusWord;
        this.triesLeft = triesLeft;
    }

    public PivCardException(PivCardError error, String message) {
        this(error, message, -1, -1, null);
    }

    public PivCardError error() {
        return error;
    }

    /** The card's status word, or -1 when the failure did not come from the card. */
    public int statusWord() {
        return statusWord;
    }

    /** Tries left for {@link PivCardError#WRONG_PIN}, else -1. */
    public int triesLeft() {
        return triesLeft;
    }
}
