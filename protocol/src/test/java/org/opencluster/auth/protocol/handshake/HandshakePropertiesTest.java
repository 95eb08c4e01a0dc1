package org.opencluster.auth.protocol.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.opencluster.auth.protocol.suite.SuiteRegistry.OCA_P256_AES_256_GCM_SHA384;
import static org.opencluster.auth.protocol.suite.SuiteRegistry.OCA_P256_CHACHA20_POLY1305_SHA256;
import static org.opencluster.auth.protocol.suite.SuiteRegistry.OCA_X25519_AES_256_GCM_SHA384;
import static org.opencluster.auth.protocol.suite.SuiteRegistry.OCA_X25519_CHACHA20_POLY1305_SHA256;
import static org.opencluster.auth.protocol.suite.SuiteRegistry.OCA_X25519MLKEM768_AES_256_GCM_SHA384;
import static org.opencluster.auth.protocol.suite.SuiteRegistry.OCA_X25519MLKEM768_CHACHA20_POLY1305_SHA256;

import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.opencluster.auth.protocol.frame.FrameConfig;
import org.opencluster.auth.protocol.frame.FrameError;
import org.opencluster.auth.protocol.frame.FrameException;
import org.opencluster.auth.protocol.frame.FrameOpener;
import org.opencluster.auth.protocol.frame.FrameSealer;
import org.opencluster.auth.protocol.suite.SuitePolicy;
import org.opencluster.auth.protocol.suite.SuiteRegistry;

/**
 * Issue 4's properties 1-5 at the level of the crypto core, with both parties and an attacker in one process
 * (see {@link SimulatedHandshake}).
 */
class HandshakePropertiesTest {
    private static final Set<Integer> ALL = Set.of(OCA_X25519MLKEM768_AES_256_GCM_SHA384,
            OCA_X25519MLKEM768_CHACHA20_POLY1305_SHA256, OCA_X25519_AES_256_GCM_SHA384,
            OCA_X25519_CHACHA20_POLY1305_SHA256, OCA_P256_AES_256_GCM_SHA384, OCA_P256_CHACHA20_POLY1305_SHA256);

    static Stream<Arguments> suitesAndProofKinds() {
        return SuiteRegistry.standard().all().stream().flatMap(s -> Stream.of(ProofKind.values())
                .map(k -> Arguments.of(s.id(), k)));
    }

    private static SimulatedHandshake.Server serverPreferring(int suiteId) throws Exception {
        SuitePolicy p = SuitePolicy.initial(SuiteRegistry.standard());
        p = p.disable(suiteId).enable(suiteId, 0);
        return SimulatedHandshake.Server.create(p);
    }

    @ParameterizedTest
    @MethodSource("suitesAndProofKinds")
    void bothSidesEndWithTheSameKeysAndAnAcceptedProof(int suiteId, ProofKind kind) throws Exception {
        SimulatedHandshake.Server server = serverPreferring(suiteId);
        KeyPair account = SimulatedHandshake.p256();
        SimulatedHandshake.Run run = SimulatedHandshake.run(server, server.identity().getPublic().getEncoded(), ALL,
                account, kind, new SimulatedHandshake.Wire());
        assertEquals(suiteId, run.suite.id());
        assertTrue(run.proofAccepted);
        assertTrue(run.clientFinishedAccepted);
        assertArrayEquals(run.clientApplication.clientToServer().secretBytes(),
                run.serverApplication.clientToServer().secretBytes());
        assertArrayEquals(run.clientApplication.serverToClient().secretBytes(),
                run.serverApplication.serverToClient().secretBytes());
        // application frames flow both ways
        FrameConfig fc = FrameConfig.defaults();
        byte[] hello = "PING".getBytes();
        assertArrayEquals(hello, SimulatedHandshake.transfer(run.clientApplication.sealer(Role.CLIENT, fc),
                run.serverApplication.opener(Role.SERVER, fc), hello));
        assertArrayEquals(hello, SimulatedHandshake.transfer(run.serverApplication.sealer(Role.SERVER, fc),
                run.clientApplication.opener(Role.CLIENT, fc), hello));
    }

    @Test
    void aWrongAccountKeyIsRefused() throws Exception {
        SimulatedHandshake.Server server = serverPreferring(OCA_X25519_AES_256_GCM_SHA384);
        for (ProofKind kind : ProofKind.values()) {
            KeyPair registered = SimulatedHandshake.p256();
            KeyPair impostor = SimulatedHandshake.p256();
            SimulatedHandshake.Wire wire = new SimulatedHandshake.Wire();
            SimulatedHandshake.Run run = SimulatedHandshake.run(server, server.identity().getPublic().getEncoded(),
                    ALL, impostor, kind, wire);
            // the server checks against the registered key, not the one the client used
            byte[] z = SimulatedHandshake.ecdh(run.serverProofEphemeralPair.getPrivate(), registered.getPublic());
            assertFalse(SimulatedHandshake.verifyProof(run.serverSchedule, kind, z,
                    run.serverTranscriptThroughServerFinished, run.proofSent, registered.getPublic()), kind.name());
        }
    }

