package org.opencluster.auth.token;

/** Private-key operations a {@link Token} may support. */
public enum TokenOperation {
    /** {@link Token#sign}. */
    SIGN,
    /** {@link Token#agree} (ECDH, X25519). */
    KEY_AGREEMENT,
    /** {@link Token#decrypt} (RSA-OAEP). */
    DECRYPT
}
