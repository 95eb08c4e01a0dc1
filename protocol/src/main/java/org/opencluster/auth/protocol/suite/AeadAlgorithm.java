package org.opencluster.auth.protocol.suite;

import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import java.util.function.Function;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;

/**
 * The record protection of a suite, with everything the record layer needs to know about it: the JCA
 * transformation and key algorithm, the key, nonce and tag lengths, and how a per-record nonce becomes the
 * cipher's parameters. The record layer asks these instead of branching on the constant, so a new AEAD is one
 * constant here (docs/PROTOCOL.md, section 5.2).
 */
public enum AeadAlgorithm {
    AES_256_GCM("AES-256-GCM", "AES/GCM/NoPadding", "AES", 32, 12, 16,
            nonce -> new GCMParameterSpec(16 * 8, nonce), false),
    CHACHA20_POLY1305("ChaCha20-Poly1305", "ChaCha20-Poly1305", "ChaCha20", 32, 12, 16, IvParameterSpec::new, true);

    /**
     * The per-record nonce is the static IV XOR the 64-bit sequence number (section 5.4.4), so a nonce shorter
     * than this cannot carry the sequence.
     */
    public static final int MIN_NONCE_LENGTH = 8;

    private final String displayName;
    private final String transformation;
    private final String keyAlgorithm;
    private final int keyLength;
    private final int nonceLength;
    private final int tagLength;
    private final Function<byte[], AlgorithmParameterSpec> nonceParameters;
    private final boolean jdk17CopiesOffsetInput;

    AeadAlgorithm(String displayName, String transformation, String keyAlgorithm, int keyLength, int nonceLength,
            int tagLength, Function<byte[], AlgorithmParameterSpec> nonceParameters, boolean jdk17CopiesOffsetInput) {
        this.displayName = displayName;
        this.transformation = transformation;
        this.keyAlgorithm = keyAlgorithm;
        this.keyLength = keyLength;
        this.nonceLength = nonceLength;
        this.tagLength = tagLength;
        this.nonceParameters = nonceParameters;
        this.jdk17CopiesOffsetInput = jdk17CopiesOffsetInput;
    }

    public String displayName() {
        return displayName;
    }

    /** JCA transformation ({@code Cipher.getInstance}). */
    public String transformation() {
        return transformation;
    }

    /** JCA key algorithm ({@code SecretKeySpec}). */
    public String keyAlgorithm() {
        return keyAlgorithm;
    }

    /** Key length in bytes. */
    public int keyLength() {
        return keyLength;
    }

    /** Nonce (and static IV) length in bytes. */
    public int nonceLength() {
        return nonceLength;
    }

    /** Authentication tag length in bytes: what a frame's ciphertext carries beyond its plaintext. */
    public int tagLength() {
        return tagLength;
    }

    /** The cipher parameters for one record's nonce ({@link #nonceLength()} bytes; the spec keeps a copy). */
    public AlgorithmParameterSpec parameters(byte[] nonce) {
        return nonceParameters.apply(nonce);
    }

    /**
     * Whether the JDK's decryption before 25 copies the whole input into a growing buffer unless it starts at array
     * offset 0 (ChaCha20-Poly1305 on 17: measured 35 KB allocated per 16 KiB open, 2.3 KB on 25); the record layer
     * then copies once into a scratch array of its own.
     */
    public boolean copiesOffsetInput() {
        return jdk17CopiesOffsetInput && Runtime.version().feature() < 25;
    }

    /** A fresh, uninitialised cipher of this AEAD. */
    public Cipher newCipher() throws GeneralSecurityException {
        return Cipher.getInstance(transformation);
    }
}
