package org.opencluster.auth.protocol.suite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The X25519MLKEM768 hybrid (draft-ietf-tls-ecdhe-mlkem-04): layout, FIPS 203 checks, and what each half adds. */
class X25519MlKem768Test {
    private final SecureRandom random = new SecureRandom();
    private final KeyExchange kx = KeyExchanges.forGroup(KeyExchangeGroup.X25519MLKEM768);

    @Test
    void sharesAndSecretFollowTheDraftLayoutMlKemFirst() throws Exception {
        byte[] seeds = new byte[96];
        random.nextBytes(seeds);
        try (KeyExchange.EphemeralKeyPair server = HybridTestKeys.initiator(seeds)) {
            byte[] ek = server.publicKey();
            assertEquals(1184 + 32, ek.length);
            byte[] m = new byte[32];
            byte[] clientX = new byte[32];
            random.nextBytes(m);
            random.nextBytes(clientX);
            try (KeyExchange.Response client = HybridTestKeys.respond(ek, m, clientX)) {
                assertEquals(1088 + 32, client.share().length);
                byte[] secret = client.sharedSecret();
                assertEquals(64, secret.length);
                // The second half is the plain X25519 secret of the two X25519 halves of the shares.
                byte[] x = X25519TestKeys.agree(clientX, Arrays.copyOfRange(ek, 1184, 1216));
                assertArrayEquals(x, Arrays.copyOfRange(secret, 32, 64));
                assertArrayEquals(secret, server.agree(client.share()));
            }
        }
    }

    /**
     * FIPS 203 section 7.2: an encapsulation key whose ByteDecode12 yields a coefficient >= q is refused before any
     * encapsulation (Bouncy Castle's generator would otherwise reduce it silently).
     */
    @Test
    void anEncapsulationKeyFailingTheModulusCheckIsRefused() throws Exception {
        byte[] share;
        try (KeyExchange.EphemeralKeyPair server = kx.generate(random)) {
            share = server.publicKey();
        }
        kx.validatePublicKey(share);
        for (int coefficient : new int[] {0, 1, 255}) {
            byte[] bad = share.clone();
            // coefficient 2i+1 of the 3-byte group i: (b1 >> 4) | (b2 << 4); set it to exactly q = 3329 = 0xd01
            int at = 3 * coefficient;
            bad[at + 1] = (byte) ((bad[at + 1] & 0x0f) | 0x10);
            bad[at + 2] = (byte) 0xd0;
            assertFalse(X25519MlKem768KeyExchange.passesModulusCheck(bad));
            SuiteException e = assertThrows(SuiteException.class, () -> kx.respond(bad, random));
            assertEquals(SuiteError.INVALID_PUBLIC_KEY, e.error());
        }
        byte[] maxValid = share.clone();
        maxValid[1] = (byte) ((maxValid[1] & 0x0f) | 0x00);
        maxValid[2] = (byte) 0xd0; // 3328 = q - 1 is fine
        assertTrue(X25519MlKem768KeyExchange.passesModulusCheck(maxValid));
    }

    @Test
    void wrongLengthsOnBothSidesAreRefused() throws Exception {
        try (KeyExchange.EphemeralKeyPair server = kx.generate(random)) {
            for (int len : new int[] {0, 32, 1120 - 1, 1120 + 1, 1216}) {
                assertEquals(SuiteError.INVALID_PUBLIC_KEY, assertThrows(SuiteException.class,
                        () -> server.agree(new byte[len])).error(), "responder share of " + len);
            }
            for (int len : new int[] {0, 32, 1184, 1216 - 1, 1216 + 1, 1120}) {
                assertEquals(SuiteError.INVALID_PUBLIC_KEY, assertThrows(SuiteException.class,
                        () -> kx.respond(new byte[len], random)).error(), "initiator share of " + len);
            }
        }
    }

    /** The X25519 half is checked as X25519 alone is: small-order and non-canonical keys fail on both sides. */
    @Test
    void theX25519HalfIsCheckedOnBothSides() throws Exception {
        try (KeyExchange.EphemeralKeyPair server = kx.generate(random)) {
            byte[] initiator = server.publicKey();
            Arrays.fill(initiator, 1184, 1216, (byte) 0);                 // u = 0: small order
            assertEquals(SuiteError.KEY_AGREEMENT_FAILED, assertThrows(SuiteException.class,
                    () -> kx.respond(initiator, random)).error());
            byte[] nonCanonical = server.publicKey();
            nonCanonical[1215] |= (byte) 0x80;                              // top bit set
            assertEquals(SuiteError.INVALID_PUBLIC_KEY, assertThrows(SuiteException.class,
                    () -> kx.respond(nonCanonical, random)).error());
            try (KeyExchange.Response client = kx.respond(server.publicKey(), random)) {
                byte[] responder = client.share();
                Arrays.fill(responder, 1088, 1120, (byte) 0);
                assertEquals(SuiteError.KEY_AGREEMENT_FAILED, assertThrows(SuiteException.class,
                        () -> server.agree(responder)).error());
            }
        }
    }

    /**
     * A changed ciphertext decapsulates to ML-KEM's implicit-rejection secret: the two sides then hold different
     * secrets, which the handshake notices at its first frame. The ML-KEM half alone protects the session: the
     * X25519 half stays the same.
     */
    @Test
    void aChangedCiphertextGivesADifferentSecret() throws Exception {
        try (KeyExchange.EphemeralKeyPair server = kx.generate(random);
                KeyExchange.Response client = kx.respond(server.publicKey(), random)) {
            byte[] tampered = client.share();
            tampered[17] ^= 1;
            byte[] serverSecret = server.agree(tampered);
            assertFalse(Arrays.equals(Arrays.copyOf(client.sharedSecret(), 32), Arrays.copyOf(serverSecret, 32)));
            assertArrayEquals(Arrays.copyOfRange(client.sharedSecret(), 32, 64), Arrays.copyOfRange(serverSecret, 32,
                    64));
        }
    }
}
