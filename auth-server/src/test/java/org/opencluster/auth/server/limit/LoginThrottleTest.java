package org.opencluster.auth.server.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private final org.opencluster.auth.server.testsupport.SteppingClock clock =
            org.opencluster.auth.server.testsupport.SteppingClock.at(Instant.parse("2026-01-01T00:00:00Z"));
    private final LoginThrottle throttle = LoginThrottle.builder().maxAccountFailures(3).maxSourceFailures(5)
            .decay(Duration.ofSeconds(10)).lockout(Duration.ofSeconds(30)).clock(clock).build();

    @Test
    void accountLocksAfterTheLimitAndUnlocksAsFailuresDecay() {
        for (int i = 0; i < 3; i++) {
            assertEquals(LoginThrottle.Verdict.ALLOWED, throttle.check("alice", "10.0.0.1"));
            throttle.recordFailure("alice", "10.0.0." + i);
        }
        assertEquals(LoginThrottle.Verdict.ACCOUNT_LOCKED, throttle.check("alice", "10.0.0.9"));
        assertEquals(LoginThrottle.Verdict.ALLOWED, throttle.check("bob", "10.0.0.9"));
        assertEquals(Duration.ofSeconds(30), throttle.retryAfter("alice", "10.0.0.9"));
        clock.advance(java.time.Duration.ofSeconds(29));
        assertEquals(LoginThrottle.Verdict.ACCOUNT_LOCKED, throttle.check("alice", "10.0.0.9"));
        clock.advance(java.time.Duration.ofSeconds(2));
        assertEquals(LoginThrottle.Verdict.ALLOWED, throttle.check("alice", "10.0.0.9"));
        throttle.recordFailure("alice", "10.0.0.9");
        assertEquals(LoginThrottle.Verdict.ACCOUNT_LOCKED, throttle.check("alice", "10.0.0.9"),
                "one failure right after a lock locks again");
        clock.advance(java.time.Duration.ofSeconds(31 + 30));
        throttle.recordFailure("alice", "10.0.0.9");
        assertEquals(LoginThrottle.Verdict.ALLOWED, throttle.check("alice", "10.0.0.9"),
                "after the lock and some decay, failures count up from below the limit");
    }

    @Test
    void sourceLocksAcrossAccountsAndSuccessDoesNotClearIt() {
        for (int i = 0; i < 5; i++) {
            throttle.recordFailure("user" + i, "203.0.113.7");
        }
        assertEquals(LoginThrottle.Verdict.SOURCE_LOCKED, throttle.check("fresh", "203.0.113.7"));
        throttle.recordSuccess("fresh");
        assertEquals(LoginThrottle.Verdict.SOURCE_LOCKED, throttle.check("fresh", "203.0.113.7"));
        assertEquals(LoginThrottle.Verdict.ALLOWED, throttle.check("fresh", "198.51.100.1"));
    }

    @Test
    void successClearsTheAccountCount() {
        throttle.recordFailure("alice", "a");
        throttle.recordFailure("alice", "b");
        throttle.recordSuccess("alice");
        throttle.recordFailure("alice", "c");
        throttle.recordFailure("alice", "d");
        assertEquals(LoginThrottle.Verdict.ALLOWED, throttle.check("alice", "e"));
    }

    @Test
    void memoryStaysBoundedUnderAFloodOfKeys() {
        LoginThrottle small = LoginThrottle.builder().maxTrackedKeys(100).decay(Duration.ofSeconds(1)).clock(clock)
                .build();
        for (int i = 0; i < 10_000; i++) {
            small.recordFailure("u" + i, "s" + i);
            clock.advance(java.time.Duration.ofMillis(50));
        }
        assertTrue(small.retryAfter("u9999", "s9999").isZero());
    }
}
