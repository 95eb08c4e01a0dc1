package org.opencluster.auth.protocol.frame;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.opencluster.auth.protocol.suite.AeadAlgorithm;

/**
 * One direction's AEAD: a JCA {@link Cipher} re-initialised per frame with nonce = static IV XOR sequence.
 *
 * <p>Implementation choice, measured with {@code bench/.../PrimitiveChoiceBenchmark} (one op = seal + open of one
 * record, separate Cipher objects per direction, OpenJDK 17.0.15, 2 shared cores under load):
 * <pre>
 *                          64 B records        16 KiB records
 *   AES-256-GCM   JDK      1 137 k ops/s       111 k ops/s (~3.6 GB/s through the AEAD, AES-NI + CLMUL)
 *                 BC         514 k ops/s         2.9 k ops/s
 *   ChaCha20-P.   JDK        453 k ops/s         4.4 k ops/s
 *                 BC         147 k ops/s         1.4 k ops/s
 * </pre>
 * So the JDK providers for both (ChaCha20 has no intrinsics on 17; later JDKs add them, which only widens the gap).
 * The per-frame {@code init} allocates a small parameter object (the JCA offers no other way to set a nonce);
 * the data itself is processed once, in place when the caller's buffers overlap.
 */
final class RecordCipher {
    /**
     * JDK 17's ChaCha20-Poly1305 decryption copies the whole input into a growing internal buffer (two copies and
     * ~2x the frame in garbage) unless the input starts at array offset 0, which a ciphertext sliced out of a
     * receive buffer never does. Measured: 35 KB allocated per 16 KiB open on 17.0.15, 2.3 KB on 25. Below this
     * size we copy once into a reusable scratch array at offset 0 instead; larger frames keep the JDK path so that
     * an idle session never holds more than this per receiving direction.
     */
    static final int CHACHA_SCRATCH_LIMIT = 64 * 1024 + AeadAlgorithm.TAG_LENGTH;
    private static final boolean CHACHA_OFFSET_COPIES = Runtime.version().feature() < 25;

    private final AeadAlgorithm algorithm;
    private final int mode;
    private final Cipher cipher;
    private final byte[] staticIv = new byte[AeadAlgorithm.NONCE_LENGTH];
    private final byte[] nonce = new byte[AeadAlgorithm.NONCE_LENGTH];
    private SecretKeySpec key;
    private byte[] scratch;

    RecordCipher(AeadAlgorithm algorithm, boolean encrypt) {
        this.algorithm = algorithm;
        this.mode = encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE;
        try {
            this.cipher = Cipher.getInstance(algorithm == AeadAlgorithm.AES_256_GCM
                    ? "AES/GCM/NoPadding" : "ChaCha20-Poly1305");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm.displayName() + " is not available in this JVM", e);
        }
    }

    /** Installs the key and static IV of {@code secret} (a new epoch). */
    void install(TrafficSecret secret) {
        byte[] k = secret.key();
        byte[] iv = secret.iv();
        try {
            key = new SecretKeySpec(k, algorithm == AeadAlgorithm.AES_256_GCM ? "AES" : "ChaCha20");
            System.arraycopy(iv, 0, staticIv, 0, staticIv.length);
        } finally {
            Arrays.fill(k, (byte) 0);
            Arrays.fill(iv, (byte) 0);
        }
    }

    /** Installs a raw key and static IV (known-answer tests only). */
    void installRaw(byte[] rawKey, byte[] iv) {
        key = new SecretKeySpec(rawKey, algorithm == AeadAlgorithm.AES_256_GCM ? "AES" : "ChaCha20");
        System.arraycopy(iv, 0, staticIv, 0, staticIv.length);
    }

    /** Prepares the cipher for the frame with sequence number {@code seq}; then feed AAD and data. */
    Cipher start(long seq) {
        System.arraycopy(staticIv, 0, nonce, 0, nonce.length);
        for (int i = 0; i < 8; i++) {
            nonce[nonce.length - 1 - i] ^= (byte) (seq >>> (8 * i));
        }
        AlgorithmParameterSpec spec = algorithm == AeadAlgorithm.AES_256_GCM
                ? new GCMParameterSpec(AeadAlgorithm.TAG_LENGTH * 8, nonce)
                : new IvParameterSpec(nonce);
        try {
            cipher.init(mode, key, spec);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm.displayName() + " refused a fresh key/nonce", e);
        }
        return cipher;
    }

    /**
     * Finishes an open ({@link #start} and AAD done): decrypts and verifies {@code in} into {@code out}, working
     * around the JDK 17 ChaCha20-Poly1305 copy (see {@link #CHACHA_SCRATCH_LIMIT}).
     */
    int finishOpen(Cipher started, ByteBuffer in, ByteBuffer out) throws GeneralSecurityException {
        int n = in.remaining();
        if (CHACHA_OFFSET_COPIES && algorithm == AeadAlgorithm.CHACHA20_POLY1305 && in.hasArray() && out.hasArray()
                && in.arrayOffset() + in.position() != 0 && n <= CHACHA_SCRATCH_LIMIT) {
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
