package org.opencluster.auth.server.store;

import java.util.UUID;

/** Pending security-key registrations on the embedded H2: two pools on one database stand for two nodes. */
class H2PendingRegistrationTest extends PendingRegistrationContract {
    private final String url = "jdbc:h2:mem:pending-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";

    @Override
    protected JdbcAccountStore open() {
        return JdbcAccountStore.open(url, "sa", "");
    }
}
