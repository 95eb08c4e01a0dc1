package org.opencluster.auth.protocol.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.SuiteRegistry;

/** Proof kind 4: the WebAuthn challenge derivation (section 5.4) and the LOGIN_CHALLENGE variant carrying options. */
class WebAuthnProofTest {

    @Test
    void challengeIsHkdfExpandLabelOfTheProofSaltOverTheTranscript() throws Exception {
        CipherSuite suite = SuiteRegistry.standard().require(SuiteRegistry.OCA_X25519_AES_256_GCM_SHA384);
        byte[] ecdh = filled(32, 0x11);
        byte[] t = filled(48, 0x03);
        try (KeySchedule ks = new KeySchedule(suite)) {
            ks.mixKeyExchange(ecdh);
            byte[] challenge = ks.webauthnChallenge(t);
            // Recomputed from the spec text with a bare HMAC, not through Hkdf.
            byte[] proofSalt = expandLabel(ks.handshakeSecret(), "proof salt", t, 48);
            byte[] expected = expandLabel(proofSalt, "webauthn challenge", t, 32);
            assertEquals(32, challenge.length);
            assertArrayEquals(expected, challenge);
            assertArrayEquals(challenge, ks.webauthnChallenge(t), "deterministic for one session");
            assertFalse(Arrays.equals(challenge, ks.webauthnChallenge(filled(48, 0x04))), "bound to the transcript");
        }
        try (KeySchedule other = new KeySchedule(suite)) {
            other.mixKeyExchange(filled(32, 0x12));
            try (KeySchedule ks = new KeySchedule(suite)) {
                ks.mixKeyExchange(ecdh);
                assertFalse(Arrays.equals(ks.webauthnChallenge(t), other.webauthnChallenge(t)),
                        "bound to the session's key exchange");
            }
        }
    }

    @Test
    void challengeNeedsTheKeyExchangeFirst() throws Exception {
        CipherSuite suite = SuiteRegistry.standard().require(SuiteRegistry.OCA_X25519_AES_256_GCM_SHA384);
        try (KeySchedule ks = new KeySchedule(suite)) {
            assertThrows(IllegalStateException.class, () -> ks.webauthnChallenge(new byte[48]));
        }
    }

    @Test
    void loginChallengeCarriesOptionsOnlyAsItsLastField() throws Exception {
        RispCommand envelope = RispCommand.string(HandshakeCommandIds.ENVELOPE, new byte[8]);
        RispCommand kind = RispCommand.integer(HandshakeCommandIds.PROOF_KIND, ProofKind.WEBAUTHN.wireValue());
        RispCommand eph = RispCommand.string(HandshakeCommandIds.PROOF_EPHEMERAL, new byte[67]);
        RispCommand options = RispCommand.string(HandshakeCommandIds.WEBAUTHN_OPTIONS,
                "{}".getBytes(StandardCharsets.UTF_8));
        HandshakeMessage with = HandshakeMessage.parse(HandshakeCommandIds.HS_LOGIN_CHALLENGE,
                List.of(envelope, kind, eph, options));
        assertTrue(with.has(HandshakeCommandIds.WEBAUTHN_OPTIONS));
        HandshakeMessage without = HandshakeMessage.parse(HandshakeCommandIds.HS_LOGIN_CHALLENGE,
                List.of(envelope, kind, eph));
        assertFalse(without.has(HandshakeCommandIds.WEBAUTHN_OPTIONS));
        HandshakeException reordered = assertThrows(HandshakeException.class, () -> HandshakeMessage.parse(
                HandshakeCommandIds.HS_LOGIN_CHALLENGE, List.of(envelope, kind, options, eph)));
        assertEquals(HandshakeError.MALFORMED_MESSAGE, reordered.error());
        assertThrows(HandshakeException.class, () -> HandshakeMessage.parse(HandshakeCommandIds.HS_LOGIN_CHALLENGE,
                List.of(envelope, kind, eph, options, options)));
        assertThrows(HandshakeException.class, () -> HandshakeMessage.parse(HandshakeCommandIds.HS_LOGIN_PROOF,
                List.of(kind, RispCommand.integer(HandshakeCommandIds.SIGNATURE_SCHEME, 0), options)));
    }

    @Test
    void registryAdmitsWebAuthnSizedProofsAndOptions() {
        assertEquals(HandshakeCommands.MAX_WEBAUTHN_PROOF,
                HandshakeCommands.registry().lookup(HandshakeCommandIds.PROOF).maxLength());
        assertEquals(HandshakeCommands.MAX_WEBAUTHN_OPTIONS,
                HandshakeCommands.registry().lookup(HandshakeCommandIds.WEBAUTHN_OPTIONS).maxLength());
        assertEquals(4, ProofKind.WEBAUTHN.wireValue());
        assertEquals(ProofKind.WEBAUTHN, ProofKind.fromWire(4).orElseThrow());
    }

    private static byte[] expandLabel(byte[] secret, String label, byte[] context, int n) throws Exception {
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        byte[] full = ("oca1 " + label).getBytes(StandardCharsets.US_ASCII);
        info.write(n >>> 8);
        info.write(n);
        info.write(full.length);
        info.write(full);
        info.write(context.length);
        info.write(context);
        Mac mac = Mac.getInstance("HmacSHA384");
        mac.init(new SecretKeySpec(secret, "HmacSHA384"));
        mac.update(info.toByteArray());
        mac.update((byte) 1);
        return Arrays.copyOf(mac.doFinal(), n); // n <= 48: one block
    }

    private static byte[] filled(int n, int b) {
        byte[] out = new byte[n];
        Arrays.fill(out, (byte) b);
        return out;
    }
}
