package org.opencluster.auth.protocol.risp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.StandardCommands;
import org.opencluster.auth.protocol.command.WebAuthnCommands;
import org.opencluster.auth.protocol.handshake.HandshakeCommands;

/**
 * Fuzz targets for the RISP decoder, the first parser every byte from the network meets.
 *
 * <p>Contract: a decoder fed any bytes, in any fragmentation, either emits commands or throws
 * {@link RispProtocolException}; nothing else escapes, and the outcome does not depend on how the stream was cut.
 * Every emitted string respects the decoder's limit (and in strict mode its command's own maximum, registry and
 * direction), and re-encoding the emitted commands gives back exactly the bytes they were decoded from.
 *
 * <p>Input layout (so seeds stay readable): byte 0 flags (bit 0 copy strings, bit 1 server-to-client, bits 2-3
 * registry in strict mode), bytes 1-2 the string limit (big-endian, 0xffff means the default 1 MiB), byte 3 the
 * seed of the fragment sizes; the rest is the stream.
 */
class RispDecoderFuzzTest {
    private static final int HEADER = 4;

    private static final CommandRegistry SERVER_COMMANDS = StandardCommands.registry();
    private static final CommandRegistry[] REGISTRIES = {HandshakeCommands.registry(), SERVER_COMMANDS,
            CoreCommands.registry(), WebAuthnCommands.registry()};

    @FuzzTest
    void framing(byte[] input) {
        run(input, false);
    }

    @FuzzTest
    void strict(byte[] input) {
        run(input, true);
    }

    private static void run(byte[] input, boolean strict) {
        if (input.length < HEADER) {
            return;
        }
        int flags = input[0] & 0xff;
        int rawLimit = ((input[1] & 0xff) << 8) | (input[2] & 0xff);
        int limit = rawLimit == 0xffff ? RispDecoder.DEFAULT_MAX_STRING_LENGTH : rawLimit;
        CommandRegistry registry = strict ? REGISTRIES[(flags >>> 2) & 3] : null;
        Direction travel = (flags & 2) != 0 ? Direction.SERVER_TO_CLIENT : Direction.CLIENT_TO_SERVER;
        byte[] stream = Arrays.copyOfRange(input, HEADER, input.length);

        Outcome whole = decode(build(flags, limit, registry, travel), stream, new int[] {stream.length});
        Outcome cut = decode(build(flags, limit, registry, travel), stream, fragments(stream.length, input[3]));

        assertEquals(whole.commands, cut.commands, "the commands must not depend on fragmentation");
        assertEquals(whole.error, cut.error, "the error must not depend on fragmentation");
        long consumed = 0;
        for (RispCommand c : whole.commands) {
            checkLimits(c, limit, registry, travel);
            consumed += RispEncoder.sizeOf(c);
        }
        assertTrue(consumed <= stream.length, "decoded more bytes than were fed");
        byte[] reencoded = RispEncoder.toBytes(whole.commands.toArray(new RispCommand[0]));
        assertTrue(Arrays.equals(reencoded, 0, reencoded.length, stream, 0, reencoded.length),
                "re-encoding the decoded commands must give back the bytes they came from");
    }

    private static RispDecoder build(int flags, int limit, CommandRegistry registry, Direction travel) {
        RispDecoder.Builder b = RispDecoder.builder().maxStringLength(limit).copyStrings((flags & 1) != 0);
        if (registry != null) {
            b.registry(registry, travel);
        }
        return b.build();
    }

    private record Outcome(List<RispCommand> commands, RispError error) {
    }

    /** Feeds {@code stream} cut at {@code sizes} (cycled), then declares its end. */
    private static Outcome decode(RispDecoder decoder, byte[] stream, int[] sizes) {
        List<RispCommand> out = new ArrayList<>();
        int at = 0;
        int i = 0;
        try {
            while (at < stream.length) {
                int n = Math.min(sizes[i++ % sizes.length], stream.length - at);
                // The decoder may keep views of what it was fed; nothing here writes to the stream afterwards.
                ByteBuffer fragment = ByteBuffer.wrap(stream, at, n).slice();
                decoder.feed(fragment, out::add);
                assertEquals(0, fragment.remaining(), "feed must consume the whole fragment");
                at += n;
            }
            decoder.finish();
            assertTrue(decoder.isIdle(), "a finished stream ends between commands");
            return new Outcome(out, null);
        } catch (RispProtocolException e) {
            assertFailedForGood(decoder);
            return new Outcome(out, e.error());
        } catch (RuntimeException | Error e) {
            throw new AssertionError("only RispProtocolException may escape the decoder", e);
        }
    }

    private static void assertFailedForGood(RispDecoder decoder) {
        try {
            decoder.feed(ByteBuffer.wrap(new byte[] {0x71, 0x01}), c -> fail("a failed decoder emitted " + c));
            fail("a failed decoder accepted more bytes");
        } catch (RispProtocolException again) {
            assertEquals(RispError.DECODER_FAILED, again.error());
        }
    }

    private static void checkLimits(RispCommand c, int limit, CommandRegistry registry, Direction travel) {
        int id = c.id();
        assertEquals(CommandIds.kindOf(id), c.kind());
        if (c.kind() == ParamKind.STRING) {
            assertTrue(c.length() <= limit, () -> c + " exceeds the decoder's limit " + limit);
            assertTrue(c.length() <= CommandIds.maxEncodableLength(id), () -> c + " exceeds its length prefix");
        } else if (c.kind() == ParamKind.INTEGER && CommandIds.integerWidth(id) > CommandIds.MAX_NUMERIC_WIDTH) {
            assertEquals(CommandIds.integerWidth(id), c.length(), () -> c + " has the wrong fixed width");
        } else {
            assertEquals(0, c.length(), () -> c + " carries bytes it may not");
        }
        if (registry != null) {
            CommandSpec spec = registry.lookup(id);
            assertTrue(spec != null, () -> c + " is not in the registry");
            assertTrue(spec.direction().allows(travel), () -> c + " may not travel " + travel);
            if (spec.kind() == ParamKind.STRING) {
                assertTrue(c.length() <= spec.maxLength(), () -> c + " exceeds its command's maximum " + spec.maxLength());
            }
        }
    }

    /** Fragment sizes from 1 byte up, reproducible from the input's seed byte. */
    private static int[] fragments(int length, byte seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] sizes = new int[1 + random.nextInt(16)];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = random.nextInt(4) == 0 ? 1 + random.nextInt(Math.max(1, length)) : 1 + random.nextInt(8);
        }
        return sizes;
    }
}
