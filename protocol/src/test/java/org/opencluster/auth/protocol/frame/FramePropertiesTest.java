package org.opencluster.auth.protocol.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.SuiteRegistry;

class FramePropertiesTest {

    @Provide
    Arbitrary<CipherSuite> suites() {
        return Arbitraries.of(SuiteRegistry.standard().all());
    }

    @Property(tries = 60)
    void anySequenceOfFramesRoundTripsAcrossKeyUpdates(@ForAll("suites") CipherSuite suite,
            @ForAll @Size(max = 30) List<@IntRange(max = 3000) Integer> sizes,
            @ForAll @IntRange(min = 1, max = 5) int recordLimit,
            @ForAll @IntRange(min = 1, max = 5000) int byteLimit) throws Exception {
        FrameConfig config = FrameConfig.builder().keyUpdateAfterRecords(recordLimit).keyUpdateAfterBytes(byteLimit)
                .build();
        try (FrameSealer sealer = new FrameSealer(FrameTest.secret(suite, 1), config);
             FrameOpener opener = new FrameOpener(FrameTest.secret(suite, 1), config)) {
            int i = 0;
            for (int size : sizes) {
                byte[] p = FrameTest.payload(size, i++);
                assertArrayEquals(p, FrameTest.openOne(opener, FrameTest.sealOne(sealer, p)));
                assertEquals(sealer.epoch(), opener.epoch());
            }
        }
    }

    @Property(tries = 200)
    void anyCorruptionOfAFrameIsDetected(@ForAll("suites") CipherSuite suite,
            @ForAll @IntRange(max = 500) int size, @ForAll @IntRange(max = 10_000) int position,
            @ForAll @IntRange(min = 1, max = 255) int xor) throws Exception {
        ByteBuffer frame;
        try (FrameSealer sealer = new FrameSealer(FrameTest.secret(suite, 2), FrameConfig.defaults())) {
            frame = FrameTest.sealOne(sealer, FrameTest.payload(size, size));
        }
        int at = position % frame.remaining();
        frame.put(at, (byte) (frame.get(at) ^ xor));
        try (FrameOpener opener = new FrameOpener(FrameTest.secret(suite, 2), FrameConfig.defaults())) {
            ByteBuffer f = frame;
            assertThrows(FrameException.class, () -> FrameTest.openOne(opener, f));
        }
    }
}
