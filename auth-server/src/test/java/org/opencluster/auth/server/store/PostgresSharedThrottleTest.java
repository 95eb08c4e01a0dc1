package org.opencluster.auth.server.store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The shared throttle on a real PostgreSQL ({@code OCA_TEST_POSTGRES_URL}; bin/test starts one). */
class PostgresSharedThrottleTest extends SharedThrottleContract {
    private static JdbcAccountStore store;

    @BeforeAll
    static void open() {
        store = TestPostgres.open();
    }

    @AfterAll
    static void close() {
        if (store != null) {
            store.close();
        }
    }

    @Override
    protected JdbcAccountStore store() {
        return store;
    }
}
