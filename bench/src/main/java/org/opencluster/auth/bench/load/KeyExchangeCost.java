package org.opencluster.auth.bench.load;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.opencluster.auth.protocol.suite.KeyExchange;
import org.opencluster.auth.protocol.suite.KeyExchangeGroup;
import org.opencluster.auth.protocol.suite.KeyExchanges;

/**
 * Issue 18: what one login's key exchange costs, per group, beside the server's ECDSA P-256 signature (the most
 * expensive step of the server's first flight). One op = both sides of one handshake's key exchange (initiator
 * generate, responder respond, initiator agree), in one thread; median of five timed blocks after a warm-up.
 */
final class KeyExchangeCost {
    private KeyExchangeCost() {
    }

    static void measure(double secondsPerBlock, Results out) throws Exception {
        SecureRandom random = new SecureRandom();
        for (KeyExchangeGroup group : new KeyExchangeGroup[] {KeyExchangeGroup.X25519MLKEM768,
            KeyExchangeGroup.X25519}) {
            KeyExchange kx = KeyExchanges.forGroup(group);
            double us = microsPerOp(secondsPerBlock, () -> {
                try (KeyExchange.EphemeralKeyPair a = kx.generate(random);
                        KeyExchange.Response b = kx.respond(a.publicKey(), random)) {
                    a.agree(b.share());
                }
            });
            String key = "kx." + group.name().toLowerCase(Locale.ROOT) + ".us";
            out.put(key, us);
        }
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair server = g.generateKeyPair();
        byte[] hash = new byte[48];
        double sign = microsPerOp(secondsPerBlock, () -> {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(server.getPrivate(), random);
            s.update(hash);
            s.sign();
        });
        out.put("sign.p256.us", sign);
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
