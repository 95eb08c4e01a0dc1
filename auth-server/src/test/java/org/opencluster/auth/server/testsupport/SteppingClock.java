package org.opencluster.auth.server.testsupport;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that stands still until a test moves it, for due times, expiries and lockouts without waiting. Either
 * fixed at an instant ({@link #at}) or following the system clock plus the offset the test added
 * ({@link #systemPlusOffset}, for servers whose certificates must be valid now). Thread-safe.
 */
public final class SteppingClock extends Clock {
    private final boolean followsSystem;
    private final AtomicReference<Instant> base;
    private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

    private SteppingClock(boolean followsSystem, Instant start) {
        this.followsSystem = followsSystem;
        this.base = new AtomicReference<>(start);
    }

    public static SteppingClock at(Instant start) {
        return new SteppingClock(false, start);
    }

    public static SteppingClock systemPlusOffset() {
        return new SteppingClock(true, null);
    }

    public void advance(Duration d) {
        offset.accumulateAndGet(d, Duration::plus);
    }

    @Override
    public Instant instant() {
        return (followsSystem ? Instant.now() : base.get()).plus(offset.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a test clock stays in UTC");
    }
}
