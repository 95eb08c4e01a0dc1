package org.opencluster.auth.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.limit.LoginThrottle.Attempt;
import org.opencluster.auth.server.limit.LoginThrottle.Verdict;

/**
 * Issue 16 item 1: the login throttle of several nodes on one database is one throttle. Two {@link LoginThrottle}s
 * stand for two nodes; each test uses names of its own, so the contract runs on a shared database too.
 */
abstract class SharedThrottleContract {
    /** Wall-clock epoch nanoseconds as the nodes share them, moved by the test. */
    private final AtomicLong wall = new AtomicLong(1_790_000_000_000_000_000L);
    private final String tag = UUID.randomUUID().toString().substring(0, 8);

    protected abstract JdbcAccountStore store();

    private LoginThrottle node() {
        return LoginThrottle.builder().maxAccountFailures(5).maxSourceFailures(50).decay(Duration.ofSeconds(60))
                .lockout(Duration.ofMinutes(5)).shared(new JdbcSharedBuckets(store())).ticker(wall::get).build();
    }

    private String name(String n) {
        return n + "-" + tag;
    }

    /**
     * The issue: failure counts did not add up across nodes. The old throttle kept them in each node's memory:
     * 3 failures on A and 2 on B left both below the limit of 5, so a guesser spreading over n nodes had n times
     * the guesses. Now the fifth failure, wherever it lands, locks the account on every node.
     */
    @Test
    void failuresOnTwoNodesAddUpToOneLock() {
        LoginThrottle a = node();
        LoginThrottle b = node();
        String alice = name("alice");
        for (int i = 0; i < 3; i++) {
            a.recordFailure(alice, "10.0.0." + i);
        }
        for (int i = 3; i < 5; i++) {
            assertEquals(Verdict.ALLOWED, b.check(alice, "10.0.0.9"));
            b.recordFailure(alice, "10.0.0." + i);
        }
        assertEquals(Verdict.ACCOUNT_LOCKED, a.check(alice, "10.0.1.1"));
        assertEquals(Verdict.ACCOUNT_LOCKED, b.check(alice, "10.0.1.1"));
        assertEquals(Duration.ofMinutes(5), b.retryAfter(alice, "10.0.1.1"));
        wall.addAndGet(Duration.ofMinutes(5).plusNanos(1).toNanos());
        assertEquals(Verdict.ALLOWED, a.check(alice, "10.0.1.1"));
    }

    /** A restarted node (a new throttle on the same database) still knows the lock: the old one forgot it. */
    @Test
    void aLockOutlivesTheNodeThatSetIt() {
        String bob = name("bob");
        LoginThrottle before = node();
        for (int i = 0; i < 5; i++) {
            before.recordFailure(bob, "10.0.2.1");
        }
        assertEquals(Verdict.ACCOUNT_LOCKED, node().check(bob, "10.0.2.2"));
    }

    /** A success on one node clears the account's bucket for all; the source's count is kept (PROTOCOL.md 5.14). */
    @Test
    void aSuccessOnOneNodeClearsTheAccountForAll() {
        LoginThrottle a = node();
        LoginThrottle b = node();
        String carol = name("carol");
        for (int i = 0; i < 4; i++) {
            a.recordFailure(carol, "10.0.3.1");
        }
        b.recordSuccess(Attempt.unknownDevice(carol, "10.0.3.1"));
        a.recordFailure(carol, "10.0.3.1");
        assertEquals(Verdict.ALLOWED, b.check(carol, "10.0.3.2"), "one failure since the success, not five");
    }

    /** Known devices: their own bucket, shared too; strangers' failures on another node do not lock them. */
    @Test
    void aKnownDeviceIsExemptOnEveryNode() {
        LoginThrottle a = node();
        LoginThrottle b = node();
        String dave = name("dave");
        for (int i = 0; i < 10; i++) {
            a.recordFailure(dave, "10.0.4." + i);
        }
        Attempt fromKnown = new Attempt(dave, "10.0.5.1", Optional.of("00112233445566778899aabbccddeeff"), true);
        assertEquals(Verdict.ALLOWED, b.check(fromKnown));
        for (int i = 0; i < 5; i++) {
            b.recordFailure(fromKnown);
        }
        assertEquals(Verdict.DEVICE_LOCKED, a.check(fromKnown));
    }

    /** Decayed buckets are pruned; a live lock is not. */
    @Test
    void pruningKeepsLiveLocks() {
        String erin = name("erin");
        LoginThrottle a = node();
        for (int i = 0; i < 5; i++) {
            a.recordFailure(erin, "10.0.6.1");
        }
        JdbcSharedBuckets shared = new JdbcSharedBuckets(store());
        shared.prune(wall.get() - 1);
        assertEquals(Verdict.ACCOUNT_LOCKED, a.check(erin, "10.0.6.2"));
        assertTrue(shared.prune(wall.get() + Duration.ofHours(2).toNanos()) >= 2, "account and source buckets");
        assertEquals(Verdict.ALLOWED, a.check(erin, "10.0.6.2"));
    }
}
