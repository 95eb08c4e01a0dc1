package org.opencluster.auth.server.store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Pending security-key registrations on a real PostgreSQL ({@code OCA_TEST_POSTGRES_URL}), two pools on it. */
class PostgresPendingRegistrationTest extends PendingRegistrationContract {
    private static JdbcAccountStore a;
    private static JdbcAccountStore b;

    @BeforeAll
    static void open() {
        a = TestPostgres.open();
        b = TestPostgres.open();
    }

    @AfterAll
    static void close() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
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
