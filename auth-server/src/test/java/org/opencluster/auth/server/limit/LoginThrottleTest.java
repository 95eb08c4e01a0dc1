package org.opencluster.auth.server.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.server.limit.LoginThrottle.Attempt;
import org.opencluster.auth.server.limit.LoginThrottle.Verdict;

class LoginThrottleTest {
    /** A monotonic ticker the test moves; it starts just below the wrap of a long, which must not matter. */
    private final AtomicLong nanos = new AtomicLong(Long.MAX_VALUE - TimeUnit.SECONDS.toNanos(20));
    private final LoginThrottle throttle = LoginThrottle.builder().maxAccountFailures(3).maxSourceFailures(5)
            .maxDeviceFailures(2).decay(Duration.ofSeconds(10)).lockout(Duration.ofSeconds(30))
            .maxLockout(Duration.ofSeconds(100)).ticker(nanos::get).build();

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    private static Attempt device(String account, String source, String deviceId) {
        return new Attempt(account, source, Optional.of(deviceId), true);
    }

    /**
     * Issue 15, clock row: with libfaketime stepping the clock back 2 h (it fakes CLOCK_MONOTONIC too), a 5-minute
     * lockout lasted 7,493 s. The old code took the ticker's readings as they came, so a reading 2 h behind the lock's
     * start added 2 h to the lock; now a backward step is absorbed and the lock ends 5 minutes after it began.
     */
    @Test
    void aFiveMinuteLockoutStaysFiveMinutesWhenTheTickerSourceStepsBackTwoHours() {
        AtomicLong source = new AtomicLong(TimeUnit.HOURS.toNanos(10));
        LoginThrottle fiveMinutes = LoginThrottle.builder().maxAccountFailures(5).lockout(Duration.ofMinutes(5))
                .ticker(source::get).build();
        for (int i = 0; i < 5; i++) {
            fiveMinutes.recordFailure("alice", "10.0.0.1");
        }
        assertEquals(Verdict.ACCOUNT_LOCKED, fiveMinutes.check("alice", "10.0.0.2"));
        source.addAndGet(-TimeUnit.HOURS.toNanos(2));
        assertEquals(Duration.ofMinutes(5), fiveMinutes.retryAfter("alice", "10.0.0.2"), "not 2 h 5 min");
        source.addAndGet(TimeUnit.MINUTES.toNanos(5) + 1);
        assertEquals(Verdict.ALLOWED, fiveMinutes.check("alice", "10.0.0.2"));
    }

    @Test
    void accountLocksAfterTheLimitAndUnlocksAsFailuresDecay() {
        for (int i = 0; i < 3; i++) {
            assertEquals(Verdict.ALLOWED, throttle.check("alice", "10.0.0.1"));
            throttle.recordFailure("alice", "10.0.0." + i);
        }
        assertEquals(Verdict.ACCOUNT_LOCKED, throttle.check("alice", "10.0.0.9"));
        assertEquals(Verdict.ALLOWED, throttle.check("bob", "10.0.0.9"));
        assertEquals(Duration.ofSeconds(30), throttle.retryAfter("alice", "10.0.0.9"));
        advance(Duration.ofSeconds(29));
        assertEquals(Verdict.ACCOUNT_LOCKED, throttle.check("alice", "10.0.0.9"));
        advance(Duration.ofSeconds(2));
        assertEquals(Verdict.ALLOWED, throttle.check("alice", "10.0.0.9"));
        throttle.recordFailure("alice", "10.0.0.9");
        assertEquals(Verdict.ACCOUNT_LOCKED, throttle.check("alice", "10.0.0.9"),
                "one failure right after a lock locks again");
        assertEquals(Duration.ofSeconds(60), throttle.retryAfter("alice", "10.0.0.9"), "and for twice as long");
        advance(Duration.ofSeconds(60 + 30));
        throttle.recordFailure("alice", "10.0.0.9");
        assertEquals(Verdict.ALLOWED, throttle.check("alice", "10.0.0.9"),
                "after the lock and some decay, failures count up from below the limit");
    }

    @Test
    void lockoutDoublesUpToTheMaximumAndTheDoublingIsForgottenWhenTheCountDecays() {
        long[] expected = {30, 60, 100, 100};
        for (int i = 0; i < 3; i++) {
            throttle.recordFailure("alice", "s" + i);
        }
        for (long seconds : expected) {
            assertEquals(Duration.ofSeconds(seconds), throttle.retryAfter("alice", "elsewhere"));
            advance(Duration.ofSeconds(seconds));
            assertEquals(Verdict.ALLOWED, throttle.check("alice", "elsewhere"));
            throttle.recordFailure("alice", "s");
        }
        advance(Duration.ofSeconds(100 + 3 * 10));
        assertEquals(Verdict.ALLOWED, throttle.check("alice", "elsewhere"));
        for (int i = 0; i < 3; i++) {
            throttle.recordFailure("alice", "t" + i);
        }
        assertEquals(Duration.ofSeconds(30), throttle.retryAfter("alice", "elsewhere"), "back to the first lock");
    }

