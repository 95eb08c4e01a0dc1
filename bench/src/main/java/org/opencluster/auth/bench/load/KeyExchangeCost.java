package org.opencluster.auth.bench.load;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMExtractor;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMGenerator;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMKeyGenerationParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMKeyPairGenerator;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPrivateKeyParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPublicKeyParameters;
import org.opencluster.auth.protocol.suite.KeyExchange;
import org.opencluster.auth.protocol.suite.KeyExchangeGroup;
import org.opencluster.auth.protocol.suite.KeyExchanges;

/**
 * Issue 18: what a login's key exchange costs, beside the server's ECDSA P-256 signature (the most expensive step of
 * the server's first flight), each a median of five timed blocks after a warm-up, one thread:
 * <ul>
 *   <li>{@code op.mlkem768.{keygen,encaps,decaps}.us}: the three ML-KEM-768 operations alone, Bouncy Castle (the
 *       library behind {@code X25519MlKem768KeyExchange}); {@code op.ecdsa_p256.sign.us}: one SHA256withECDSA
 *       signature with the JDK's provider, as the server signs CERTIFICATE_VERIFY with a software P-256 key;</li>
 *   <li>{@code kx.<group>.server.us}: the server's side of one key exchange through the project's classes
 *       (generate the share, agree on the client's answer), {@code kx.<group>.client.us}: the client's
 *       ({@code respond}), for X25519MLKEM768 and X25519;</li>
 *   <li>{@code ratio.mlkem768.server_per_sign}: the server's ML-KEM work per login (keygen + decaps) over one ECDSA
 *       signature, the ratio the issue asks for; {@code ratio.mlkem768.all_per_sign}: all three operations (both
 *       sides) over one signature.</li>
 * </ul>
 */
final class KeyExchangeCost {
    private static final MLKEMParameters MLKEM_768 = MLKEMParameters.ml_kem_768;

    private KeyExchangeCost() {
    }

    static void measure(double secondsPerBlock, Results out) throws Exception {
        SecureRandom random = new SecureRandom();

        MLKEMKeyPairGenerator generator = new MLKEMKeyPairGenerator();
        generator.init(new MLKEMKeyGenerationParameters(random, MLKEM_768));
        AsymmetricCipherKeyPair pair = generator.generateKeyPair();
        MLKEMPublicKeyParameters ek = (MLKEMPublicKeyParameters) pair.getPublic();
        MLKEMPrivateKeyParameters dk = (MLKEMPrivateKeyParameters) pair.getPrivate();
        MLKEMGenerator encapsulator = new MLKEMGenerator(random);
        byte[] ciphertext = encapsulator.generateEncapsulated(ek).getEncapsulation();
        MLKEMExtractor extractor = new MLKEMExtractor(dk);
        double keygen = microsPerOp(secondsPerBlock, generator::generateKeyPair);
        double encaps = microsPerOp(secondsPerBlock, () -> {
            SecretWithEncapsulation e = encapsulator.generateEncapsulated(ek);
            e.destroy();
        });
        double decaps = microsPerOp(secondsPerBlock, () -> extractor.extractSecret(ciphertext));
        out.put("op.mlkem768.keygen.us", keygen);
        out.put("op.mlkem768.encaps.us", encaps);
        out.put("op.mlkem768.decaps.us", decaps);

        for (KeyExchangeGroup group : new KeyExchangeGroup[] {KeyExchangeGroup.X25519MLKEM768,
            KeyExchangeGroup.X25519}) {
            KeyExchange kx = KeyExchanges.forGroup(group);
            byte[] serverShare;
            try (KeyExchange.EphemeralKeyPair a = kx.generate(random)) {
                serverShare = a.publicKey();
            }
            byte[] clientShare;
            try (KeyExchange.Response b = kx.respond(serverShare, random)) {
                clientShare = b.share();
            }
            String key = "kx." + group.name().toLowerCase(Locale.ROOT);
            // The server's side: its share, then the secret from the client's answer (a fixed answer: the agree
            // cost does not depend on which key pair made it, and decapsulation never fails, ML-KEM rejects
            // implicitly; the X25519 part agrees with any valid point).
            out.put(key + ".server.us", microsPerOp(secondsPerBlock, () -> {
                try (KeyExchange.EphemeralKeyPair a = kx.generate(random)) {
                    a.agree(clientShare);
                }
            }));
            out.put(key + ".client.us", microsPerOp(secondsPerBlock, () -> {
                try (KeyExchange.Response b = kx.respond(serverShare, random)) {
                    b.share();
                }
            }));
        }

        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair server = g.generateKeyPair();
        byte[] transcript = new byte[48];
        double sign = microsPerOp(secondsPerBlock, () -> {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(server.getPrivate(), random);
            s.update(transcript);
            s.sign();
        });
        out.put("op.ecdsa_p256.sign.us", sign);
        out.put("ratio.mlkem768.server_per_sign", (keygen + decaps) / sign);
        out.put("ratio.mlkem768.all_per_sign", (keygen + encaps + decaps) / sign);
    }

    private interface Op {
        void run() throws Exception;
    }

    private static double microsPerOp(double secondsPerBlock, Op op) throws Exception {
        long warmEnd = System.nanoTime() + (long) (secondsPerBlock * 1e9);
        while (System.nanoTime() < warmEnd) {
            op.run();
        }
        List<Double> blocks = new ArrayList<>();
        for (int block = 0; block < 5; block++) {
            long n = 0;
            long start = System.nanoTime();
            long end = start + (long) (secondsPerBlock * 1e9 / 5);
            long now;
            do {
                op.run();
                n++;
                now = System.nanoTime();
            } while (now < end);
            blocks.add((now - start) / 1e3 / n);
        }
        return Rates.median(blocks);
    }
}
