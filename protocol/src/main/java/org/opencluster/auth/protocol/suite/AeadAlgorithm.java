package org.opencluster.auth.protocol.suite;

/** The record protection of a suite. Both use 256-bit keys, 96-bit nonces and 128-bit tags. */
public enum AeadAlgorithm {
    AES_256_GCM("AES-256-GCM"),
    CHACHA20_POLY1305("ChaCha20-Poly1305");

    /** Key length in bytes. */
    public static final int KEY_LENGTH = 32;
    /** Nonce (and static IV) length in bytes. */
    public static final int NONCE_LENGTH = 12;
    /** Authentication tag length in bytes. */
    public static final int TAG_LENGTH = 16;

    private final String displayName;

    AeadAlgorithm(String displayName) {
        this.displayName = displayName;
    }

    public String displayName() {
        return displayName;
    }

    public int keyLength() {
        return KEY_LENGTH;
    }

    public int nonceLength() {
        return NONCE_LENGTH;
    }

    public int tagLength() {
        return TAG_LENGTH;
    }
}
