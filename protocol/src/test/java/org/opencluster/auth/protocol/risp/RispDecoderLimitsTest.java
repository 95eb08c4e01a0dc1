package org.opencluster.auth.protocol.risp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hostile lengths and truncation. The surefire fork of this module runs with -Xmx64m, so allocating any claimed
 * size above the heap would fail the run; the allocation counter below also proves nothing near it was reserved.
 */
class RispDecoderLimitsTest {
    private static final HexFormat HEX = HexFormat.of();

    private static long allocatedByThisThread() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static RispProtocolException decodeExpectingError(RispDecoder d, byte[] bytes) {
        return assertThrows(RispProtocolException.class, () -> d.feed(bytes));
    }

    /**
     * Loads the classes of a refusal (exception, message formatting) before a measurement, so the allocation counter
     * sees the decoder, not the JVM's first use of them (which depends on test order and JDK).
     */
    private static void warmUpRefusal() {
        assertThrows(RispProtocolException.class, () -> RispDecoder.builder().maxStringLength(1).build()
                .feed(HEX.parseHex("a00100000002" + "0000")));
        RispDecoder.framingOnly().feed(HEX.parseHex("a001000000ff"));
    }

    @Test
    void eightByteLengthClaimingTwoToThe62IsRefusedWithoutAllocating() {
        warmUpRefusal();
        byte[] attack = HEX.parseHex("b001" + "4000000000000000" + "00112233");
        RispDecoder d = RispDecoder.framingOnly();
        long before = allocatedByThisThread();
        RispProtocolException e = decodeExpectingError(d, attack);
        long allocated = allocatedByThisThread() - before;
        assertEquals(RispError.LENGTH_OVER_LIMIT, e.error());
        assertTrue(e.getMessage().contains("0xb001") && e.getMessage().contains("4611686018427387904"),
                e.getMessage());
        assertTrue(allocated < 64 * 1024, "decoder allocated " + allocated + " bytes for a refused claim");
    }

    @Test
    void claimJustAboveTheLimitIsRefusedWithoutAllocating() {
        RispDecoder d = RispDecoder.builder().maxStringLength(48 * 1024 * 1024).build();
        ByteBuffer attack = ByteBuffer.allocate(16);
        RispEncoder.putStringHeader(attack, 0xa001, 48 * 1024 * 1024 + 1L);
        attack.flip();
        warmUpRefusal();
        long before = allocatedByThisThread();
        RispProtocolException e = assertThrows(RispProtocolException.class, () -> d.feed(attack, c -> { }));
        assertEquals(RispError.LENGTH_OVER_LIMIT, e.error());
        assertTrue(allocatedByThisThread() - before < 64 * 1024);
    }

    @Test
    void claimAtTheLimitIsAcceptedAndOnlyThenBuffered() {
        RispDecoder d = RispDecoder.builder().maxStringLength(1000).build();
        byte[] header = HEX.parseHex("900303e8");
        assertEquals(List.of(), d.feed(header));
        assertEquals(List.of(), d.feed(new byte[999]));
        List<RispCommand> out = d.feed(new byte[1]);
        assertEquals(1, out.size());
        assertEquals(1000, out.get(0).length());
        d.finish();
    }

    @Test
    void negativeEightByteLengthIsItsOwnError() {
        RispProtocolException e = decodeExpectingError(RispDecoder.framingOnly(), HEX.parseHex("b002ffffffffffffff00"));
        assertEquals(RispError.NEGATIVE_LENGTH, e.error());
    }

    @Test
    void lengthPrefixSplitOverFeedsIsStillChecked() {
        RispDecoder d = RispDecoder.framingOnly();
        byte[] attack = HEX.parseHex("b0014000000000000000");
        for (int i = 0; i < attack.length - 1; i++) {
            assertEquals(List.of(), d.feed(new byte[] {attack[i]}));
        }
        RispProtocolException e = decodeExpectingError(d, new byte[] {attack[attack.length - 1]});
        assertEquals(RispError.LENGTH_OVER_LIMIT, e.error());
    }

    @Test
    void truncationIsReportedAtFinishForEveryState() {
        String[] partial = {
            "70",               // half an id
            "2002dead",         // half a 4-byte integer
            "a002000001",       // half a 4-byte length prefix
            "9002010000112233", // 4 of 256 string bytes
            "4001" + "00".repeat(7), // 7 of 16 bytes of a binary integer
        };
        for (String hex : partial) {
            RispDecoder d = RispDecoder.framingOnly();
            assertEquals(List.of(), d.feed(HEX.parseHex(hex)));
            RispProtocolException e = assertThrows(RispProtocolException.class, d::finish, hex);
            assertEquals(RispError.TRUNCATED, e.error(), hex);
            assertTrue(e.getMessage().startsWith("TRUNCATED: stream ended inside"), e.getMessage());
        }
    }

    @Test
    void aFailedDecoderStaysFailed() {
        RispDecoder d = RispDecoder.framingOnly();
        decodeExpectingError(d, HEX.parseHex("b002ffffffffffffff00"));
        RispProtocolException again = decodeExpectingError(d, HEX.parseHex("7000"));
        assertEquals(RispError.DECODER_FAILED, again.error());
        assertEquals(RispError.DECODER_FAILED, assertThrows(RispProtocolException.class, d::finish).error());
    }

