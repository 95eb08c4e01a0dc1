package org.opencluster.auth.protocol.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.frame.FrameConfig;
import org.opencluster.auth.protocol.frame.FrameError;
import org.opencluster.auth.protocol.frame.FrameException;
import org.opencluster.auth.protocol.frame.TrafficSecret;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.session.SecureChannel;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.Hkdf;
import org.opencluster.auth.protocol.suite.SuiteRegistry;

/** Re-authentication's key schedule (section 5.13): both sides agree, and every input changes the outcome. */
class ReauthScheduleTest {
    private static final CipherSuite SUITE = SuiteRegistry.standard().byId(0x0101).orElseThrow();
    private static final byte[] NONCE = filled(32, 7);
    private static final byte[] SHARE = filled(34, 9);

    private static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }

    private static ReauthSchedule schedule() {
        return new ReauthSchedule(SUITE, filled(48, 1));
    }

    @Test
    void contextIsTheHmacOfCounterKindNonceAndShareUnderTheCurrentSecret() {
        ByteBuffer in = ByteBuffer.allocate(4 + 1 + 32 + 2 + SHARE.length);
        in.putInt(1).put((byte) 2).put(NONCE).putShort((short) SHARE.length).put(SHARE);
        byte[] expected = Hkdf.hmac(SUITE.hash(), filled(48, 1), in.array());
        assertArrayEquals(expected, schedule().context(ProofKind.KEY_AGREEMENT, NONCE, SHARE));
    }

    @Test
    void bothSidesDeriveTheSameSecretsAndTheNextContextMovesOn() {
        ReauthSchedule client = schedule();
        ReauthSchedule server = schedule();
        byte[] z = filled(32, 5);
        byte[] c1 = client.context(ProofKind.KEY_AGREEMENT, NONCE, SHARE);
        assertArrayEquals(c1, server.context(ProofKind.KEY_AGREEMENT, NONCE, SHARE));
        assertTrue(server.verifyKeyAgreementProof(z, c1, client.keyAgreementProof(z, c1)));
        try (TrafficSecrets a = client.advance(z, c1); TrafficSecrets b = server.advance(z, c1)) {
            assertArrayEquals(a.clientToServer().secretBytes(), b.clientToServer().secretBytes());
            assertArrayEquals(a.serverToClient().secretBytes(), b.serverToClient().secretBytes());
            assertFalse(Arrays.equals(a.clientToServer().secretBytes(), a.serverToClient().secretBytes()));
        }
        assertEquals(1, client.completed());
        // Same challenge values again: a different context (counter and secret moved), so an old proof is useless.
        byte[] c2 = client.context(ProofKind.KEY_AGREEMENT, NONCE, SHARE);
        assertFalse(Arrays.equals(c1, c2));
        assertFalse(server.verifyKeyAgreementProof(z, c2, client.keyAgreementProof(z, c1)));
    }

    @Test
    void theNewKeysDependOnTheTokensKeyAgreementOutput() {
        byte[] c = schedule().context(ProofKind.KEY_AGREEMENT, NONCE, SHARE);
        try (TrafficSecrets withZ = schedule().advance(filled(32, 5), c);
                TrafficSecrets otherZ = schedule().advance(filled(32, 6), c);
                TrafficSecrets noZ = schedule().advance(null, c)) {
            assertFalse(Arrays.equals(withZ.clientToServer().secretBytes(), otherZ.clientToServer().secretBytes()));
            assertFalse(Arrays.equals(withZ.clientToServer().secretBytes(), noZ.clientToServer().secretBytes()));
        }
        assertFalse(schedule().verifyKeyAgreementProof(filled(32, 6), c, schedule().keyAgreementProof(filled(32, 5), c)));
    }

    @Test
    void everyChallengeFieldIsBound() {
        byte[] base = schedule().context(ProofKind.SIGNATURE, NONCE, new byte[0]);
        assertFalse(Arrays.equals(base, schedule().context(ProofKind.KEY_AGREEMENT, NONCE, new byte[0])));
        assertFalse(Arrays.equals(base, schedule().context(ProofKind.SIGNATURE, filled(32, 8), new byte[0])));
        assertFalse(Arrays.equals(base, schedule().context(ProofKind.SIGNATURE, NONCE, SHARE)));
        assertFalse(Arrays.equals(base, new ReauthSchedule(SUITE, filled(48, 2)).context(ProofKind.SIGNATURE, NONCE,
                new byte[0])));
        assertThrows(IllegalArgumentException.class, () -> schedule().context(ProofKind.SIGNATURE, new byte[31],
                new byte[0]));
        byte[] input = ReauthSchedule.signatureInput(base);
        assertEquals(64 + "oca1 client reauth signature".length() + 1 + 48, input.length);
    }

    @Test
    void channelsSwitchTogetherAndAFrameUnderTheOldKeyIsRefused() throws Exception {
        FrameConfig config = FrameConfig.builder().build();
        TrafficSecret c0 = new TrafficSecret(SUITE, filled(48, 3));
        TrafficSecret s0 = new TrafficSecret(SUITE, filled(48, 4));
        SecureChannel client = new SecureChannel(new org.opencluster.auth.protocol.frame.FrameSealer(c0, config),
                new org.opencluster.auth.protocol.frame.FrameOpener(s0, config), RispDecoder.framingOnly());
        SecureChannel server = new SecureChannel(new org.opencluster.auth.protocol.frame.FrameSealer(s0, config),
                new org.opencluster.auth.protocol.frame.FrameOpener(c0, config), RispDecoder.framingOnly());
        ByteBuffer oldFrame = client.send(List.of(RispCommand.none(0x7101)), ByteBuffer.allocate(64)).flip();
        byte[] c = schedule().context(ProofKind.SIGNATURE, NONCE, new byte[0]);
        try (TrafficSecrets k = schedule().advance(null, c)) {
            client.rekey(k.clientToServer(), k.serverToClient());
            server.rekey(k.serverToClient(), k.clientToServer());
        }
        ByteBuffer fresh = client.send(List.of(RispCommand.none(0x7103)), ByteBuffer.allocate(64)).flip();
        assertEquals(0x7103, deliver(server, fresh).get(0).id());
        ByteBuffer back = server.send(List.of(RispCommand.none(0x7102)), ByteBuffer.allocate(64)).flip();
        assertEquals(0x7102, deliver(client, back).get(0).id());
        FrameException stale = assertThrows(FrameException.class, () -> deliver(server, oldFrame));
        assertEquals(FrameError.AUTHENTICATION_FAILED, stale.error());
    }

    private static List<RispCommand> deliver(SecureChannel to, ByteBuffer wire) throws FrameException {
        List<RispCommand> outer = new ArrayList<>();
        RispDecoder.framingOnly().feed(wire, outer::add);
        List<RispCommand> got = new ArrayList<>();
        for (RispCommand o : outer) {
            to.receive(o, got::add);
        }
        return got;
    }
}
