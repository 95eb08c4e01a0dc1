package org.opencluster.auth.server.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 16 item 1: a security-key registration begun on one node finishes on another, and only once. Two stores
 * on one database stand for two nodes; each test uses account names of its own, so the contract runs on a shared
 * database too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PendingRegistrationContract {
    private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");
    private final String tag = UUID.randomUUID().toString().substring(0, 8);
    private JdbcAccountStore a;
    private JdbcAccountStore b;

    /** A new store (connection pool) on the test's database; each call one more node. */
    protected abstract JdbcAccountStore open();

    @BeforeAll
    void openTwoNodes() {
        a = open();
        b = open();
    }

    @AfterAll
    void closeNodes() {
        for (JdbcAccountStore node : new JdbcAccountStore[] {a, b}) {
            if (node != null) {
                node.close();
            }
        }
    }

    private JdbcAccountStore nodeA() {
        return a;
    }

    private JdbcAccountStore nodeB() {
        return b;
    }

    private static JdbcPendingRegistrations table(JdbcAccountStore store) {
        return new JdbcPendingRegistrations(store, 10_000);
    }

    private String name(String n) {
        return n + "-" + tag;
    }

    private static PendingRegistration pending(String user, int challenge) {
        return new PendingRegistration(user, new byte[] {(byte) challenge, 7, 7}, "{\"challenge\":" + challenge + "}",
                NOW.plus(Duration.ofSeconds(90)));
    }

    /** The issue: BEGIN on A, FINISH on B failed, since each node kept its registrations in memory. */
    @Test
    void aBeginOnOneNodeFinishesOnAnother() {
        String alice = name("alice");
        assertTrue(table(nodeA()).put(pending(alice, 1), NOW));
        PendingRegistration taken = table(nodeB()).take(alice, NOW.plusSeconds(5)).orElseThrow();
        assertArrayEquals(new byte[] {1, 7, 7}, taken.challenge());
        assertEquals("{\"challenge\":1}", taken.options());
        assertEquals(NOW.plus(Duration.ofSeconds(90)), taken.expiresAt());
    }

    /** A replayed FINISH, on the same node or another, finds nothing; nor does one after the expiry. */
    @Test
    void aRegistrationIsTakenOnceAndOnlyBeforeItExpires() {
        String bob = name("bob");
        table(nodeA()).put(pending(bob, 2), NOW);
        assertTrue(table(nodeA()).take(bob, NOW).isPresent());
        assertTrue(table(nodeA()).take(bob, NOW).isEmpty(), "replay on the same node");
        assertTrue(table(nodeB()).take(bob, NOW).isEmpty(), "replay on another node");
        table(nodeA()).put(pending(bob, 3), NOW);
        assertTrue(table(nodeB()).take(bob, NOW.plusSeconds(90)).isEmpty(), "expired");
        assertTrue(table(nodeA()).take(bob, NOW).isEmpty(), "an expired registration is used up by the attempt");
    }

    /** A new BEGIN, on whichever node, replaces the account's previous one (as on one node). */
    @Test
    void aNewBeginOnAnotherNodeReplacesThePrevious() {
        String carol = name("carol");
        table(nodeA()).put(pending(carol, 4), NOW);
        table(nodeB()).put(pending(carol, 5), NOW);
        assertArrayEquals(new byte[] {5, 7, 7}, table(nodeA()).take(carol, NOW).orElseThrow().challenge());
        assertTrue(table(nodeB()).take(carol, NOW).isEmpty());
    }

    /** Two FINISHes at the same moment on two nodes: exactly one gets the registration, in every round. */
    @Test
    void twoConcurrentFinishesOnTwoNodesExactlyOneWins() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                String dave = name("dave" + round);
                table(nodeA()).put(pending(dave, round), NOW);
                CyclicBarrier start = new CyclicBarrier(2);
                List<Future<Optional<PendingRegistration>>> finishes = new ArrayList<>();
                for (JdbcAccountStore node : List.of(nodeA(), nodeB())) {
                    finishes.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        return table(node).take(dave, NOW);
                    }));
                }
                int won = 0;
                for (Future<Optional<PendingRegistration>> f : finishes) {
                    won += f.get(30, TimeUnit.SECONDS).isPresent() ? 1 : 0;
                }
                assertEquals(1, won, "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
