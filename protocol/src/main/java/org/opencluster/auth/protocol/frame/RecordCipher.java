package org.opencluster.auth.protocol.frame;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.opencluster.auth.protocol.suite.AeadAlgorithm;

/**
 * One direction's AEAD: a JCA {@link Cipher} re-initialised per frame with nonce = static IV XOR sequence.
 *
 * <p>Implementation choice, measured with {@code bench/.../PrimitiveChoiceBenchmark} (JMH, 4x1 s warm-up, 8x1 s
 * measurement; one op = seal + open of one record, separate Cipher objects per direction, OpenJDK 17.0.15 on
 * 2 cores shared with other builds):
 * <pre>
 *                          64 B records              16 KiB records
 *   AES-256-GCM   JDK      1 601 k +- 295 k ops/s    139.8 k +- 13.2 k ops/s  (4.6 GB/s through the AEAD, AES-NI)
 *                 BC         517 k +-  82 k          3.47 k +- 0.08 k
 *   ChaCha20-P.   JDK        459 k +- 362 k          7.62 k +- 1.92 k
 *                 BC         518 k +-  23 k          5.64 k +- 0.65 k
 * </pre>
 * JDK for AES-GCM by a factor of 40. For ChaCha20-Poly1305 the two are close on 17 (no intrinsics yet); the JDK
 * is ahead on large records, works on ByteBuffers directly, and on JDK 25 its intrinsics make it ~11x faster
 * (PairedFrameComparison: 87 k frames/s of 16 KiB on 25 vs 7.9 k on 17). The record layer itself costs
 * 0-11 % over the bare Cipher (PairedFrameComparison, median frame/raw ratio 0.91-1.01 on 17, 0.89-1.03 on 25) and
 * allocates what the bare Cipher allocates plus ~24 bytes per frame: the JCA's per-init objects (about 2 KB for
 * AES-GCM, 3.6-4.5 KB for ChaCha20-Poly1305), because the JCA has no other way to set a nonce.
 */
final class RecordCipher {
    /**
     * Some JDK AEADs (ChaCha20-Poly1305 on 17, {@link AeadAlgorithm#copiesOffsetInput()}) copy the whole input into
     * a growing internal buffer (two copies and ~2x the frame in garbage) unless it starts at array offset 0, which
     * a ciphertext sliced out of a receive buffer never does. Up to this many plaintext bytes we copy once into a
     * reusable scratch array at offset 0 instead; larger frames keep the JDK path so that an idle session never
     * holds more than this (plus the tag) per receiving direction.
     */
    static final int SCRATCH_PLAINTEXT_LIMIT = 64 * 1024;

    private final AeadAlgorithm algorithm;
    private final int mode;
    private final Cipher cipher;
    private final boolean copiesOffsetInput;
    private final byte[] staticIv;
    private final byte[] nonce;
    private SecretKeySpec key;
    private byte[] scratch;

    RecordCipher(AeadAlgorithm algorithm, boolean encrypt) {
        this.algorithm = algorithm;
        this.mode = encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE;
        this.copiesOffsetInput = algorithm.copiesOffsetInput();
        this.staticIv = new byte[algorithm.nonceLength()];
        this.nonce = new byte[algorithm.nonceLength()];
        try {
            this.cipher = algorithm.newCipher();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm.displayName() + " is not available in this JVM", e);
        }
    }

    AeadAlgorithm algorithm() {
        return algorithm;
    }

    /** Installs the key and static IV of {@code secret} (a new epoch). */
    void install(TrafficSecret secret) {
        byte[] k = secret.key();
        byte[] iv = secret.iv();
        try {
            key = new SecretKeySpec(k, algorithm.keyAlgorithm());
            System.arraycopy(iv, 0, staticIv, 0, staticIv.length);
        } finally {
            Arrays.fill(k, (byte) 0);
            Arrays.fill(iv, (byte) 0);
        }
    }

    /** Installs a raw key and static IV (known-answer tests only). */
    void installRaw(byte[] rawKey, byte[] iv) {
        key = new SecretKeySpec(rawKey, algorithm.keyAlgorithm());
        System.arraycopy(iv, 0, staticIv, 0, staticIv.length);
    }

    /** Prepares the cipher for the frame with sequence number {@code seq}; then feed AAD and data. */
    Cipher start(long seq) {
        System.arraycopy(staticIv, 0, nonce, 0, nonce.length);
        for (int i = 0; i < 8; i++) {
            nonce[nonce.length - 1 - i] ^= (byte) (seq >>> (8 * i));
        }
        try {
            cipher.init(mode, key, algorithm.parameters(nonce));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm.displayName() + " refused a fresh key/nonce", e);
        }
        return cipher;
    }

    /**
     * Finishes an open ({@link #start} and AAD done): decrypts and verifies {@code in} into {@code out}, working
     * around the JDK 17 ChaCha20-Poly1305 copy (see {@link #SCRATCH_PLAINTEXT_LIMIT}).
     */
    int finishOpen(Cipher started, ByteBuffer in, ByteBuffer out) throws GeneralSecurityException {
        int n = in.remaining();
        if (copiesOffsetInput && in.hasArray() && out.hasArray() && in.arrayOffset() + in.position() != 0
                && n <= SCRATCH_PLAINTEXT_LIMIT + algorithm.tagLength()) {
            if (scratch == null || scratch.length < n) {
                scratch = new byte[Math.max(n, 1024)];
            }
            in.get(scratch, 0, n);
            int written = started.doFinal(scratch, 0, n, out.array(), out.arrayOffset() + out.position());
            out.position(out.position() + written);
            return written;
        }
        return started.doFinal(in, out);
    }

    /** Drops the key reference and wipes the IV. (SecretKeySpec keeps its own copy, which the JDK cannot wipe.) */
    void destroy() {
        key = null;
        Arrays.fill(staticIv, (byte) 0);
        Arrays.fill(nonce, (byte) 0);
    }
}
