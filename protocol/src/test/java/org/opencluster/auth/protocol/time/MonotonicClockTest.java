package org.opencluster.auth.protocol.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MonotonicClockTest {
    /** A source the test steps; it starts just below the wrap of a long, which must not matter. */
    private final AtomicLong source = new AtomicLong(Long.MAX_VALUE - 1_000);
    private final MonotonicClock clock = MonotonicClock.of(source::get);

    @Test
    void forwardStepsPassThroughAndBackwardStepsAreAbsorbed() {
        long start = clock.nanos();
        source.addAndGet(500);
        assertEquals(500, clock.nanos() - start);
        source.addAndGet(-7_200_000_000_000L); // 2 h back
        assertEquals(500, clock.nanos() - start, "time stands still, it does not go back");
        source.addAndGet(2_000); // across the wrap of a long
        assertEquals(2_500, clock.nanos() - start, "and then runs on from where it stood");
    }

    @Test
    void aMonotonicClockIsNotWrappedTwice() {
        assertSame(clock, MonotonicClock.of(clock));
        assertSame(MonotonicClock.system(), MonotonicClock.of(MonotonicClock.system()));
    }
}
