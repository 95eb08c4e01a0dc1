package org.opencluster.auth.bench.crypto;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.opencluster.auth.protocol.frame.FrameConfig;
import org.opencluster.auth.protocol.frame.FrameOpener;
import org.opencluster.auth.protocol.frame.FrameSealer;
import org.opencluster.auth.protocol.frame.TrafficSecret;
import org.opencluster.auth.protocol.suite.AeadAlgorithm;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Seal + open of one frame through the record layer, against the bare JCA cipher doing the same AEAD work on the
 * same key (init with a fresh nonce, AAD, doFinal; both directions). The ratio frame/raw is the record layer's own
 * overhead (header, nonce, bookkeeping, periodic key update). {@link CryptoBenchMain} prints it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FrameBenchmark {

    @Param({"257", "258", "259", "260"})
    public int suiteId;

    @Param({"64", "16384"})
    public int size;

    private FrameSealer sealer;
    private FrameOpener opener;
    private ByteBuffer plaintext;
    private ByteBuffer frame;
    private ByteBuffer opened;

    private Cipher rawSeal;
    private Cipher rawOpen;
    private SecretKeySpec rawKey;
    private boolean gcm;
    private byte[] rawIv;
    private byte[] aad;
    private long counter;
    private ByteBuffer rawCiphertext;

    @Setup
    public void setup() throws Exception {
        CipherSuite suite = SuiteRegistry.standard().require(suiteId);
        byte[] secret = new byte[suite.hash().length()];
        new SecureRandom().nextBytes(secret);
        TrafficSecret ts = new TrafficSecret(suite, secret);
        sealer = new FrameSealer(ts, FrameConfig.defaults());
        opener = new FrameOpener(ts, FrameConfig.defaults());
        plaintext = ByteBuffer.allocate(size);
        frame = ByteBuffer.allocate(sealer.frameLength(size));
        opened = ByteBuffer.allocate(size);

        gcm = suite.aead() == AeadAlgorithm.AES_256_GCM;
        rawKey = new SecretKeySpec(ts.key(), gcm ? "AES" : "ChaCha20");
        rawIv = ts.iv();
        rawSeal = Cipher.getInstance(gcm ? "AES/GCM/NoPadding" : "ChaCha20-Poly1305");
        rawOpen = Cipher.getInstance(gcm ? "AES/GCM/NoPadding" : "ChaCha20-Poly1305");
        aad = new byte[14];
        rawCiphertext = ByteBuffer.allocate(size + 16);
    }

    @Benchmark
    public int frameSealOpen() throws Exception {
        plaintext.clear();
        frame.clear();
        sealer.seal(plaintext, frame);
        frame.flip();
        opened.clear();
        return opener.openFrame(frame, opened);
    }

    @Benchmark
    public int rawCipherSealOpen() throws Exception {
        byte[] nonce = rawIv.clone();
        long c = counter++;
        for (int i = 0; i < 8; i++) {
            nonce[11 - i] ^= (byte) (c >>> (8 * i));
        }
        AlgorithmParameterSpec spec = gcm ? new GCMParameterSpec(128, nonce) : new IvParameterSpec(nonce);
        plaintext.clear();
        rawCiphertext.clear();
        rawSeal.init(Cipher.ENCRYPT_MODE, rawKey, spec);
        rawSeal.updateAAD(aad);
        rawSeal.doFinal(plaintext, rawCiphertext);
        rawCiphertext.flip();
        opened.clear();
        rawOpen.init(Cipher.DECRYPT_MODE, rawKey, spec);
        rawOpen.updateAAD(aad);
        return rawOpen.doFinal(rawCiphertext, opened);
    }
}
