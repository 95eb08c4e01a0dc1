package org.opencluster.auth.protocol.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.SuiteRegistry;

class FrameTest {
    private static final CipherSuite AES = SuiteRegistry.standard().byId(SuiteRegistry.OCA_X25519_AES_256_GCM_SHA384)
            .orElseThrow();

    static Stream<CipherSuite> suites() {
        return SuiteRegistry.standard().all().stream();
    }

    static TrafficSecret secret(CipherSuite suite, int seed) {
        byte[] s = new byte[suite.hash().length()];
        new Random(seed).nextBytes(s);
        return new TrafficSecret(suite, s);
    }

    static byte[] payload(int length, int seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    static ByteBuffer sealOne(FrameSealer sealer, byte[] plaintext) throws FrameException {
        ByteBuffer out = ByteBuffer.allocate(sealer.frameLength(plaintext.length));
        assertEquals(out.capacity(), sealer.seal(ByteBuffer.wrap(plaintext), out));
        return out.flip();
    }

    static byte[] openOne(FrameOpener opener, ByteBuffer frame) throws FrameException {
        ByteBuffer out = ByteBuffer.allocate(frame.remaining());
        int n = opener.openFrame(frame, out);
        return Arrays.copyOf(out.array(), n);
    }

    @ParameterizedTest
    @MethodSource("suites")
    void roundTripsEverySizeOnEverySuite(CipherSuite suite) throws Exception {
        try (FrameSealer sealer = new FrameSealer(secret(suite, 1), FrameConfig.defaults());
             FrameOpener opener = new FrameOpener(secret(suite, 1), FrameConfig.defaults())) {
            for (int size : new int[] {0, 1, 15, 16, 17, 64, 1000, 16384, 65536}) {
                byte[] p = payload(size, size);
                ByteBuffer frame = sealOne(sealer, p);
                assertEquals(FrameHeader.LENGTH + size + 16, frame.remaining());
                assertArrayEquals(p, openOne(opener, frame), "size " + size);
            }
            assertEquals(9, opener.sequence());
        }
    }

    @ParameterizedTest
    @MethodSource("suites")
    void sealsAndOpensInPlaceInHeapAndDirectBuffers(CipherSuite suite) throws Exception {
        for (boolean direct : new boolean[] {false, true}) {
            try (FrameSealer sealer = new FrameSealer(secret(suite, 2), FrameConfig.defaults());
                 FrameOpener opener = new FrameOpener(secret(suite, 2), FrameConfig.defaults())) {
                for (int size : new int[] {0, 100, 16384}) {
                    byte[] p = payload(size, 7);
                    ByteBuffer buf = direct ? ByteBuffer.allocateDirect(sealer.frameLength(size))
                            : ByteBuffer.allocate(sealer.frameLength(size));
                    buf.position(FrameHeader.LENGTH);
                    buf.put(p);
                    ByteBuffer plaintext = buf.duplicate().position(FrameHeader.LENGTH).limit(FrameHeader.LENGTH + size);
                    ByteBuffer out = buf.duplicate().clear();
                    sealer.seal(plaintext, out);
                    assertEquals(buf.capacity(), out.position());
                    // open in place: the plaintext lands where the ciphertext started
                    ByteBuffer ciphertext = buf.duplicate().position(FrameHeader.LENGTH).limit(buf.capacity());
                    ByteBuffer target = buf.duplicate().position(FrameHeader.LENGTH);
                    assertEquals(size, opener.open(FrameType.DATA, size, ciphertext, target));
                    byte[] back = new byte[size];
                    buf.duplicate().position(FrameHeader.LENGTH).get(back);
                    assertArrayEquals(p, back, (direct ? "direct " : "heap ") + size);
                }
            }
        }
    }

    @Test
    void headerIsTheCanonicalRispEncodingOfTheThreeCommands() throws Exception {
        try (FrameSealer sealer = new FrameSealer(secret(AES, 3), FrameConfig.defaults())) {
            ByteBuffer frame = sealOne(sealer, new byte[] {1, 2, 3});
            byte[] header = new byte[FrameHeader.LENGTH];
            frame.get(header);
            assertEquals("7300" + "2300" + "00000003" + "a300" + "00000013", java.util.HexFormat.of().formatHex(header));
        }
    }

    /** Each direction has its own secret: a frame reflected back to its sender does not open. */
    @Test
    void aFrameReflectedToItsSenderIsRefused() throws Exception {
        try (FrameSealer clientOut = new FrameSealer(secret(AES, 10), FrameConfig.defaults());
             FrameOpener clientIn = new FrameOpener(secret(AES, 11), FrameConfig.defaults())) {
            FrameException e = assertThrows(FrameException.class,
                    () -> openOne(clientIn, sealOne(clientOut, payload(10, 1))));
            assertEquals(FrameError.AUTHENTICATION_FAILED, e.error());
        }
    }

    @ParameterizedTest
    @MethodSource("suites")
    void everySingleBitFlipIsDetectedAndKillsTheChannel(CipherSuite suite) throws Exception {
        byte[] p = payload(40, 5);
        int frameLength = FrameSealer.frameLength(suite.aead(), p.length);
        for (int bit = 0; bit < frameLength * 8; bit++) {
            ByteBuffer frame;
            try (FrameSealer sealer = new FrameSealer(secret(suite, 4), FrameConfig.defaults())) {
                frame = sealOne(sealer, p);
            }
            frame.put(bit / 8, (byte) (frame.get(bit / 8) ^ (1 << (bit % 8))));
            try (FrameOpener opener = new FrameOpener(secret(suite, 4), FrameConfig.defaults())) {
                ByteBuffer out = ByteBuffer.allocate(frameLength);
                FrameException e = assertThrows(FrameException.class, () -> opener.openFrame(frame, out));
                assertTrue(opener.failed());
                for (int i = 0; i < out.capacity(); i++) {
                    assertEquals(0, out.get(i), "no unauthenticated plaintext may be released");
                }
                assertNotEquals(FrameError.CHANNEL_FAILED, e.error());
                ByteBuffer good;
                try (FrameSealer sealer = new FrameSealer(secret(suite, 4), FrameConfig.defaults())) {
                    good = sealOne(sealer, p);
                }
                assertEquals(FrameError.CHANNEL_FAILED, assertThrows(FrameException.class,
                        () -> opener.openFrame(good, ByteBuffer.allocate(frameLength))).error());
            }
        }
    }

    @Test
    void replayIsDetected() throws Exception {
        try (FrameSealer sealer = new FrameSealer(secret(AES, 6), FrameConfig.defaults());
             FrameOpener opener = new FrameOpener(secret(AES, 6), FrameConfig.defaults())) {
            ByteBuffer first = sealOne(sealer, payload(20, 1));
            ByteBuffer copy = first.duplicate();
            openOne(opener, first);
            assertEquals(FrameError.AUTHENTICATION_FAILED,
                    assertThrows(FrameException.class, () -> openOne(opener, copy)).error());
        }
    }

    @Test
    void reorderingIsDetected() throws Exception {
        try (FrameSealer sealer = new FrameSealer(secret(AES, 7), FrameConfig.defaults());
             FrameOpener opener = new FrameOpener(secret(AES, 7), FrameConfig.defaults())) {
            sealOne(sealer, payload(20, 1));
            ByteBuffer second = sealOne(sealer, payload(20, 2));
            assertEquals(FrameError.AUTHENTICATION_FAILED,
                    assertThrows(FrameException.class, () -> openOne(opener, second)).error());
        }
    }

    @Test
    void aDroppedFrameIsDetectedAtTheNextOne() throws Exception {
        try (FrameSealer sealer = new FrameSealer(secret(AES, 8), FrameConfig.defaults());
             FrameOpener opener = new FrameOpener(secret(AES, 8), FrameConfig.defaults())) {
            openOne(opener, sealOne(sealer, payload(20, 1)));
            sealOne(sealer, payload(20, 2));                     // lost in transit
            ByteBuffer third = sealOne(sealer, payload(20, 3));
            assertEquals(FrameError.AUTHENTICATION_FAILED,
                    assertThrows(FrameException.class, () -> openOne(opener, third)).error());
        }
    }

    @Test
    void aCutFrameIsALengthMismatch() throws Exception {
        try (FrameSealer sealer = new FrameSealer(secret(AES, 9), FrameConfig.defaults());
             FrameOpener opener = new FrameOpener(secret(AES, 9), FrameConfig.defaults())) {
            ByteBuffer frame = sealOne(sealer, payload(100, 1));
            frame.limit(frame.limit() - 1);
            assertEquals(FrameError.LENGTH_MISMATCH,
                    assertThrows(FrameException.class, () -> openOne(opener, frame)).error());
        }
    }

    @Test
    void aLengthThatDisagreesWithTheCiphertextIsRefusedBeforeDecryption() throws Exception {
        try (FrameSealer sealer = new FrameSealer(secret(AES, 9), FrameConfig.defaults());
             FrameOpener opener = new FrameOpener(secret(AES, 9), FrameConfig.defaults())) {
            ByteBuffer frame = sealOne(sealer, payload(100, 1));
            ByteBuffer ct = frame.duplicate().position(FrameHeader.LENGTH);
            assertEquals(FrameError.LENGTH_MISMATCH, assertThrows(FrameException.class,
                    () -> opener.open(FrameType.DATA, 99, ct, ByteBuffer.allocate(200))).error());
        }
    }

    @Test
    void aStreamCutBeforeTheCloseFrameIsTruncation() throws Exception {
        try (FrameSealer sealer = new FrameSealer(secret(AES, 12), FrameConfig.defaults());
             FrameOpener opener = new FrameOpener(secret(AES, 12), FrameConfig.defaults())) {
            openOne(opener, sealOne(sealer, payload(20, 1)));
            assertEquals(FrameError.TRUNCATED, assertThrows(FrameException.class, opener::endOfStream).error());
        }
    }

    @Test
    void closeFrameEndsTheStreamCleanlyAndNothingMayFollow() throws Exception {
        try (FrameSealer sealer = new FrameSealer(secret(AES, 13), FrameConfig.defaults());
             FrameOpener opener = new FrameOpener(secret(AES, 13), FrameConfig.defaults())) {
            openOne(opener, sealOne(sealer, payload(20, 1)));
            ByteBuffer close = ByteBuffer.allocate(sealer.frameLength(0));
            sealer.sealClose(close);
            close.flip();
            assertEquals(0x73, close.get(0));
            assertEquals(0x01, close.get(1));
            assertEquals(0, openOne(opener, close).length);
            assertTrue(opener.closeReceived());
            opener.endOfStream();
            assertThrows(IllegalStateException.class, () -> sealOne(sealer, payload(1, 1)));
            try (FrameSealer forged = new FrameSealer(secret(AES, 13), FrameConfig.defaults())) {
                ByteBuffer extra = sealOne(forged, payload(1, 1));
                assertEquals(FrameError.FRAME_AFTER_CLOSE,
                        assertThrows(FrameException.class, () -> openOne(opener, extra)).error());
            }
        }
    }

    @Test
    void aDataFrameCannotBeRelabelledAsClose() throws Exception {
        try (FrameSealer sealer = new FrameSealer(secret(AES, 14), FrameConfig.defaults());
             FrameOpener opener = new FrameOpener(secret(AES, 14), FrameConfig.defaults())) {
            ByteBuffer frame = sealOne(sealer, new byte[0]);
            frame.put(1, (byte) 0x01);
            assertEquals(FrameError.AUTHENTICATION_FAILED,
                    assertThrows(FrameException.class, () -> openOne(opener, frame)).error());
        }
    }

    @Test
    void oversizedFramesAreRefusedOnBothSides() throws Exception {
        FrameConfig small = FrameConfig.builder().maxPlaintextLength(64).build();
        try (FrameSealer sealer = new FrameSealer(secret(AES, 15), small);
             FrameOpener opener = new FrameOpener(secret(AES, 15), small)) {
            assertThrows(IllegalArgumentException.class, () -> sealOne(sealer, payload(65, 1)));
            ByteBuffer ct = ByteBuffer.allocate(65 + 16);
            assertEquals(FrameError.FRAME_TOO_LARGE, assertThrows(FrameException.class,
                    () -> opener.open(FrameType.DATA, 65, ct, ByteBuffer.allocate(100))).error());
            FrameOpener other = new FrameOpener(secret(AES, 15), small);
            assertEquals(FrameError.FRAME_TOO_LARGE, assertThrows(FrameException.class,
                    () -> other.open(FrameType.DATA, 0xffffffffL, ct, ByteBuffer.allocate(100))).error());
        }
    }

    @Test
    void malformedHeadersAreRefused() throws Exception {
        try (FrameSealer sealer = new FrameSealer(secret(AES, 16), FrameConfig.defaults())) {
            ByteBuffer frame = sealOne(sealer, payload(8, 1));
            frame.put(2, (byte) 0x24);
            FrameOpener opener = new FrameOpener(secret(AES, 16), FrameConfig.defaults());
            assertEquals(FrameError.MALFORMED_HEADER,
                    assertThrows(FrameException.class, () -> openOne(opener, frame)).error());
            FrameOpener opener2 = new FrameOpener(secret(AES, 16), FrameConfig.defaults());
            assertEquals(FrameError.LENGTH_MISMATCH, assertThrows(FrameException.class,
                    () -> openOne(opener2, ByteBuffer.wrap(new byte[5]))).error());
        }
    }

    @ParameterizedTest
    @MethodSource("suites")
    void keyUpdatesHappenInLockstepByRecordsAndBytes(CipherSuite suite) throws Exception {
        FrameConfig config = FrameConfig.builder().keyUpdateAfterRecords(3).keyUpdateAfterBytes(1000).build();
        try (FrameSealer sealer = new FrameSealer(secret(suite, 17), config);
             FrameOpener opener = new FrameOpener(secret(suite, 17), config)) {
            List<Long> sealerEpochs = new ArrayList<>();
            List<Long> openerEpochs = new ArrayList<>();
            int[] sizes = {10, 10, 10, 10, 990, 5, 2000, 1, 1, 1, 1};
            for (int i = 0; i < sizes.length; i++) {
                byte[] p = payload(sizes[i], i);
                assertArrayEquals(p, openOne(opener, sealOne(sealer, p)));
                sealerEpochs.add(sealer.epoch());
                openerEpochs.add(opener.epoch());
            }
            // 3 records -> epoch 1; 10+990 bytes -> epoch 2; 5+2000 -> 3; three 1-byte records -> 4
            assertEquals(List.of(0L, 0L, 1L, 1L, 2L, 2L, 3L, 3L, 3L, 4L, 4L), sealerEpochs);
            assertEquals(sealerEpochs, openerEpochs);
        }
    }

    @Test
    void aPeerThatDoesNotUpdateItsKeyCannotReadOnceTheSenderHas() throws Exception {
        FrameConfig updating = FrameConfig.builder().keyUpdateAfterRecords(2).build();
        try (FrameSealer sealer = new FrameSealer(secret(AES, 18), updating);
             FrameOpener stale = new FrameOpener(secret(AES, 18), FrameConfig.defaults())) {
            openOne(stale, sealOne(sealer, payload(5, 1)));
            openOne(stale, sealOne(sealer, payload(5, 2)));
            ByteBuffer third = sealOne(sealer, payload(5, 3));
            assertEquals(FrameError.AUTHENTICATION_FAILED,
                    assertThrows(FrameException.class, () -> openOne(stale, third)).error());
        }
    }

    @Test
    void keyUpdateIsTheLabelledExpansionOfThePreviousSecret() {
        TrafficSecret s0 = secret(AES, 19);
        TrafficSecret s1 = s0.next();
        assertFalse(Arrays.equals(s0.secretBytes(), s1.secretBytes()));
        assertArrayEquals(org.opencluster.auth.protocol.suite.Hkdf.expandLabel(AES.hash(), s0.secretBytes(),
                "key update", new byte[0], 48), s1.secretBytes());
        assertFalse(Arrays.equals(s0.key(), s1.key()));
    }
}
