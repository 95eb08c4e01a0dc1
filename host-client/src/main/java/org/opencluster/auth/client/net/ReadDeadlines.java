package org.opencluster.auth.client.net;

import org.opencluster.auth.protocol.time.MonotonicClock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Enforces read timeouts for {@link RispSocket}s by closing a socket whose read has waited past its deadline.
 *
 * <p>Why not {@code SO_TIMEOUT}: with a timeout set, every JDK socket read becomes a non-blocking read that finds
 * nothing, a {@code poll} and a second read; a request/response client pays those two extra system calls on every
 * answer (measured: about 15% of a 64-byte round trip on loopback). A blocking read with a deadline watched here
 * costs one volatile write before and after.
 *
 * <p>One daemon thread for all sockets of the JVM, started with the first socket; it checks every
 * {@link #TICK_MILLIS} ms, so a timeout fires up to that much late.
 */
final class ReadDeadlines {
    static final long TICK_MILLIS = 100;
    private static final Set<RispSocket> WATCHED = ConcurrentHashMap.newKeySet();
    private static volatile Thread watcher;

    private ReadDeadlines() {
    }

    static void watch(RispSocket socket) {
        WATCHED.add(socket);
        if (watcher == null) {
            start();
        }
    }

    static void forget(RispSocket socket) {
        WATCHED.remove(socket);
    }

    private static synchronized void start() {
        if (watcher != null) {
            return;
        }
        Thread t = new Thread(ReadDeadlines::run, "oca-read-deadlines");
        t.setDaemon(true);
        t.start();
        watcher = t;
    }

    private static void run() {
        while (true) {
            try {
                TimeUnit.MILLISECONDS.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                // a daemon: keep watching
            }
            long now = MonotonicClock.system().nanos();
            for (RispSocket s : WATCHED) {
                s.expireIfOverdue(now);
            }
        }
    }
}
