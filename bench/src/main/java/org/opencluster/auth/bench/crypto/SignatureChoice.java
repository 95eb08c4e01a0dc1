package org.opencluster.auth.bench.crypto;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Locale;
import org.opencluster.auth.protocol.handshake.SignatureAlgorithm;

/**
 * Signature verification per second, three ways in the same JVM, alternating blocks (robust on a loaded machine):
 * a SunEC {@code Signature}, a Bouncy Castle provider {@code Signature} (both decode the key for every signature),
 * and what the protocol ships, {@link SignatureAlgorithm#verify} (Bouncy Castle's lightweight API on a key decoded
 * once). Each login verifies one server signature (ECDSA P-256) on the client and, for signature proofs, one
 * account signature on the server, each time with a key the verifier has seen before.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.opencluster.auth.bench.crypto.SignatureChoice [seconds]</pre>
 */
public final class SignatureChoice {
    private static final int BLOCK = 20;

    private SignatureChoice() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        Provider bc = new org.bouncycastle.jce.provider.BouncyCastleProvider();
        byte[] message = new byte[64 + 28 + 48];
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        compare("ECDSA P-256 verify", ec.generateKeyPair(), "SHA256withECDSA", SignatureAlgorithm.ECDSA_P256_SHA256,
                bc, message, seconds);
        compare("Ed25519 verify", KeyPairGenerator.getInstance("Ed25519").generateKeyPair(), "Ed25519",
                SignatureAlgorithm.ED25519, bc, message, seconds);
    }

    private static void compare(String what, KeyPair pair, String algorithm, SignatureAlgorithm shipped, Provider bc,
            byte[] message, double seconds) throws Exception {
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(pair.getPrivate());
        signer.update(message);
        byte[] signature = signer.sign();
        long[] nanos = new long[3];
        long ops = 0;
        long warmEnd = System.nanoTime() + (long) (seconds * 1e9);
        long end = Long.MAX_VALUE;
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            for (int i = 0; i < BLOCK; i++) {
                verify(Signature.getInstance(algorithm), pair, message, signature);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < BLOCK; i++) {
                verify(Signature.getInstance(algorithm, bc), pair, message, signature);
            }
            long t2 = System.nanoTime();
            for (int i = 0; i < BLOCK; i++) {
                if (!shipped.verify(pair.getPublic(), message, signature)) {
                    throw new IllegalStateException("signature did not verify");
                }
            }
            long t3 = System.nanoTime();
            if (end == Long.MAX_VALUE) {
                if (t3 > warmEnd) {
                    end = t3 + (long) (seconds * 3e9);
                }
                continue;
            }
            nanos[0] += t1 - t0;
            nanos[1] += t2 - t1;
            nanos[2] += t3 - t2;
            ops += BLOCK;
        }
        double sun = ops / (nanos[0] / 1e9);
        double bcJca = ops / (nanos[1] / 1e9);
        double ours = ops / (nanos[2] / 1e9);
        System.out.printf(Locale.ROOT, "%-20s SunEC %,8.0f/s (%5.0f us)   BC provider %,8.0f/s (%5.0f us)   "
                + "SignatureAlgorithm %,8.0f/s (%5.0f us)   shipped/SunEC %.2fx  shipped/BC provider %.2fx%n", what,
                sun, 1e6 / sun, bcJca, 1e6 / bcJca, ours, 1e6 / ours, ours / sun, ours / bcJca);
    }

    private static void verify(Signature v, KeyPair pair, byte[] message, byte[] signature) throws Exception {
        v.initVerify(pair.getPublic());
        v.update(message);
        if (!v.verify(signature)) {
            throw new IllegalStateException("signature did not verify");
        }
    }
}
