package org.opencluster.auth.server.store;

import org.opencluster.auth.testsupport.RealComponent;

/** The test PostgreSQL (bin/test starts a throwaway one on 127.0.0.1 and sets {@code OCA_TEST_POSTGRES_URL}). */
final class TestPostgres {
    private TestPostgres() {
    }

    /** A store on it; skips (fails under CI=true) when none is configured. */
    static JdbcAccountStore open() {
        String url = System.getenv("OCA_TEST_POSTGRES_URL");
        RealComponent.require(url != null && !url.isEmpty(),
                "PostgreSQL: set OCA_TEST_POSTGRES_URL (bin/test starts one; apt-get install postgresql)");
        return JdbcAccountStore.open(url, System.getenv().getOrDefault("OCA_TEST_POSTGRES_USER", "postgres"), "");
    }
}
