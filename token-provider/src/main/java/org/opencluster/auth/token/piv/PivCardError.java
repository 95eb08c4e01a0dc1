package org.opencluster.auth.token.piv;

/** What went wrong talking to a PIV card; each value says what the caller can do about it. */
public enum PivCardError {
    /** The PIN (or PUK) was wrong; {@link PivCardException#triesLeft()} says how many tries remain. */
    WRONG_PIN,
    /** The PIN (or PUK) try counter is exhausted: unblock the PIN with the PUK, or reset the PIV application. */
    BLOCKED,
    /** The card refused: verify the PIN or authenticate with the management key first. */
    SECURITY_STATUS_NOT_SATISFIED,
    /** The card has no such object or key (slot empty, certificate not written). */
    NOT_FOUND,
    /** The card rejected the command (status word in {@link PivCardException#statusWord()}). */
    REJECTED,
    /** The card's answer does not parse; the card or the reader is not a working PIV card. */
    MALFORMED_RESPONSE,
    /** The card left the reader (or was reset by another program) while in use: insert it and connect again. */
    CARD_REMOVED,
    /** The reader or the PC/SC service failed (reader unplugged, pcscd stopped). */
    TRANSPORT,
    /** The caller passed an argument this client cannot encode (wrong PIN length, unknown slot). */
    INVALID_ARGUMENT
}
