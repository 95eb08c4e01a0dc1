package org.opencluster.auth.server.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.opencluster.auth.protocol.handshake.HandshakeCommandIds;
import org.opencluster.auth.protocol.handshake.HandshakeLabels;
import org.opencluster.auth.protocol.handshake.KeySchedule;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.handshake.PublicKeys;
import org.opencluster.auth.protocol.handshake.SignatureAlgorithm;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.suite.KeyExchange;
import org.opencluster.auth.protocol.suite.KeyExchangeGroup;
import org.opencluster.auth.protocol.suite.KeyExchanges;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.store.EnrolmentCode;

/**
 * Each {@link ProofVerifier} alone, without a handshake around it: the kinds it takes, the shape of its challenge
 * for a known and an unknown name, and its check of a proof (a right one, and the wrong ones a prober would try).
 */
class ProofVerifierTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] ENVELOPE_FIELD = new byte[600];
    private static final byte[] T = random(48);

    private final byte[] codeHash = random(32);

    private final List<ProofVerifier> verifiers = List.of(new SignatureVerifier(RANDOM, "192.0.2.1"),
            new KeyAgreementVerifier(RANDOM, "192.0.2.1"), new EnrolmentCodeVerifier(oneCode(), RANDOM),
            new WebAuthnVerifier(decoyOptionsOnly(), RANDOM, "192.0.2.1"));

    @Test
    void eachVerifierTakesItsOwnKindAndVersion3KeyProofsTakeEitherKeyKind() {
        for (ProofVerifier v : verifiers) {
            for (ProofKind answered : ProofKind.values()) {
                boolean keyKinds = (v.kind() == ProofKind.SIGNATURE || v.kind() == ProofKind.KEY_AGREEMENT)
                        && (answered == ProofKind.SIGNATURE || answered == ProofKind.KEY_AGREEMENT);
                assertEquals(answered == v.kind(), v.accepts(answered, HandshakeCommandIds.PROTOCOL_VERSION_2),
                        v.kind() + " answered by " + answered + " in version 2");
                assertEquals(answered == v.kind() || keyKinds, v.accepts(answered,
                        HandshakeCommandIds.PROTOCOL_VERSION_3), v.kind() + " answered by " + answered);
            }
        }
    }

    /** Unknown names get a decoy of every field's shape (version 2: P-256 keys; version 3: any key, here X25519). */
    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void aDecoyChallengeHasTheFieldShapesOfARealOne(int version) throws Exception {
        KeyExchangeGroup group = version == 3 ? KeyExchangeGroup.X25519 : KeyExchangeGroup.P256;
        LoginSubject known = subject("alice", Optional.of(account(KeyExchanges.forGroup(group).generate(RANDOM),
                group)), version);
        for (ProofVerifier v : verifiers) {
            try (ProofChallenge real = v.challenge(known, ENVELOPE_FIELD);
                    ProofChallenge decoy = v.challenge(known.asUnknown(), ENVELOPE_FIELD)) {
                assertEquals(shape(real), shape(decoy), v.kind() + " in version " + version);
                assertEquals(v.kind(), real.asked());
            }
        }
    }

    @Test
    void aSignatureOnlyLogsInAKnownAccountWhoseKeySigns() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(pair.getPrivate());
        signer.update(HandshakeLabels.signatureInput(HandshakeLabels.CLIENT_PROOF_SIGNATURE_CONTEXT, T));
        ProofAnswer answer = new ProofAnswer(ProofKind.SIGNATURE, SignatureAlgorithm.ED25519.code(), signer.sign());
        LoginAccount alice = new LoginAccount("alice", Account.Role.USER, pair.getPublic(), Optional.empty(), false);
        SignatureVerifier v = new SignatureVerifier(RANDOM, "192.0.2.1");
        LoginSubject subject = subject("alice", Optional.of(alice), 3);
        Optional<LoginGrant> grant = check(v, subject, answer, true);
        assertTrue(grant.isPresent());
        assertEquals(Account.Role.USER, grant.get().caller().role());
        assertEquals(ProofKind.SIGNATURE, grant.get().accountProof().orElseThrow().kind());
        assertFalse(check(v, subject.asUnknown(), answer, true).isPresent(), "an unknown name");
        assertFalse(check(v, subject, answer, false).isPresent(), "CLIENT_FINISHED did not verify");
        assertFalse(check(v, subject("alice", Optional.of(new LoginAccount("alice", Account.Role.USER,
                pair.getPublic(), Optional.empty(), false, false)), 3), answer, true).isPresent(), "derive-only");
        assertFalse(check(v, subject("alice", Optional.of(new LoginAccount("alice", Account.Role.USER,
                pair.getPublic(), Optional.empty(), true)), 3), answer, true).isPresent(), "disabled");
        assertFalse(check(v, subject, new ProofAnswer(ProofKind.SIGNATURE, 0x7777, answer.proof()), true)
                .isPresent(), "an unknown scheme");
    }

    @Test
    void aKeyAgreementProofIsCheckedWithTheAccountKeyAgainstTheChallengesEphemeral() throws Exception {
        KeyExchange.EphemeralKeyPair client = KeyExchanges.forGroup(KeyExchangeGroup.X25519).generate(RANDOM);
        LoginSubject subject = subject("bob", Optional.of(account(client, KeyExchangeGroup.X25519)), 3);
        KeyAgreementVerifier v = new KeyAgreementVerifier(RANDOM, "192.0.2.1");
        try (ProofChallenge challenge = v.challenge(subject, ENVELOPE_FIELD); KeySchedule schedule = schedule()) {
            byte[] share = field(challenge, HandshakeCommandIds.PROOF_EPHEMERAL_X25519);
            byte[] z = client.agree(Arrays.copyOfRange(share, 2, share.length));
            ProofAnswer right = new ProofAnswer(ProofKind.KEY_AGREEMENT, 0, schedule.keyAgreementProof(z, T));
            ProofAnswer wrong = new ProofAnswer(ProofKind.KEY_AGREEMENT, 0, schedule.keyAgreementProof(random(32), T));
            assertTrue(v.verify(new ProofCheck(subject, challenge, right, schedule, T, true)).isPresent());
            assertFalse(v.verify(new ProofCheck(subject, challenge, wrong, schedule, T, true)).isPresent());
            assertFalse(v.verify(new ProofCheck(subject.asUnknown(), challenge, right, schedule, T, true))
                    .isPresent(), "an unknown name");
        }
    }

    @Test
    void anEnrolmentCodeIsAcceptedOnlyByAProofBoundToThisHandshakeAndNotUsedUpByTheLogin() {
        EnrolmentCodeVerifier v = new EnrolmentCodeVerifier(oneCode(), RANDOM);
        LoginSubject subject = new LoginSubject("carol", Optional.empty(), true, false, 3);
        try (ProofChallenge challenge = v.challenge(subject, ENVELOPE_FIELD); KeySchedule schedule = schedule()) {
            byte[] otherHandshake = schedule.enrolmentProof(codeHash, random(48));
            assertFalse(v.verify(new ProofCheck(subject, challenge, enrolmentAnswer(otherHandshake), schedule, T,
                    true)).isPresent());
            Optional<LoginGrant> grant = v.verify(new ProofCheck(subject, challenge,
                    enrolmentAnswer(schedule.enrolmentProof(codeHash, T)), schedule, T, true));
            assertEquals(Account.Role.ENROLLING, grant.orElseThrow().caller().role());
            assertFalse(grant.get().reauthenticationDue());
            assertTrue(grant.get().caller().enrolment().isPresent(), "ENROL_ACCOUNT uses the code up, not the login");
        }
    }

    private ProofAnswer enrolmentAnswer(byte[] bound) {
        byte[] proof = Arrays.copyOf(codeHash, codeHash.length + bound.length);
        System.arraycopy(bound, 0, proof, codeHash.length, bound.length);
        return new ProofAnswer(ProofKind.ENROLMENT_CODE, 0, proof);
    }

    private static Optional<LoginGrant> check(ProofVerifier v, LoginSubject subject, ProofAnswer answer,
            boolean finishedOk) {
        try (ProofChallenge challenge = v.challenge(subject, ENVELOPE_FIELD); KeySchedule schedule = schedule()) {
            return v.verify(new ProofCheck(subject, challenge, answer, schedule, T, finishedOk));
        }
    }

    private static KeySchedule schedule() {
        KeySchedule schedule = new KeySchedule(SuiteRegistry.standard().all().get(0));
        schedule.mixKeyExchange(random(32));
        return schedule;
    }

    private static LoginSubject subject(String name, Optional<LoginAccount> account, long version) {
        return new LoginSubject(name, account, false, false, version);
    }

    private static LoginAccount account(KeyExchange.EphemeralKeyPair key, KeyExchangeGroup group) throws Exception {
        return new LoginAccount("alice", Account.Role.USER, PublicKeys.decode(group, key.publicKey()),
                Optional.empty(), false);
    }

    /** Each field's id and length (an integer's value), in order: what a prober compares. */
    private static List<String> shape(ProofChallenge challenge) {
        List<String> shape = new ArrayList<>();
        for (RispCommand c : challenge.fields()) {
            shape.add(String.format("%04x:%d", c.id(), c.hasBytes() ? c.length() : c.number()));
        }
        return shape;
    }

    private static byte[] field(ProofChallenge challenge, int id) {
        return challenge.fields().stream().filter(c -> c.id() == id).findFirst().orElseThrow().copyBytes();
    }

    private Enrolments oneCode() {
        EnrolmentCode code = new EnrolmentCode(codeHash.clone(), "enrol", Optional.of("carol"), Account.Role.USER,
                Account.Kind.PERSON, java.time.Instant.now().plusSeconds(3600));
        return new Enrolments() {
            @Override
            public List<EnrolmentCode> active(String username) {
                return "carol".equals(username) ? List.of(code) : List.of();
            }

            @Override
            public byte[] verifier(byte[] presented) {
                return presented.clone();
            }
        };
    }

    /** Security keys answer with options of one shape for every name, as {@code WebAuthnService} does. */
    private static WebAuthnLogins decoyOptionsOnly() {
        return new WebAuthnLogins() {
            @Override
            public byte[] requestOptions(String username, Optional<LoginAccount> account) {
                return new byte[200];
            }

            @Override
            public boolean verify(String username, Optional<LoginAccount> account, byte[] challenge, byte[] proof) {
                return false;
            }
        };
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
