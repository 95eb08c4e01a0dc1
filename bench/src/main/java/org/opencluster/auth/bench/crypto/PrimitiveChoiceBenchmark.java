package org.opencluster.auth.bench.crypto;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.NamedParameterSpec;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.agreement.ECDHBasicAgreement;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.math.ec.rfc7748.X25519;
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
 * Measures the candidate implementations of each primitive in this JVM, so that the choice made in
 * {@code org.opencluster.auth.protocol.suite.KeyExchanges} and {@code ...frame.AeadAlgorithms} rests on figures.
 * One "exchange" = generate an ephemeral key pair + derive the shared secret with a fixed peer key (what each
 * side of a handshake does). One "aead" op = seal + open of one record.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
public class PrimitiveChoiceBenchmark {

    @Param({"64", "16384"})
    public int size;

    private final SecureRandom random = new SecureRandom();
    private KeyPairGenerator jdkXdhGen;
    private java.security.PublicKey jdkXdhPeer;
    private byte[] bcX25519Peer;
    private KeyPairGenerator jdkEcGen;
    private java.security.PublicKey jdkEcPeer;
    private ECDomainParameters bcP256;
    private ECKeyPairGenerator bcEcGen;
    private ECPublicKeyParameters bcEcPeer;

    private byte[] key;
    private SecretKeySpec aesKey;
    private SecretKeySpec chachaKey;
    private Cipher jdkGcm;
    private Cipher jdkChacha;
    private Cipher jdkGcmOpen;
    private Cipher jdkChachaOpen;
    private GCMModeCipher bcGcm;
    private ChaCha20Poly1305 bcChacha;
    private GCMModeCipher bcGcmOpen;
    private ChaCha20Poly1305 bcChachaOpen;
    private byte[] buf;
    private ByteBuffer bb;
    private ByteBuffer out;
    private long counter;

    @Setup
    public void setup() throws Exception {
        jdkXdhGen = KeyPairGenerator.getInstance("XDH");
        jdkXdhGen.initialize(NamedParameterSpec.X25519);
        jdkXdhPeer = jdkXdhGen.generateKeyPair().getPublic();
        bcX25519Peer = new byte[32];
        byte[] k = new byte[32];
        X25519.generatePrivateKey(random, k);
        X25519.generatePublicKey(k, 0, bcX25519Peer, 0);
        jdkEcGen = KeyPairGenerator.getInstance("EC");
        jdkEcGen.initialize(new ECGenParameterSpec("secp256r1"));
        jdkEcPeer = jdkEcGen.generateKeyPair().getPublic();
        X9ECParameters x9 = CustomNamedCurves.getByName("P-256");
        bcP256 = new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH());
        bcEcGen = new ECKeyPairGenerator();
        bcEcGen.init(new ECKeyGenerationParameters(bcP256, random));
        bcEcPeer = (ECPublicKeyParameters) bcEcGen.generateKeyPair().getPublic();