    @Test
    void strictRegistryRefusesUnknownCommandsWrongDirectionAndPerCommandLengths() {
        CommandRegistry registry = CommandRegistry.builder()
                .register(CommandSpec.none(0x7001, "PING", Direction.CLIENT_TO_SERVER))
                .register(CommandSpec.none(0x7002, "PONG", Direction.SERVER_TO_CLIENT))
                .register(CommandSpec.string(0x9001, "USERNAME", Direction.CLIENT_TO_SERVER, 64))
                .build();
        RispDecoder server = RispDecoder.builder().registry(registry, Direction.CLIENT_TO_SERVER).build();
        assertEquals(1, server.feed(HEX.parseHex("7001")).size());
        assertEquals(RispError.UNKNOWN_COMMAND, decodeExpectingError(
                RispDecoder.builder().registry(registry, Direction.CLIENT_TO_SERVER).build(),
                HEX.parseHex("7003")).error());
        assertEquals(RispError.WRONG_DIRECTION, decodeExpectingError(
                RispDecoder.builder().registry(registry, Direction.CLIENT_TO_SERVER).build(),
                HEX.parseHex("7002")).error());
        RispDecoder fresh = RispDecoder.builder().registry(registry, Direction.CLIENT_TO_SERVER).build();
        assertEquals(1, fresh.feed(HEX.parseHex("90010040" + "61".repeat(64))).size());
        assertEquals(RispError.LENGTH_OVER_LIMIT, decodeExpectingError(fresh, HEX.parseHex("90010041")).error());
    }

    @Test
    void wholeParametersAreSlicesOfTheFedBytesNotCopies() {
        byte[] wire = RispEncoder.toBytes(RispCommand.string(0x9001, "hello".getBytes()),
                RispCommand.fixed(0x4001, new byte[16]));
        List<RispCommand> out = new ArrayList<>();
        RispDecoder.framingOnly().feed(ByteBuffer.wrap(wire), out::add);
        ByteBuffer view = out.get(0).bytes();
        assertTrue(view.isReadOnly() && view.hasArray() == false, "read-only view");
        wire[4] = 'j'; // the feeder broke the contract: the slice shows it, which proves there was no copy
        assertEquals('j', out.get(0).bytes().get(0));
    }

    @Test
    void sinkFailureLeavesTheInputPositionedAfterTheDeliveredCommand() {
        ByteBuffer in = ByteBuffer.wrap(HEX.parseHex("70017002"));
        RispDecoder d = RispDecoder.framingOnly();
        assertThrows(IllegalStateException.class, () -> d.feed(in, c -> {
            throw new IllegalStateException("handler refused " + c);
        }));
        assertEquals(2, in.position());
        List<RispCommand> rest = new ArrayList<>();
        d.feed(in, rest::add);
        assertEquals(List.of(RispCommand.none(0x7002)), rest);
    }

    /**
     * Issue 12, row 1: docs/PROTOCOL.md section 3 promises that a claim costs nothing, at the limit too. The old
     * decoder reserved the whole claimed megabyte as soon as the 6-byte header arrived.
     */
    @Test
    void claimAtTheLimitHoldsOnlyWhatArrived() {
        RispDecoder d = RispDecoder.framingOnly();
        warmUpRefusal();
        long before = allocatedByThisThread();
        assertEquals(List.of(), d.feed(HEX.parseHex("a30000100000"))); // ENCRYPTED_STRING claiming 1 MiB
        assertTrue(d.bufferedBytes() <= RispDecoder.FIRST_GATHER_BYTES, "held " + d.bufferedBytes());
        assertTrue(allocatedByThisThread() - before < 16 * 1024, "a bare claim allocated");
        int received = 0;
        for (int chunk = 1000; received + chunk <= 300_000; chunk += 1000) {
            d.feed(new byte[chunk]);
            received += chunk;
            assertTrue(d.bufferedBytes() <= 2L * received, d.bufferedBytes() + " held for " + received + " received");
            assertTrue(d.bufferedBytes() >= received);
        }
        byte[] rest = new byte[(1 << 20) - received];
        rest[rest.length - 1] = 7;
        List<RispCommand> out = d.feed(rest);
        assertEquals(1, out.size());
        assertEquals(1 << 20, out.get(0).length());
        assertEquals(7, out.get(0).bytes().get((1 << 20) - 1));
        assertEquals(0, d.bufferedBytes());
    }

    @Test
    void splitParameterKeepsItsBytesInOrderWhileGrowing() {
        byte[] payload = new byte[5000];
        new java.util.Random(1).nextBytes(payload);
        ByteBuffer whole = ByteBuffer.allocate(payload.length + 4);
        RispEncoder.putStringHeader(whole, 0x9001, payload.length);
        whole.put(payload);
        byte[] wire = whole.array();
        for (int step : new int[] {1, 7, 255, 256, 257, 4096}) {
            RispDecoder d = RispDecoder.framingOnly();
            List<RispCommand> out = new ArrayList<>();
            for (int i = 0; i < wire.length; i += step) {
                out.addAll(d.feed(java.util.Arrays.copyOfRange(wire, i, Math.min(wire.length, i + step))));
            }
            assertEquals(1, out.size(), "step " + step);
            byte[] got = new byte[payload.length];
            out.get(0).bytes().get(got);
            assertTrue(java.util.Arrays.equals(payload, got), "step " + step);
        }
    }
}
