package org.opencluster.auth.server.cluster;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.server.policy.SuitePolicyService;
import org.opencluster.auth.server.session.SessionRegistry;
import org.opencluster.auth.server.store.JdbcAccountStore;
import org.opencluster.auth.server.store.StoreException;

/**
 * Issue 16 item 2, the staleness rule: a node that has not completed a re-read of the shared state for longer than
 * {@code cluster.max-staleness} takes no login (CLUSTER_STATE_STALE) until a re-read succeeds. The old code had no
 * rule: a node cut off from the others' changes went on admitting logins under its last view for ever.
 */
class ClusterSyncStalenessTest {
    private final JdbcAccountStore store = JdbcAccountStore.open("jdbc:h2:mem:sync-" + UUID.randomUUID()
            + ";DB_CLOSE_DELAY=-1", "sa", "");
    private final AtomicLong ticker = new AtomicLong();
    private final SuitePolicyService policies = new SuitePolicyService(SuiteRegistry.standard(), store,
            Clock.systemUTC());
    private final SessionRegistry sessions = new SessionRegistry();
    private final ClusterSync sync = new ClusterSync(store, "node-a", policies, sessions, Duration.ofMillis(500),
            Duration.ofSeconds(3), ticker::get, Clock.systemUTC());

    @AfterEach
    void close() {
        sync.close();
        store.close();
    }

    @Test
    void aNodeWhoseViewIsTooOldTakesNoLoginUntilItReadsAgain() {
        assertDoesNotThrow(sync::requireFresh);
        ticker.addAndGet(Duration.ofSeconds(3).toNanos());
        assertDoesNotThrow(sync::requireFresh, "exactly at the limit: still fresh");
        ticker.addAndGet(1);
        StoreException e = assertThrows(StoreException.class, sync::requireFresh);
        assertTrue(e.stale() && e.unavailable(), "its own error code, answered as an outage (nothing counted)");
        assertTrue(e.getMessage().contains("takes no login"), e.getMessage());
        sync.pass();
        assertDoesNotThrow(sync::requireFresh, "a successful re-read lifts the refusal at once");
    }

    /** Another node's policy change is in force here after one pass (no restart, no CONFLICT on the next change). */
    @Test
    void aPassPicksUpAnotherNodesPolicyChange() throws Exception {
        SuitePolicyService other = new SuitePolicyService(SuiteRegistry.standard(), store, Clock.systemUTC());
        int suite = other.current().enabledIds().get(0);
        other.change("root", p -> p.disable(suite));
        assertTrue(policies.current().isEnabled(suite), "before the pass: the old view");
        sync.pass();
        assertEquals(other.current().version(), policies.current().version());
        assertDoesNotThrow(() -> policies.change("root", p -> p.enable(suite, p.enabledIds().size())),
                "the next change from this node follows the current version");
    }
}
