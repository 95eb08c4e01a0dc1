package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.IntSupplier;

/** Waiting for the server to finish what a closed connection sets off (it runs on the server's own threads). */
final class Eventually {
    private Eventually() {
    }

    static void equals(int expected, IntSupplier actual, long millis, String what) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (actual.getAsInt() != expected && System.nanoTime() < deadline) {
            MitmProxy.sleep(10);
        }
        assertEquals(expected, actual.getAsInt(), what);
    }

    /** No established session and no open connection left on the server: nothing half-open. */
    static void nothingOpen(TestCluster cluster) {
        // The connection count drops on the I/O thread, the registry entry on the session's own executor.
        equals(0, cluster.server::connectionCount, 5_000, "open connections on the server");
        equals(0, cluster.sessions::size, 5_000, "sessions in the registry");
    }
}