    @Test
    void sourceLocksAcrossAccountsAndSuccessDoesNotClearIt() {
        for (int i = 0; i < 5; i++) {
            throttle.recordFailure("user" + i, "203.0.113.7");
        }
        assertEquals(Verdict.SOURCE_LOCKED, throttle.check("fresh", "203.0.113.7"));
        throttle.recordSuccess("fresh");
        assertEquals(Verdict.SOURCE_LOCKED, throttle.check("fresh", "203.0.113.7"));
        assertEquals(Verdict.ALLOWED, throttle.check("fresh", "198.51.100.1"));
    }

    @Test
    void successClearsTheAccountCount() {
        throttle.recordFailure("alice", "a");
        throttle.recordFailure("alice", "b");
        throttle.recordSuccess("alice");
        throttle.recordFailure("alice", "c");
        throttle.recordFailure("alice", "d");
        assertEquals(Verdict.ALLOWED, throttle.check("alice", "e"));
    }

    @Test
    void aKnownDeviceIgnoresTheAccountAndSourceLocksAndHasItsOwnLimit() {
        for (int i = 0; i < 5; i++) {
            throttle.recordFailure("root", "198.51.100.9");
        }
        assertEquals(Verdict.SOURCE_LOCKED, throttle.check("root", "198.51.100.9"));
        assertEquals(Verdict.ACCOUNT_LOCKED, throttle.check("root", "192.0.2.1"));
        Attempt known = device("root", "198.51.100.9", "00112233445566778899aabbccddeeff");
        assertEquals(Verdict.ALLOWED, throttle.check(known));
        throttle.recordFailure(known);
        throttle.recordFailure(known);
        assertEquals(Verdict.DEVICE_LOCKED, throttle.check(known));
        assertEquals(Duration.ofSeconds(30), throttle.retryAfter(known));
        assertEquals(Verdict.ALLOWED, throttle.check(device("root", "x", "ffeeddccbbaa99887766554433221100")),
                "another device of the same account has its own bucket");
        assertEquals(Verdict.ALLOWED, throttle.check(device("admin", "x", "00112233445566778899aabbccddeeff")),
                "a device bucket is per account");
        advance(Duration.ofSeconds(30));
        assertEquals(Verdict.ALLOWED, throttle.check(known));
        throttle.recordSuccess(known);
        assertEquals(Verdict.ACCOUNT_LOCKED, throttle.check("root", "192.0.2.1"),
                "the owner's login does not hand strangers a new set of guesses");
    }

    @Test
    void anAccountThatCannotBeGuessedIsNeverLockedOnlyItsSources() {
        for (int i = 0; i < 50; i++) {
            throttle.recordFailure(new Attempt("backup-service", "10.1.0." + i, Optional.empty(), false));
        }
        assertEquals(Verdict.ALLOWED, throttle.check(new Attempt("backup-service", "10.2.0.1", Optional.empty(),
                false)));
        for (int i = 0; i < 5; i++) {
            throttle.recordFailure(new Attempt("backup-service", "10.3.0.1", Optional.empty(), false));
        }
        assertEquals(Verdict.SOURCE_LOCKED, throttle.check(new Attempt("backup-service", "10.3.0.1",
                Optional.empty(), false)));
    }

    @Test
    void aMillionDistinctSourcesKeepTheMapsBoundedAndEachFailureConstantTime() {
        int cap = 10_000;
        LoginThrottle bounded = LoginThrottle.builder().maxTrackedKeys(cap).decay(Duration.ofHours(1))
                .ticker(nanos::get).build();
        long start = System.nanoTime();
        for (int i = 0; i < 1_000_000; i++) {
            bounded.recordFailure(new Attempt("root", "s" + i, Optional.empty(), true));
            advance(Duration.ofNanos(1000));
        }
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(bounded.trackedKeys() <= 2 * cap, "buckets held: " + bounded.trackedKeys());
        // A rescan of the map per failure past the cap (the old code) costs 10^10 bucket visits here.
        assertTrue(elapsedMillis < 30_000, "1,000,000 failures took " + elapsedMillis + " ms");
        assertEquals(Verdict.ACCOUNT_LOCKED, bounded.check("root", "s999999"), "the hammered account is locked");
        assertEquals(Verdict.ALLOWED, bounded.check("root2", "s0"), "the first source was evicted");
    }
}
