package org.opencluster.auth.protocol.risp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class RispPropertiesTest {

    @Provide
    Arbitrary<RispCommand> commands() {
        Arbitrary<RispCommand> none = Arbitraries.oneOf(
                Arbitraries.integers().between(0x7000, 0x7fff), Arbitraries.integers().between(0xc000, 0xffff))
                .map(RispCommand::none);
        Arbitrary<RispCommand> numbers = Combinators.combine(
                Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 0xfff),
                Arbitraries.longs())
                .as((w, low, v) -> {
                    int id = (w << 12) | low;
                    int width = 1 << w;
                    long value = width == 8 ? v : v & ((1L << (8 * width)) - 1);
                    return RispCommand.integer(id, value);
                });
        Arbitrary<RispCommand> fixed = Combinators.combine(
                Arbitraries.integers().between(4, 6), Arbitraries.integers().between(0, 0xfff),
                Arbitraries.bytes().array(byte[].class).ofSize(64))
                .as((w, low, bytes) -> RispCommand.fixed((w << 12) | low, Arrays.copyOf(bytes, 1 << w)));
        Arbitrary<RispCommand> strings = Combinators.combine(
                Arbitraries.integers().between(0x8000, 0xbfff),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(600))
                .as((id, bytes) -> RispCommand.string(id,
                        id < 0x9000 ? Arrays.copyOf(bytes, Math.min(bytes.length, 255)) : bytes));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, none), net.jqwik.api.Tuple.of(2, numbers),
                net.jqwik.api.Tuple.of(1, fixed), net.jqwik.api.Tuple.of(3, strings));
    }

    @Property(tries = 300)
    void encodeThenDecodeGivesTheSameCommands(@ForAll("commandLists") List<RispCommand> commands) {
        byte[] wire = RispEncoder.toBytes(commands.toArray(new RispCommand[0]));
        RispDecoder d = RispDecoder.framingOnly();
        List<RispCommand> out = d.feed(wire);
        d.finish();
        assertEquals(commands, out);
    }

    @Property(tries = 300)
    void anyFragmentationGivesTheSameCommands(@ForAll("commandLists") List<RispCommand> commands,
            @ForAll @Size(min = 1, max = 50) List<@IntRange(min = 1, max = 40) Integer> cuts) {
        byte[] wire = RispEncoder.toBytes(commands.toArray(new RispCommand[0]));
        RispDecoder d = RispDecoder.framingOnly();
        List<RispCommand> out = new ArrayList<>();
        int pos = 0;
        int i = 0;
        while (pos < wire.length) {
            int n = Math.min(cuts.get(i++ % cuts.size()), wire.length - pos);
            d.feed(ByteBuffer.wrap(Arrays.copyOfRange(wire, pos, pos + n)), out::add);
            pos += n;
        }
        d.finish();
        assertEquals(commands, out);
    }

    @Provide
    Arbitrary<List<RispCommand>> commandLists() {
        return commands().list().ofMaxSize(20);
    }

    @Property(tries = 2000)
    void garbageOnlyEverYieldsTheCodecsOwnError(@ForAll @Size(max = 300) byte[] garbage,
            @ForAll @IntRange(min = 0, max = 4096) int limit, @ForAll @IntRange(min = 1, max = 17) int fragment) {
        RispDecoder d = RispDecoder.builder().maxStringLength(limit).build();
        try {
            for (int pos = 0; pos < garbage.length; pos += fragment) {
                d.feed(ByteBuffer.wrap(garbage, pos, Math.min(fragment, garbage.length - pos)), c -> { });
            }
            d.finish();
        } catch (RispProtocolException expected) {
            // the only acceptable failure; anything else propagates and fails the property
        }
    }
}
