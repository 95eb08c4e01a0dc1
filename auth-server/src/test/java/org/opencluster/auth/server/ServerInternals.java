package org.opencluster.auth.server;

import org.opencluster.auth.server.ca.ClusterCa;
import org.opencluster.auth.server.store.JdbcAccountStore;

/**
 * What tests look at behind a server's front door: its store and its CA, which {@link AuthServer} never hands out
 * (issue 17 item 6). Test code only.
 */
public final class ServerInternals {
    private ServerInternals() {
    }

    public static JdbcAccountStore store(AuthServer server) {
        return server.store();
    }

    public static ClusterCa ca(AuthServer server) {
        return server.ca();
    }
}
