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

    public void add(LiveSession s) {
        if (sessions.putIfAbsent(s.id(), s) != null) {
            throw new IllegalStateException("session id collision");
        }
    }

    public void remove(LiveSession s) {
        sessions.remove(s.id(), s);
    }

    public Optional<LiveSession> find(long id) {
        return Optional.ofNullable(sessions.get(id));
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

    /** Ends every session of {@code username} (its account was disabled); returns how many. */
    public int endUser(String username, String reason) {
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
