package org.opencluster.auth.server.store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.opencluster.auth.testsupport.RealComponent;

/**
 * The same contract on a real PostgreSQL (bin/test starts a throwaway cluster on 127.0.0.1 and sets
 * {@code OCA_TEST_POSTGRES_URL}); several server nodes share one such database.
 */
class PostgresAccountStoreTest extends AccountStoreContract {
    private static JdbcAccountStore store;

    @BeforeAll
    static void open() {
        String url = System.getenv("OCA_TEST_POSTGRES_URL");
        RealComponent.require(url != null && !url.isEmpty(),
                "PostgreSQL: set OCA_TEST_POSTGRES_URL (bin/test starts one; apt-get install postgresql)");
        store = JdbcAccountStore.open(url, System.getenv().getOrDefault("OCA_TEST_POSTGRES_USER", "postgres"), "");
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
