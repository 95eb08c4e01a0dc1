package org.opencluster.auth.server.e2e;

import org.opencluster.auth.server.store.Account;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.token.KeyType;

/**
 * Issue 16 item 1: what a login costs the shared database (PostgreSQL, with the throttle's buckets in it): the
 * statements the node runs for one passphrase login, and its time. The count is bounded whatever the number of
 * accounts, sessions or nodes: the account read, the throttle's reads (source, account) and the success that
 * clears the account's bucket. The node's session row is written in its next batched pass, not per login.
 */
class LoginStatementsTest {
    private static final char[] PASS = "statements passphrase".toCharArray();
    /** Most statements one login may run (measured: see the output line). */
    private static final double MAX_PER_LOGIN = 6;

    @RegisterExtension
    final Clusters clusters = new Clusters();

    @Test
    void aLoginRunsABoundedNumberOfStatements() throws Exception {
        try (ThrowawayPostgres pg = ThrowawayPostgres.create()) {
            TestCluster node = clusters.in().config(c -> c.database(pg.url, pg.user, "").clusterNodeId("node-s")
                    // no pass during the measurement: only the logins' own statements count
                    .clusterTiming(Duration.ofSeconds(60), Duration.ofSeconds(120))).start();
            node.person("alice", PASS, Account.Role.USER, KeyType.EC_P256);
            for (int i = 0; i < 3; i++) {
                login(node);
            }
            int logins = 20;
            long before = node.store.statementCount();
            long start = System.nanoTime();
            for (int i = 0; i < logins; i++) {
                login(node);
            }
            double ms = (System.nanoTime() - start) / 1e6 / logins;
            double perLogin = (node.store.statementCount() - before) / (double) logins;
            System.out.printf("cluster: PostgreSQL, shared throttle: %.1f statements and %.1f ms per login (client"
                    + " KDF included)%n", perLogin, ms);
            assertTrue(perLogin <= MAX_PER_LOGIN, perLogin + " statements per login");
            clusters.afterAll(null);
        }
    }

    private static void login(TestCluster node) throws Exception {
        try (OcaSession s = OcaSession.login(node.address(), "alice", node.passphrase(PASS), node.pinned(),
                new OcaSession.Options())) {
            s.suite();
        }
    }
}
