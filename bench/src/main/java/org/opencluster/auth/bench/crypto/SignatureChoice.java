package org.opencluster.auth.bench.crypto;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Locale;

/**
 * Signature verification per second, SunEC against Bouncy Castle, same JVM, alternating blocks (robust on a loaded
 * machine): the measurement behind {@code SignatureAlgorithm}'s provider choice. Each login verifies one server
 * signature (ECDSA P-256) on the client and, for signature proofs, one account signature on the server.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.opencluster.auth.bench.crypto.SignatureChoice [seconds]</pre>
 */
public final class SignatureChoice {
    private SignatureChoice() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        Provider bc = new org.bouncycastle.jce.provider.BouncyCastleProvider();
        byte[] message = new byte[64 + 28 + 48];
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        compare("ECDSA P-256 verify", ec.generateKeyPair(), "SHA256withECDSA", bc, message, seconds);
        compare("Ed25519 verify", KeyPairGenerator.getInstance("Ed25519").generateKeyPair(), "Ed25519", bc, message,
                seconds);
    }

    private static void compare(String what, KeyPair pair, String algorithm, Provider bc, byte[] message,
            double seconds) throws Exception {
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(pair.getPrivate());
        signer.update(message);
        byte[] signature = signer.sign();
        long jdkNanos = 0;
        long bcNanos = 0;
        long jdkOps = 0;
        long bcOps = 0;
        long end = System.nanoTime() + (long) (seconds * 2e9);
        boolean warm = false;
        long warmEnd = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end + (warm ? 0 : (long) (seconds * 1e9))) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                verify(Signature.getInstance(algorithm), pair, message, signature);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                verify(Signature.getInstance(algorithm, bc), pair, message, signature);
            }
            long t2 = System.nanoTime();
            if (!warm && t2 > warmEnd) {
                warm = true;
                end = t2 + (long) (seconds * 2e9);
                continue;
            }
            if (warm) {
                jdkNanos += t1 - t0;
                bcNanos += t2 - t1;
                jdkOps += 20;
                bcOps += 20;
            }
        }
        double jdk = jdkOps / (jdkNanos / 1e9);
        double bcRate = bcOps / (bcNanos / 1e9);
        System.out.printf(Locale.ROOT, "%-20s SunEC %,8.0f/s   Bouncy Castle %,8.0f/s   BC/SunEC %.2fx%n", what, jdk,
                bcRate, bcRate / jdk);
    }

    private static void verify(Signature v, KeyPair pair, byte[] message, byte[] signature) throws Exception {
        v.initVerify(pair.getPublic());
        v.update(message);
        if (!v.verify(signature)) {
            throw new IllegalStateException("signature did not verify");
        }
    }
}
