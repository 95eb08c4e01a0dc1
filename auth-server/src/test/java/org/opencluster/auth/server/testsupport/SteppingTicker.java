package org.opencluster.auth.server.testsupport;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A monotonic nanosecond ticker (what {@code System::nanoTime} is in production) that a test moves forward:
 * {@code System.nanoTime()} plus the offset the test added. Thread-safe.
 */
public final class SteppingTicker implements LongSupplier {
    private final AtomicLong offset = new AtomicLong();
    /** Set by {@link #freeze}: the System.nanoTime reading the ticker stands at from then on (plus the offset). */
    private volatile Long frozenAt;

    /** From now on only {@link #advance} moves this ticker (for tests whose timing must not depend on load). */
    public void freeze() {
        frozenAt = System.nanoTime();
    }

    public void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("a monotonic ticker never goes back");
        }
        offset.addAndGet(d.toNanos());
    }

    @Override
    public long getAsLong() {
        Long f = frozenAt;
        return (f != null ? f : System.nanoTime()) + offset.get();
    }
}
