package org.opencluster.auth.server.net;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * Keeps {@code connections.max} within the process's file-descriptor limit: each connection holds one descriptor,
 * and a server that runs out of them can no longer accept, open its database or read a key file, so every login
 * fails ("Too many open files") before the connection cap is reached. When the limit is too low, the TCP cap is
 * lowered to what fits after the HTTPS listener's connections and a headroom for everything else, and one log line
 * says so with the numbers.
 */
final class FileDescriptorBudget {
    /** Descriptors kept for everything but client connections: database, key and jar files, selectors, logs. */
    static final int HEADROOM = 256;

    /** The cap to use and the one line that explains it. */
    record Decision(int tcpConnections, boolean lowered, String logLine) {
    }

    private FileDescriptorBudget() {
    }

    /** The process's descriptor limit, or -1 where the platform does not tell. */
    static long processLimit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean) {
            return ((com.sun.management.UnixOperatingSystemMXBean) os).getMaxFileDescriptorCount();
        }
        return -1;
    }

    /**
     * @param fdLimit        the process's descriptor limit (-1: unknown)
     * @param tcpConnections {@code connections.max}
     * @param otherConnections connections other listeners may hold (the HTTPS listener's cap, or 0)
     */
    static Decision decide(long fdLimit, int tcpConnections, int otherConnections) {
        if (fdLimit < 0) {
            return new Decision(tcpConnections, false, "event=server.fd_limit fd_limit=unknown connections.max="
                    + tcpConnections + " detail=\"the platform does not report a descriptor limit; cap kept\"");
        }
        long needed = (long) tcpConnections + otherConnections + HEADROOM;
        if (needed <= fdLimit) {
            return new Decision(tcpConnections, false, "event=server.fd_limit fd_limit=" + fdLimit
                    + " connections.max=" + tcpConnections + " https_connections=" + otherConnections + " headroom="
                    + HEADROOM + " detail=\"the descriptor limit covers every connection\"");
        }
        int fits = (int) Math.max(1, Math.min(tcpConnections, fdLimit - otherConnections - HEADROOM));
        return new Decision(fits, true, "event=server.fd_limit fd_limit=" + fdLimit + " connections.max="
                + tcpConnections + " https_connections=" + otherConnections + " headroom=" + HEADROOM
                + " effective_connections_max=" + fits + " detail=\"the process may open only " + fdLimit
                + " files, fewer than connections.max + HTTPS connections + headroom (" + needed
                + "): TCP connections are capped at " + fits + " so that accepting, the database and key files keep"
                + " working; raise the limit (ulimit -n, systemd LimitNOFILE) to allow " + tcpConnections + "\"");
    }
}
