package org.opencluster.auth.protocol.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.frame.FrameConfig;
import org.opencluster.auth.protocol.frame.FrameError;
import org.opencluster.auth.protocol.frame.FrameException;
import org.opencluster.auth.protocol.frame.FrameOpener;
import org.opencluster.auth.protocol.frame.FrameSealer;
import org.opencluster.auth.protocol.frame.TrafficSecret;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.risp.RispError;
import org.opencluster.auth.protocol.risp.RispProtocolException;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.SuiteRegistry;

class SecureChannelTest {
    private static final FrameConfig CONFIG = FrameConfig.builder().keyUpdateAfterRecords(3).build();

    private static TrafficSecret secret(CipherSuite suite, int seed) {
        byte[] s = new byte[suite.hash().length()];
        java.util.Arrays.fill(s, (byte) seed);
        return new TrafficSecret(suite, s);
    }

    /** A connected pair: a's sealer feeds b's opener and the other way round. */
    private static SecureChannel[] pair(CipherSuite suite) {
        TrafficSecret ab = secret(suite, 1);
        TrafficSecret ba = secret(suite, 2);
        SecureChannel a = new SecureChannel(new FrameSealer(ab, CONFIG), new FrameOpener(ba, CONFIG),
                RispDecoder.framingOnly());
        SecureChannel b = new SecureChannel(new FrameSealer(ba, CONFIG), new FrameOpener(ab, CONFIG),
                RispDecoder.framingOnly());
        return new SecureChannel[] {a, b};
    }

    /** The outer commands of the bytes {@code a} sent. */
    private static List<RispCommand> outer(ByteBuffer wire) {
        wire.flip();
        List<RispCommand> out = new ArrayList<>();
        RispDecoder.framingOnly().feed(wire, out::add);
        return out;
    }

    private static List<RispCommand> deliver(SecureChannel to, List<RispCommand> outer) throws FrameException {
        List<RispCommand> got = new ArrayList<>();
        for (RispCommand c : outer) {
            to.receive(c, got::add);
        }
        return got;
    }

    @Test
    void commandsRoundTripOnEverySuiteAcrossKeyUpdates() throws Exception {
        for (CipherSuite suite : SuiteRegistry.standard().all()) {
            SecureChannel[] p = pair(suite);
            for (int i = 0; i < 10; i++) {
                List<RispCommand> sent = List.of(RispCommand.none(0x7101),
                        RispCommand.string(0x9104, ("hello " + i).getBytes()), RispCommand.integer(0x3001, -i));
                List<RispCommand> outer = outer(p[0].send(sent, ByteBuffer.allocate(16)));
                assertEquals(3, outer.size(), "marker, length, ciphertext");
                assertEquals(sent, deliver(p[1], outer), suite + " frame " + i);
            }
        }
    }

    @Test
    void aServerChannelReusesOneDecryptionBufferAndSendsExactlySizedFrames() throws Exception {
        CipherSuite suite = SuiteRegistry.standard().all().get(0);
        TrafficSecret ab = secret(suite, 3);
        TrafficSecret ba = secret(suite, 4);
        SecureChannel client = new SecureChannel(new FrameSealer(ab, CONFIG), new FrameOpener(ba, CONFIG),
                RispDecoder.framingOnly());
        SecureChannel server = new SecureChannel(new FrameSealer(ba, CONFIG), new FrameOpener(ab, CONFIG),
                RispDecoder.framingOnly(), true);
        for (int i = 0; i < 50; i++) {
            List<RispCommand> sent = List.of(RispCommand.string(0x9104, new byte[i * 37]), RispCommand.integer(0x3001, i));
            ByteBuffer exact = ByteBuffer.allocate(client.frameLength(sent));
            ByteBuffer wire = client.send(sent, exact);
            assertTrue(wire == exact && !wire.hasRemaining(), "the frame fills an exactly sized buffer");
            List<RispCommand> got = deliver(server, outer(wire));
            assertEquals(sent, got, "frame " + i);
        }
    }

