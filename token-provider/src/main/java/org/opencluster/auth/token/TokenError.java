package org.opencluster.auth.token;

/** What went wrong in a token operation; the stable part of a {@link TokenException}. */
public enum TokenError {
    /** The PIN was rejected; see {@link TokenException#pinStatus()} for what the token says about retries. */
    WRONG_PIN,
    /** The user PIN is locked; only the security officer (PUK/SO PIN) can unblock it. */
    PIN_LOCKED,
    /** No PIN could be read from the configured source (empty file, unset variable, no console). */
    PIN_UNAVAILABLE,
    /** No token matching the URI is present. */
    TOKEN_ABSENT,
    /** More than one token matches the URI; add serial= or token= to choose one. */
    TOKEN_AMBIGUOUS,
    /** The token went away (removed, reset, storage deleted) while in use; open it again. */
    TOKEN_REMOVED,
    /** No private key matches the URI. */
    KEY_NOT_FOUND,
    /** The key has no certificate where one is required. */
    CERTIFICATE_NOT_FOUND,
    /** The key, token or module cannot perform the requested algorithm. */
    MECHANISM_UNSUPPORTED,
    /** The PKCS#11 module library does not exist or cannot be loaded. */
    MODULE_MISSING,
    /** The PKCS#11 URI is malformed or uses an unsupported attribute. */
    INVALID_URI,
    /** A ciphertext could not be decrypted with this key. */
    DECRYPTION_FAILED,
    /** The peer public key is of the wrong type or not on the token's curve. */
    INVALID_PEER_KEY,
    /** The passphrase does not open the envelope. */
    WRONG_PASSPHRASE,
    /** The envelope is not a well-formed envelope of a supported version. */
    ENVELOPE_CORRUPT,
    /** The envelope is authentic but belongs to a different account. */
    WRONG_ACCOUNT,
    /** The key-derivation parameters are below the accepted floor (or above the accepted ceiling). */
    KDF_TOO_WEAK,
    /** The token has been closed. */
    TOKEN_CLOSED,
    /** The token or module reported an unexpected failure. */
    DEVICE_ERROR
}
