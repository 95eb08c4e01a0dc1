package org.opencluster.auth.client.login;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.handshake.HandshakeCommandIds;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.HandshakeLabels;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.handshake.HandshakeOutput;
import org.opencluster.auth.protocol.handshake.KeySchedule;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.handshake.PublicKeys;
import org.opencluster.auth.protocol.handshake.SignatureAlgorithm;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.suite.KeyExchange;
import org.opencluster.auth.protocol.suite.KeyExchangeGroup;
import org.opencluster.auth.protocol.suite.KeyExchanges;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;

/**
 * Each way of proving alone, without a handshake around it: a login refuses a challenge for a kind it has no
 * prover for (before any credential is used), and each prover's proof is the one the server checks.
 */
class ProofProversTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] T = random(48);
    private static final LoginCredential NEVER_USED = (user, envelope) -> {
        throw new AssertionError("the credential must not be unlocked for a challenge this login cannot answer");
    };

    private final KeyExchange.EphemeralKeyPair p256 = KeyExchanges.forGroup(KeyExchangeGroup.P256).generate(RANDOM);
    private final KeyExchange.EphemeralKeyPair x25519 =
            KeyExchanges.forGroup(KeyExchangeGroup.X25519).generate(RANDOM);

    @Test
    void anEnrolmentRefusesAChallengeForAKeyProof() {
        HandshakeException e = assertThrows(HandshakeException.class, () -> ProofProvers.enrolment(random(32))
                .prove(request(ProofKind.KEY_AGREEMENT, challenge(true), "x")));
        assertEquals(HandshakeError.MALFORMED_MESSAGE, e.error());
        assertTrue(e.getMessage().contains("login or enrolment"), e.getMessage());
    }

    @Test
    void aKeyLoginRefusesChallengesForAnEnrolmentOrASecurityKey() {
        ProofProvers keyLogin = ProofProvers.credential(NEVER_USED);
        assertTrue(assertThrows(HandshakeException.class, () -> keyLogin.prove(request(ProofKind.ENROLMENT_CODE,
                challenge(true), "x"))).getMessage().contains("login or enrolment"));
        assertTrue(assertThrows(HandshakeException.class, () -> keyLogin.prove(request(ProofKind.WEBAUTHN,
                challenge(true), "x"))).getMessage().contains("security-key login"));
    }

    @Test
    void aSecurityKeyLoginRefusesAChallengeWithoutOptions() {
        ProofProvers securityKey = ProofProvers.securityKey((options, challenge) -> {
            throw new AssertionError("no assertion for a challenge without WEBAUTHN_OPTIONS");
        });
        assertThrows(HandshakeException.class, () -> securityKey.prove(request(ProofKind.WEBAUTHN, challenge(true),
                "x")));
    }

    @Test
    void anEnrolmentProofIsTheCodeHashThenItsBindingToTheTranscript() throws Exception {
        byte[] codeHash = random(32);
        try (KeySchedule schedule = schedule()) {
            ProofProver.Proof proof = ProofProvers.enrolment(codeHash).prove(new ProofProver.Request(
                    ProofKind.ENROLMENT_CODE, challenge(true), new byte[0], schedule, T, "new", NO_OPRF));
            assertArrayEquals(codeHash, Arrays.copyOf(proof.value(), 32));
            assertArrayEquals(schedule.enrolmentProof(codeHash, T), Arrays.copyOfRange(proof.value(), 32,
                    proof.value().length));
        }
    }

    /** Version 3 asks every key for the key agreement; an Ed25519 key cannot, so it signs (section 5.3.7). */
    @Test
    void inVersion3AKeyThatCannotAgreeSigns() throws Exception {
        SoftwareToken ed25519 = token(KeyType.ED25519);
        java.security.PublicKey publicKey = ed25519.publicKey();
        ProofProver.Proof proof = ProofProvers.credential((user, envelope) -> ed25519)
                .prove(request(ProofKind.KEY_AGREEMENT, challenge(true), "alice"));
        assertEquals(ProofKind.SIGNATURE, proof.kind());
        assertEquals(SignatureAlgorithm.ED25519.code(), proof.scheme());
        assertTrue(SignatureAlgorithm.ED25519.verify(publicKey, HandshakeLabels.signatureInput(
                HandshakeLabels.CLIENT_PROOF_SIGNATURE_CONTEXT, T), proof.value()));
    }

    /** Version 2 has no choice of kind: a key that cannot agree when asked to is refused, not switched. */
    @Test
    void inVersion2AKeyThatCannotAgreeIsRefused() {
        SoftwareToken ed25519 = token(KeyType.ED25519);
        assertThrows(HandshakeException.class, () -> ProofProvers.credential((user, envelope) -> ed25519)
                .prove(request(ProofKind.KEY_AGREEMENT, challenge(false), "alice")));
    }

    @Test
    void anX25519KeyAgreesWithTheX25519Ephemeral() throws Exception {
        SoftwareToken key = token(KeyType.X25519);
        byte[] z = x25519.agree(PublicKeys.encode(key.publicKey()));
        try (KeySchedule schedule = schedule()) {
            ProofProver.Proof proof = ProofProvers.credential((user, envelope) -> key).prove(new ProofProver.Request(
                    ProofKind.KEY_AGREEMENT, challenge(true), new byte[0], schedule, T, "alice", NO_OPRF));
            assertEquals(ProofKind.KEY_AGREEMENT, proof.kind());
            assertArrayEquals(schedule.keyAgreementProof(z, T), proof.value());
        }
    }

    /** A login whose server does not answer the OPRF step. */
    private static final OprfAnswer NO_OPRF = new OprfAnswer(
            java.util.Optional.of(OprfAnswer.unrelatedRequest(new java.security.SecureRandom())), java.util.Optional.empty());

    private ProofProver.Request request(ProofKind asked, HandshakeMessage challenge, String username) {
        return new ProofProver.Request(asked, challenge, new byte[0], schedule(), T, username, NO_OPRF);
    }

    /** A LOGIN_CHALLENGE with both ephemerals (version 3) or the P-256 one only (version 2). */
    private HandshakeMessage challenge(boolean version3) {
        List<RispCommand> fields = new java.util.ArrayList<>(List.of(
                RispCommand.string(HandshakeCommandIds.ENVELOPE, new byte[16]),
                RispCommand.integer(HandshakeCommandIds.PROOF_KIND, ProofKind.KEY_AGREEMENT.wireValue()),
                RispCommand.string(HandshakeCommandIds.PROOF_EPHEMERAL, HandshakeOutput.keyShare(
                        KeyExchangeGroup.P256, p256.publicKey()))));
        if (version3) {
            fields.add(RispCommand.string(HandshakeCommandIds.PROOF_EPHEMERAL_X25519, HandshakeOutput.keyShare(
                    KeyExchangeGroup.X25519, x25519.publicKey())));
        }
        return HandshakeMessage.of(HandshakeCommandIds.HS_LOGIN_CHALLENGE, fields.toArray(new RispCommand[0]));
    }

    private static KeySchedule schedule() {
        KeySchedule schedule = new KeySchedule(SuiteRegistry.standard().all().get(0));
        schedule.mixKeyExchange(random(32));
        return schedule;
    }

    private static SoftwareToken token(KeyType type) {
        try {
            return SoftwareToken.fromPkcs8("test", SoftwareKeys.generatePkcs8(type, RANDOM), List.of());
        } catch (org.opencluster.auth.token.TokenException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