        key = new byte[32];
        random.nextBytes(key);
        aesKey = new SecretKeySpec(key, "AES");
        chachaKey = new SecretKeySpec(key, "ChaCha20");
        jdkGcm = Cipher.getInstance("AES/GCM/NoPadding");
        jdkChacha = Cipher.getInstance("ChaCha20-Poly1305");
        jdkGcmOpen = Cipher.getInstance("AES/GCM/NoPadding");
        jdkChachaOpen = Cipher.getInstance("ChaCha20-Poly1305");
        bcGcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
        bcChacha = new ChaCha20Poly1305();
        bcGcmOpen = GCMBlockCipher.newInstance(AESEngine.newInstance());
        bcChachaOpen = new ChaCha20Poly1305();
        // Key schedule once per key, as a channel would; each record then only sets a nonce.
        byte[] n0 = new byte[12];
        bcGcm.init(true, new AEADParameters(new KeyParameter(key), 128, n0));
        bcGcmOpen.init(false, new AEADParameters(new KeyParameter(key), 128, n0));
        bcChacha.init(true, new AEADParameters(new KeyParameter(key), 128, n0));
        bcChachaOpen.init(false, new AEADParameters(new KeyParameter(key), 128, n0));
        buf = new byte[size + 16];
        bb = ByteBuffer.allocate(size + 16);
        out = ByteBuffer.allocate(size + 16);
    }

    private byte[] nonce() {
        byte[] n = new byte[12];
        long c = ++counter;
        for (int i = 0; i < 8; i++) {
            n[11 - i] = (byte) (c >>> (8 * i));
        }
        return n;
    }

    @Benchmark
    public byte[] x25519Jdk() throws Exception {
        KeyPair kp = jdkXdhGen.generateKeyPair();
        KeyAgreement ka = KeyAgreement.getInstance("XDH");
        ka.init(kp.getPrivate());
        ka.doPhase(jdkXdhPeer, true);
        return ka.generateSecret();
    }

    @Benchmark
    public byte[] x25519Bc() {
        byte[] priv = new byte[32];
        byte[] pub = new byte[32];
        byte[] secret = new byte[32];
        X25519.generatePrivateKey(random, priv);
        X25519.generatePublicKey(priv, 0, pub, 0);
        X25519.calculateAgreement(priv, 0, bcX25519Peer, 0, secret, 0);
        return pub;
    }

    @Benchmark
    public byte[] p256Jdk() throws Exception {
        KeyPair kp = jdkEcGen.generateKeyPair();
        KeyAgreement ka = KeyAgreement.getInstance("ECDH");
        ka.init(kp.getPrivate());
        ka.doPhase(jdkEcPeer, true);
        return ka.generateSecret();
    }

    @Benchmark
    public BigInteger p256Bc() {
        AsymmetricCipherKeyPair kp = bcEcGen.generateKeyPair();
        ((ECPublicKeyParameters) kp.getPublic()).getQ().getEncoded(false);
        ECDHBasicAgreement ka = new ECDHBasicAgreement();
        ka.init(kp.getPrivate());
        return ka.calculateAgreement(bcEcPeer);
    }

    @Benchmark
    public int aesGcmJdk() throws Exception {
        return jdkAead(jdkGcm, jdkGcmOpen, aesKey, true);
    }

    @Benchmark
    public int chachaJdk() throws Exception {
        return jdkAead(jdkChacha, jdkChachaOpen, chachaKey, false);
    }

    private int jdkAead(Cipher c, Cipher d, SecretKeySpec k, boolean gcm) throws Exception {
        byte[] n = nonce();
        java.security.spec.AlgorithmParameterSpec spec = gcm ? new GCMParameterSpec(128, n) : new IvParameterSpec(n);
        bb.clear().limit(size);
        out.clear();
        c.init(Cipher.ENCRYPT_MODE, k, spec);
        c.doFinal(bb, out);
        out.flip();
        bb.clear();
        d.init(Cipher.DECRYPT_MODE, k, spec);
        return d.doFinal(out, bb);
    }

    @Benchmark
    public int aesGcmBc() throws Exception {
        byte[] n = nonce();
        bcGcm.init(true, new AEADParameters(null, 128, n));
        int len = bcGcm.processBytes(buf, 0, size, buf, 0);
        len += bcGcm.doFinal(buf, len);
        bcGcmOpen.init(false, new AEADParameters(null, 128, n));
        int p = bcGcmOpen.processBytes(buf, 0, len, buf, 0);
        return p + bcGcmOpen.doFinal(buf, p);
    }

    @Benchmark
    public int chachaBc() throws Exception {
        byte[] n = nonce();
        bcChacha.init(true, new AEADParameters(null, 128, n));
        int len = bcChacha.processBytes(buf, 0, size, buf, 0);
        len += bcChacha.doFinal(buf, len);
        bcChachaOpen.init(false, new AEADParameters(null, 128, n));
        int p = bcChachaOpen.processBytes(buf, 0, len, buf, 0);
        return p + bcChachaOpen.doFinal(buf, p);
    }
}
