package org.opencluster.auth.server.store;

import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Pending security-key registrations on the embedded H2: two pools on one database stand for two nodes. */
class H2PendingRegistrationTest extends PendingRegistrationContract {
    private static JdbcAccountStore a;
    private static JdbcAccountStore b;

    @BeforeAll
    static void open() {
        String url = "jdbc:h2:mem:pending-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        a = JdbcAccountStore.open(url, "sa", "");
        b = JdbcAccountStore.open(url, "sa", "");
    }

    @AfterAll
    static void close() {
        a.close();
        b.close();
    }

    @Override
    protected JdbcAccountStore nodeA() {
        return a;
    }

    @Override
    protected JdbcAccountStore nodeB() {
        return b;
    }
}
