package org.opencluster.auth.server.store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The same contract on a real PostgreSQL (bin/test starts a throwaway cluster on 127.0.0.1 and sets
 * {@code OCA_TEST_POSTGRES_URL}); several server nodes share one such database.
 */
class PostgresAccountStoreTest extends AccountStoreContract {
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
    protected AccountStore store() {
        return store;
    }
}
