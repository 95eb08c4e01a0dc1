package org.opencluster.auth.server.session;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.opencluster.auth.protocol.suite.SuitePolicy;

/**
 * Live sessions of this node. When the suite policy changes, sessions whose suite is no longer enabled are ended:
 * they must log in again and negotiate one of the suites still allowed.
 */
public final class SessionRegistry {
    private final ConcurrentHashMap<Long, LiveSession> sessions = new ConcurrentHashMap<>();
    private volatile ClusterBroadcast cluster = ClusterBroadcast.NONE;

    /** The other nodes of the cluster: they hear of {@link #endUser} and show their sessions in {@link #find}. */
    public void joinCluster(ClusterBroadcast cluster) {
        this.cluster = java.util.Objects.requireNonNull(cluster);
    }

    public void add(LiveSession s) {
        if (sessions.putIfAbsent(s.id(), s) != null) {
            throw new IllegalStateException("session id collision");
        }
    }

    public void remove(LiveSession s) {
        sessions.remove(s.id(), s);
    }

    /** A session of this node, or else of another node of the cluster (ending it asks that node to). */
    public Optional<LiveSession> find(long id) {
        LiveSession here = sessions.get(id);
        return here != null ? Optional.of(here) : cluster.findElsewhere(id);
    }

    /** The sessions of every node of the cluster, this node's first (each node's oldest first). */
    public List<LiveSession> listCluster() {
        List<LiveSession> all = list();
        all.addAll(cluster.elsewhere());
        return all;
    }

    public int size() {
        return sessions.size();
    }

    /** All sessions, oldest first. */
    public List<LiveSession> list() {
        List<LiveSession> all = new ArrayList<>(sessions.values());
        all.sort(Comparator.comparing(LiveSession::startedAt).thenComparingLong(LiveSession::id));
        return all;
    }

    /**
     * Ends every session of {@code username} (its account was disabled, deleted, reset or rekeyed) on this node,
     * and has every other node of the cluster do the same; returns how many ended here.
     */
    public int endUser(String username, String reason) {
        int ended = endUserHere(username, reason);
        cluster.endUser(username, reason);
        return ended;
    }

    /** Ends every session of {@code username} on this node only (another node asked); returns how many. */
    public int endUserHere(String username, String reason) {
        int ended = 0;
        for (LiveSession s : sessions.values()) {
            if (s.username().equals(username)) {
                s.terminate(reason);
                sessions.remove(s.id(), s);
                ended++;
            }
        }
        return ended;
    }

    /** Ends the sessions whose suite {@code policy} no longer enables; returns how many. */
    public int enforce(SuitePolicy policy) {
        int ended = 0;
        for (LiveSession s : sessions.values()) {
            if (!policy.isEnabled(s.suiteId())) {
                s.terminate(String.format("suite 0x%04x was disabled by an admin; log in again", s.suiteId()));
                sessions.remove(s.id(), s);
                ended++;
            }
        }
        return ended;
    }
}