    /** Property 4: a man in the middle that strips or reorders the offered suites breaks the server signature. */
    @Test
    void strippingThePreferredSuiteFromTheSignedListIsDetected() throws Exception {
        SimulatedHandshake.Server server = serverPreferring(OCA_X25519_AES_256_GCM_SHA384);
        SimulatedHandshake.Wire wire = new SimulatedHandshake.Wire();
        wire.serverHello = sh -> {
            List<byte[]> f = SimulatedHandshake.fields(sh);
            try {
                SuitePolicy weaker = SuitePolicy.parse(SuiteRegistry.standard(), f.get(2))
                        .disable(OCA_X25519_AES_256_GCM_SHA384);
                // keep the version number: a careful attacker makes the list look unchanged
                f.set(2, SuitePolicy.of(SuiteRegistry.standard(), server.policy().version(), weaker.enabledIds())
                        .encode());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return SimulatedHandshake.message(HandshakeCommandIds.HS_SERVER_HELLO, f.toArray(new byte[0][]));
        };
        HandshakeException e = assertThrows(HandshakeException.class, () -> SimulatedHandshake.run(server,
                server.identity().getPublic().getEncoded(), ALL, SimulatedHandshake.p256(), ProofKind.SIGNATURE, wire));
        assertEquals(HandshakeError.BAD_SERVER_SIGNATURE, e.error());
    }

    /** A changed choice is refused by the server's rule, and even without it the keys would not match. */
    @Test
    void aTamperedChoiceIsDetected() throws Exception {
        SimulatedHandshake.Server server = serverPreferring(OCA_X25519_AES_256_GCM_SHA384);
        SimulatedHandshake.Wire wire = new SimulatedHandshake.Wire();
        wire.clientChoice = cc -> {
            List<byte[]> f = SimulatedHandshake.fields(cc);
            f.set(0, SimulatedHandshake.u16(OCA_X25519_CHACHA20_POLY1305_SHA256));
            return SimulatedHandshake.message(HandshakeCommandIds.HS_CLIENT_CHOICE, f.toArray(new byte[0][]));
        };
        assertEquals(HandshakeError.DOWNGRADE_DETECTED, assertThrows(HandshakeException.class,
                () -> SimulatedHandshake.run(server, server.identity().getPublic().getEncoded(), ALL,
                        SimulatedHandshake.p256(), ProofKind.SIGNATURE, wire)).error());
    }

    @Test
    void anyChangeToTheClientChoiceBytesGivesDifferentHandshakeKeys() throws Exception {
        // Same suite, same secret, transcripts differing in one byte of CLIENT_CHOICE (e.g. its extensions).
        var suite = SuiteRegistry.standard().require(OCA_P256_CHACHA20_POLY1305_SHA256);
        byte[] dh = new byte[32];
        SimulatedHandshake.RANDOM.nextBytes(dh);
        KeySchedule a = new KeySchedule(suite);
        KeySchedule b = new KeySchedule(suite);
        a.mixKeyExchange(dh);
        b.mixKeyExchange(dh);
        byte[] cc = SimulatedHandshake.message(HandshakeCommandIds.HS_CLIENT_CHOICE, new byte[] {1, 4});
        byte[] ccTampered = cc.clone();
        ccTampered[4] ^= 1;
        TrafficSecrets sa = a.handshakeTraffic(new Transcript(suite.hash()).add(cc).hash());
        TrafficSecrets sb = b.handshakeTraffic(new Transcript(suite.hash()).add(ccTampered).hash());
        FrameSealer out = sa.sealer(Role.SERVER, FrameConfig.defaults());
        FrameOpener in = sb.opener(Role.CLIENT, FrameConfig.defaults());
        FrameException e = assertThrows(FrameException.class,
                () -> SimulatedHandshake.transfer(out, in, "LOGIN_CHALLENGE".getBytes()));
        assertEquals(FrameError.AUTHENTICATION_FAILED, e.error());
    }

    @Test
    void aChangedServerKeyIsRefused() throws Exception {
        SimulatedHandshake.Server server = serverPreferring(OCA_X25519_AES_256_GCM_SHA384);
        byte[] oldPin = SimulatedHandshake.p256().getPublic().getEncoded();
        assertEquals(HandshakeError.SERVER_KEY_CHANGED, assertThrows(HandshakeException.class,
                () -> SimulatedHandshake.run(server, oldPin, ALL, SimulatedHandshake.p256(), ProofKind.SIGNATURE,
                        new SimulatedHandshake.Wire())).error());
    }

    /** Property 3: a proof recorded in one session is worthless in the next one, for both proof kinds. */
    @Test
    void aProofReplayedIntoAnotherSessionIsRefused() throws Exception {
        SimulatedHandshake.Server server = serverPreferring(OCA_P256_AES_256_GCM_SHA384);
        KeyPair account = SimulatedHandshake.p256();
        byte[] pin = server.identity().getPublic().getEncoded();
        for (ProofKind kind : ProofKind.values()) {
            SimulatedHandshake.Run first = SimulatedHandshake.run(server, pin, ALL, account, kind,
                    new SimulatedHandshake.Wire());
            assertTrue(first.proofAccepted);
            SimulatedHandshake.Wire replay = new SimulatedHandshake.Wire();
            replay.proof = fresh -> first.proofSent;
            SimulatedHandshake.Run second = SimulatedHandshake.run(server, pin, ALL, account, kind, replay);
            assertFalse(second.proofAccepted, kind.name());
        }
    }

    /**
     * Property 3 (relay): a malicious server M, talking to the real server S as "alice", forwards S's proof
     * ephemeral to the real client inside M's own handshake. The client's proof is bound to M's transcript (M's
     * certificate, M's randoms and key exchange), so S refuses it.
     */
    @Test
    void aProofRelayedThroughASecondServerIsRefused() throws Exception {
        KeyPair account = SimulatedHandshake.p256();
        SimulatedHandshake.Server realServer = serverPreferring(OCA_X25519_AES_256_GCM_SHA384);
        SimulatedHandshake.Server relay = serverPreferring(OCA_X25519_AES_256_GCM_SHA384);
        for (ProofKind kind : ProofKind.values()) {
            // M's session with S (M cannot prove anything itself; we only need S's state and challenge)
            SimulatedHandshake.Run atRealServer = SimulatedHandshake.run(realServer,
                    realServer.identity().getPublic().getEncoded(), ALL, SimulatedHandshake.p256(), kind,
                    new SimulatedHandshake.Wire());
            // The client's session with M, in which the client answers the same kind of challenge
            SimulatedHandshake.Run atRelay = SimulatedHandshake.run(relay, relay.identity().getPublic().getEncoded(),
                    ALL, account, kind, new SimulatedHandshake.Wire());
            assertTrue(atRelay.proofAccepted);
            // S evaluates the relayed proof in its own session, as if M's ephemeral had been S's
            byte[] zAtS = SimulatedHandshake.ecdh(atRealServer.serverProofEphemeralPair.getPrivate(),
                    account.getPublic());
            assertFalse(SimulatedHandshake.verifyProof(atRealServer.serverSchedule, kind, zAtS,
                    atRealServer.serverTranscriptThroughServerFinished, atRelay.proofSent, account.getPublic()),
                    kind.name());
            // and even with the very same Z (M relayed S's ephemeral), the key-agreement proof differs
            if (kind == ProofKind.KEY_AGREEMENT) {
                byte[] sameZ = atRelay.serverZ;
                assertFalse(atRealServer.serverSchedule.verifyKeyAgreementProof(sameZ,
                        atRealServer.serverTranscriptThroughServerFinished,
                        atRelay.serverSchedule.keyAgreementProof(sameZ, atRelay.serverTranscriptThroughServerFinished)));
            }
        }
    }

    @Test
    void noCommonSuiteIsAClearError() throws Exception {
        SimulatedHandshake.Server server = SimulatedHandshake.Server.create(SuitePolicy.of(SuiteRegistry.standard(), 9,
                List.of(OCA_P256_AES_256_GCM_SHA384)));
        assertEquals(HandshakeError.NO_COMMON_SUITE, assertThrows(HandshakeException.class,
                () -> SimulatedHandshake.run(server, server.identity().getPublic().getEncoded(),
                        Set.of(OCA_X25519_CHACHA20_POLY1305_SHA256), SimulatedHandshake.p256(), ProofKind.SIGNATURE,
                        new SimulatedHandshake.Wire())).error());
    }

    @Test
    void keyScheduleStepsOutOfOrderAreRefused() throws Exception {
        KeySchedule ks = new KeySchedule(SuiteRegistry.standard().require(OCA_X25519_AES_256_GCM_SHA384));
        assertThrows(IllegalStateException.class, () -> ks.handshakeTraffic(new byte[48]));
        ks.mixKeyExchange(new byte[32]);
        assertThrows(IllegalStateException.class, () -> ks.mixKeyExchange(new byte[32]));
        assertThrows(IllegalStateException.class, () -> ks.serverFinished(new byte[48]));
        assertThrows(IllegalStateException.class, () -> ks.applicationTraffic(new byte[48]));
    }

    @Test
    void transcriptHashIsTheDigestOfTheConcatenationAndReadingItChangesNothing() throws Exception {
        Transcript t = new Transcript(org.opencluster.auth.protocol.suite.HashAlgorithm.SHA256);
        t.add(new byte[] {1, 2}).hash();
        t.add(ByteBuffer.wrap(new byte[] {3}));
        assertArrayEquals(java.security.MessageDigest.getInstance("SHA-256").digest(new byte[] {1, 2, 3}), t.hash());
        assertArrayEquals(t.hash(), t.hash());
        assertEquals(2, t.messageCount());
    }
}
