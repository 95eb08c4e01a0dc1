package org.opencluster.auth.server.store;

import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The shared throttle on the embedded H2 (one node's database; several throttles stand for several nodes). */
class H2SharedThrottleTest extends SharedThrottleContract {
    private static JdbcAccountStore store;

    @BeforeAll
    static void open() {
        store = JdbcAccountStore.open("jdbc:h2:mem:throttle-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
    }

    @AfterAll
    static void close() {
        store.close();
    }

    @Override
    protected JdbcAccountStore store() {
        return store;
    }
}