    @Test
    void tamperedReplayedAndMisorderedFramesKillTheChannel() throws Exception {
        CipherSuite suite = SuiteRegistry.standard().all().get(0);
        SecureChannel[] p = pair(suite);
        List<RispCommand> first = outer(p[0].send(List.of(RispCommand.none(0x7101)), ByteBuffer.allocate(64)));
        deliver(p[1], first);
        FrameException replay = assertThrows(FrameException.class, () -> deliver(p[1], first));
        assertEquals(FrameError.AUTHENTICATION_FAILED, replay.error());
        assertThrows(FrameException.class, () -> deliver(p[1],
                outer(p[0].send(List.of(RispCommand.none(0x7101)), ByteBuffer.allocate(64)))), "dead after a failure");

        SecureChannel[] q = pair(suite);
        List<RispCommand> frame = outer(q[0].send(List.of(RispCommand.none(0x7101)), ByteBuffer.allocate(64)));
        byte[] flipped = frame.get(2).copyBytes();
        flipped[0] ^= 1;
        List<RispCommand> tampered = List.of(frame.get(0), frame.get(1), RispCommand.string(0xa300, flipped));
        assertEquals(FrameError.AUTHENTICATION_FAILED, assertThrows(FrameException.class,
                () -> deliver(q[1], tampered)).error());

        SecureChannel[] r = pair(suite);
        List<RispCommand> f = outer(r[0].send(List.of(RispCommand.none(0x7101)), ByteBuffer.allocate(64)));
        assertEquals(FrameError.MALFORMED_HEADER, assertThrows(FrameException.class,
                () -> deliver(r[1], List.of(f.get(1), f.get(0), f.get(2)))).error());
        assertEquals(FrameError.MALFORMED_HEADER, assertThrows(FrameException.class,
                () -> pair(suite)[1].receive(RispCommand.none(0x7101), c -> { })).error(), "plaintext after login");
    }

    @Test
    void closeFrameIsReportedAndAFrameWithAHalfCommandIsRefused() throws Exception {
        CipherSuite suite = SuiteRegistry.standard().all().get(1);
        SecureChannel[] p = pair(suite);
        List<RispCommand> close = outer(p[0].sendClose(ByteBuffer.allocate(64)));
        boolean closed = false;
        for (RispCommand c : close) {
            closed |= p[1].receive(c, x -> { });
        }
        assertTrue(closed);

        // An authentic frame whose plaintext ends inside a command: the peer is broken, the codec says so.
        TrafficSecret ab = secret(suite, 7);
        FrameSealer raw = new FrameSealer(ab, CONFIG);
        SecureChannel receiver = new SecureChannel(new FrameSealer(secret(suite, 8), CONFIG),
                new FrameOpener(ab, CONFIG), RispDecoder.framingOnly());
        ByteBuffer wire = ByteBuffer.allocate(128);
        raw.seal(ByteBuffer.wrap(new byte[] {(byte) 0x90, 0x04, 0x00}), wire);
        List<RispCommand> frame = outer(wire);
        RispProtocolException e = assertThrows(RispProtocolException.class, () -> deliver(receiver, frame));
        assertEquals(RispError.TRUNCATED, e.error());
        assertFalse(SecureChannel.isFrameCommand(0x7101));
    }

    /**
     * A receiver whose decoder copies strings (the transports' mode) decrypts each frame where its ciphertext lies,
     * on every suite, across key updates, with the wire buffer reused between frames; a flipped bit still fails.
     */
    @Test
    void framesFromACopyingDecoderAreOpenedInPlace() throws Exception {
        for (CipherSuite suite : SuiteRegistry.standard().all()) {
            SecureChannel[] p = pair(suite);
            RispDecoder wireDecoder = RispDecoder.builder().copyStrings(true).build();
            ByteBuffer reused = ByteBuffer.allocate(70_000);
            for (int i = 0; i < 8; i++) {
                byte[] payload = new byte[i % 2 == 0 ? 40 : 20_000];
                java.util.Arrays.fill(payload, (byte) i);
                List<RispCommand> sent = List.of(RispCommand.string(0x9104, payload), RispCommand.none(0x7101));
                reused.clear();
                ByteBuffer wire = p[0].send(sent, reused).flip();
                List<RispCommand> outer = new ArrayList<>();
                wireDecoder.feed(wire, outer::add);
                assertTrue(outer.get(2).ownedBytes() != null, "the ciphertext is the decoder's own copy");
                assertEquals(sent, deliver(p[1], outer), suite + " frame " + i);
            }
            reused.clear();
            ByteBuffer wire = p[0].send(List.of(RispCommand.none(0x7101)), reused).flip();
            wire.put(wire.limit() - 1, (byte) (wire.get(wire.limit() - 1) ^ 1));
            List<RispCommand> outer = new ArrayList<>();
            wireDecoder.feed(wire, outer::add);
            FrameException e = assertThrows(FrameException.class, () -> deliver(p[1], outer));
            assertEquals(FrameError.AUTHENTICATION_FAILED, e.error());
        }
    }
}
