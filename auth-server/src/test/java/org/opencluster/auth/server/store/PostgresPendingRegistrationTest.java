package org.opencluster.auth.server.store;

/** Pending security-key registrations on a real PostgreSQL ({@code OCA_TEST_POSTGRES_URL}), two pools on it. */
class PostgresPendingRegistrationTest extends PendingRegistrationContract {
    @Override
    protected JdbcAccountStore open() {
        return TestPostgres.open();
    }
}
