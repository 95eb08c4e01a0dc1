package org.opencluster.auth.token;

/**
 * What a token reports about remaining PIN attempts (PKCS#11 CK_TOKEN_INFO flags or a card's retry counter).
 *
 * @param retriesLeft exact number of attempts left, or -1 when the token does not say
 * @param countLow    CKF_USER_PIN_COUNT_LOW: at least one wrong PIN since the last success
 * @param finalTry    CKF_USER_PIN_FINAL_TRY: the next wrong PIN locks the token
 * @param locked      CKF_USER_PIN_LOCKED
 */
public record PinStatus(int retriesLeft, boolean countLow, boolean finalTry, boolean locked) {
    /** Nothing is known. */
    public static final PinStatus UNKNOWN = new PinStatus(-1, false, false, false);

    /** A short human description, e.g. "2 attempts left" or "final attempt before the PIN locks". */
    public String describe() {
        if (locked) {
            return "PIN is locked";
        }
        if (finalTry || retriesLeft == 1) {
            return "final attempt before the PIN locks";
        }
        if (retriesLeft >= 0) {
            return retriesLeft + " attempts left";
        }
        if (countLow) {
            return "the token reports a low remaining attempt count";
        }
        return "the token does not report remaining attempts";
    }
}
