package org.opencluster.auth.protocol.time;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The one clock for durations on both sides (lockouts and back-off, handshake and idle deadlines, re-authentication
 * intervals, drain times): nanoseconds that never go back. The wall clock is for stamps that must survive a restart
 * (certificate validity, enrolment-code expiry, audit times) and nothing else: an operator or NTP stepping it by
 * hours must neither end live sessions nor stretch a 5-minute lockout.
 *
 * <p>{@link System#nanoTime} is monotonic on every platform the JDK supports, but what feeds it is not always:
 * libfaketime fakes {@code CLOCK_MONOTONIC} too unless told otherwise, and some hypervisors step it after a
 * migration. A reading behind the last one is therefore absorbed (time stands still until the source catches up)
 * rather than passed on, so a backward step never lengthens a wait. A forward step cannot be told from time
 * passing and is passed on.
 *
 * <p>Readings are compared only by difference ({@code a - b > 0}), never with {@code <}, since nanoTime may wrap.
 * Thread-safe and lock-free.
 */
public final class MonotonicClock implements LongSupplier {
    private static final MonotonicClock SYSTEM = new MonotonicClock(System::nanoTime);

    private final LongSupplier source;
    /** Added to every source reading: grows by the size of each backward step the source took. */
    private final AtomicLong correction = new AtomicLong();
    private final AtomicLong last;

    private MonotonicClock(LongSupplier source) {
        this.source = Objects.requireNonNull(source);
        this.last = new AtomicLong(source.getAsLong());
    }

    /** {@link System#nanoTime}, guarded against backward steps: the default everywhere. */
    public static MonotonicClock system() {
        return SYSTEM;
    }

    /**
     * {@code source} guarded against backward steps (a test's ticker, or a source known to be faked). A
     * {@code MonotonicClock} is returned as is.
     */
    public static MonotonicClock of(LongSupplier source) {
        return source instanceof MonotonicClock m ? m : new MonotonicClock(source);
    }

    /** Now, in nanoseconds of an arbitrary origin; never before an earlier reading of this clock. */
    public long nanos() {
        while (true) {
            long seen = last.get();
            long corr = correction.get();
            long now = source.getAsLong() + corr;
            if (now - seen >= 0) {
                if (last.compareAndSet(seen, now)) {
                    return now;
                }
            } else if (correction.compareAndSet(corr, corr + (seen - now)) && last.get() == seen) {
                // The source went back by (seen - now): absorbed, so this reading equals the last one.
                return seen;
            }
        }
    }

    @Override
    public long getAsLong() {
        return nanos();
    }
}
