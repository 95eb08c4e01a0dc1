package org.opencluster.auth.bench.token;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.crypto.KeyAgreement;

import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Why {@link SoftwareToken} uses Bouncy Castle's lightweight API: the token's own operations against the JDK
 * providers for the same algorithm, one thread. Run with {@code org.openjdk.jmh.Main SoftwareKeyBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class SoftwareKeyBenchmark {
    private final byte[] message = new byte[32];
    private SoftwareToken ed25519;
    private SoftwareToken x25519;
    private SoftwareToken p256;
    private PrivateKey jdkEd25519;
    private PrivateKey jdkX25519;
    private PrivateKey jdkP256;
    private PublicKey x25519Peer;
    private PublicKey p256Peer;

    @Setup
    public void setUp() throws Exception {
        SecureRandom random = new SecureRandom();
        ed25519 = SoftwareToken.fromPkcs8("ed", SoftwareKeys.generatePkcs8(KeyType.ED25519, random), List.of());
        x25519 = SoftwareToken.fromPkcs8("x", SoftwareKeys.generatePkcs8(KeyType.X25519, random), List.of());
        p256 = SoftwareToken.fromPkcs8("p", SoftwareKeys.generatePkcs8(KeyType.EC_P256, random), List.of());
        jdkEd25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate();
        KeyPair x = KeyPairGenerator.getInstance("X25519").generateKeyPair();
        jdkX25519 = x.getPrivate();
        x25519Peer = KeyPairGenerator.getInstance("X25519").generateKeyPair().getPublic();
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        jdkP256 = ec.generateKeyPair().getPrivate();
        p256Peer = ec.generateKeyPair().getPublic();
    }

    @Benchmark
    public byte[] bcEd25519Sign() throws Exception {
        return ed25519.sign(SignatureScheme.ED25519, message);
    }

    @Benchmark
    public byte[] jdkEd25519Sign() throws Exception {
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(jdkEd25519);
        s.update(message);
        return s.sign();
    }

    @Benchmark
    public byte[] bcX25519Agree() throws Exception {
        return x25519.agree(x25519Peer);
    }

    @Benchmark
    public byte[] jdkX25519Agree() throws Exception {
        KeyAgreement ka = KeyAgreement.getInstance("X25519");
        ka.init(jdkX25519);
        ka.doPhase(x25519Peer, true);
        return ka.generateSecret();
    }

    @Benchmark
    public byte[] bcEcdsaP256Sign() throws Exception {
        return p256.sign(SignatureScheme.ECDSA_P256_SHA256, message);
    }

    @Benchmark
    public byte[] jdkEcdsaP256Sign() throws Exception {
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(jdkP256);
        s.update(message);
        return s.sign();
    }

    @Benchmark
    public byte[] bcEcdhP256() throws Exception {
        return p256.agree(p256Peer);
    }

    @Benchmark
    public byte[] jdkEcdhP256() throws Exception {
        KeyAgreement ka = KeyAgreement.getInstance("ECDH");
        ka.init(jdkP256);
        ka.doPhase(p256Peer, true);
        return ka.generateSecret();
    }
}
