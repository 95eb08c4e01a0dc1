package org.opencluster.auth.server.boot;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.opencluster.auth.server.config.ConfigException;
import org.opencluster.auth.server.config.ServerConfig;

/**
 * What can be known to fail before a start creates anything (issue 15 item 7): a failed start must leave no fresh
 * data directory, key or database behind, so that the operator's next attempt, with the mistake fixed, is a first
 * start again and not a half-made one. Only the data directory (with its missing parents) and files in it are ever
 * created: a {@code keyfile:} key elsewhere must be in a directory that exists.
 */
public final class StartChecks {
    private StartChecks() {
    }

    /** The data directory is one (or can be made) and every {@code keyfile:} key exists or can be made in its directory. */
    public static void paths(ServerConfig c) throws ConfigException {
        Path data = c.dataDir().toAbsolutePath().normalize();
        if (Files.exists(data, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(data)) {
            throw new ConfigException("data.dir " + data + " exists and is not a directory");
        }
        for (String[] key : List.of(new String[] {"server.key", c.serverKey()}, new String[] {"ca.key", c.caKey()},
                new String[] {"tls-ca.key", c.tlsCaKey()})) {
            if (!key[1].startsWith("keyfile:")) {
                continue;
            }
            Path file = ServerKeys.keyPath(key[1]);
            if (Files.exists(file)) {
                if (!Files.isRegularFile(file)) {
                    throw new ConfigException(key[0] + " " + file + " is not a regular file");
                }
            } else if (!file.getParent().equals(data)) {
                requireDirectory(file.getParent(), key[0] + " " + file);
            }
        }
    }

    private static void requireDirectory(Path dir, String forWhat) throws ConfigException {
        if (dir == null || !Files.isDirectory(dir)) {
            throw new ConfigException(forWhat + ": the directory " + dir + " does not exist; create it first"
                    + " (the server creates the data directory and files in it, no directory for a key elsewhere)");
        }
    }

    /**
     * Each listener's address can be bound now (a listener on port 0 picks a free port and cannot conflict): an
     * address in use or not of this host is reported before the data directory is made, not after. The server
     * binds again right after; a port taken in between still fails that start, as before.
     */
    public static void listenersFree(ServerConfig c) throws BindException {
        probe("listen", c.listen());
        Optional<InetSocketAddress> https = c.httpsListen();
        if (https.isPresent()) {
            probe("https.listen", https.get());
        }
        Optional<InetSocketAddress> admin = c.adminListen();
        if (admin.isPresent()) {
            probe("admin.listen", admin.get());
        }
    }

    private static void probe(String key, InetSocketAddress a) throws BindException {
        if (a.getPort() == 0) {
            return;
        }
        if (a.isUnresolved()) {
            throw new BindException("cannot listen on " + a.getHostString() + ":" + a.getPort() + " (" + key
                    + "): the host name does not resolve");
        }
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true); // as the listener itself: a port in TIME_WAIT is free
            s.bind(a);
        } catch (IOException e) {
            throw new BindException("cannot listen on " + a.getAddress().getHostAddress() + ":" + a.getPort() + " ("
                    + key + "): " + e.getMessage());
        }
    }
}
