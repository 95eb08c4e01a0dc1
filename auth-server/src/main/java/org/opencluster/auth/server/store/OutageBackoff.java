package org.opencluster.auth.server.store;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * After the database failed as an outage, further operations fail at once for a short, doubling time instead of
 * each waiting out a connection timeout or reopening a database that just failed; the first operation after that
 * time tries again (a new connection, which reopens an H2 database that closed itself after a write error), and
 * one success ends the outage. So a full disk or a stopped PostgreSQL costs callers milliseconds, not seconds, and
 * the store heals without a restart once the cause is gone. Thread-safe.
 */
final class OutageBackoff {
    static final Duration FIRST = Duration.ofMillis(100);
    static final Duration LONGEST = Duration.ofSeconds(5);

    private final LongSupplier nanoTime;
    private long retryAt;
    private long delay;
    /** Null while the database works; read without the lock on the fast path of every operation. */
    private volatile String cause;

    OutageBackoff(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** Throws {@link StoreException#unavailable} while the last outage's back-off runs. */
    void check(String what) {
        if (cause == null) {
            return;
        }
        synchronized (this) {
            String now = cause;
            if (now != null && nanoTime.getAsLong() - retryAt < 0) {
                throw StoreException.unavailable(what, now, null);
            }
        }
    }

    /** An outage: the next attempt waits twice as long as the last (at most {@link #LONGEST}). True if it began now. */
    synchronized boolean failed(String why) {
        boolean began = cause == null;
        delay = began ? FIRST.toNanos() : Math.min(delay * 2, LONGEST.toNanos());
        retryAt = nanoTime.getAsLong() + delay;
        cause = why;
        return began;
    }

    /** An operation succeeded: the outage (if any) is over. True if one was. */
    boolean succeeded() {
        if (cause == null) {
            return false;
        }
        synchronized (this) {
            boolean ended = cause != null;
            cause = null;
            return ended;
        }
    }
}
