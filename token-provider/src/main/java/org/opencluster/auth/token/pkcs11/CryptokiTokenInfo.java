package org.opencluster.auth.token.pkcs11;

import org.opencluster.auth.token.PinStatus;

/**
 * The parts of a slot's CK_TOKEN_INFO used to select a token and report PIN state (strings trimmed of padding).
 */
record CryptokiTokenInfo(long slotId, String label, String manufacturer, String model, String serial, long flags) {
    static final long CKF_LOGIN_REQUIRED = 0x4L;
    static final long CKF_USER_PIN_INITIALIZED = 0x8L;
    static final long CKF_PROTECTED_AUTHENTICATION_PATH = 0x100L;
    static final long CKF_TOKEN_INITIALIZED = 0x400L;
    static final long CKF_USER_PIN_COUNT_LOW = 0x10000L;
    static final long CKF_USER_PIN_FINAL_TRY = 0x20000L;
    static final long CKF_USER_PIN_LOCKED = 0x40000L;

    boolean has(long flag) {
        return (flags & flag) != 0;
    }

    PinStatus pinStatus() {
        return new PinStatus(-1, has(CKF_USER_PIN_COUNT_LOW), has(CKF_USER_PIN_FINAL_TRY), has(CKF_USER_PIN_LOCKED));
    }

    /** How the token is named in messages: label and serial, both public. */
    String describe() {
        return "'" + label + "' (serial " + serial + ", slot " + slotId + ")";
    }
}
