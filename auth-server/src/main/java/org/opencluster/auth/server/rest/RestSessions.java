package org.opencluster.auth.server.rest;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.server.net.ConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live REST sessions of this node, by their random 128-bit id. The id only routes requests: it carries no
 * authority, because every command travels in frames sealed under the session's own keys. Bounds: at most
 * {@code maxPending} sessions still in their handshake ({@code maxPendingPerSource} from one address), at most {@code maxSessions} in all; a session idle longer
 * than {@code idle}, or older than {@code lifetime}, is ended by {@link #reap()}.
 */
final class RestSessions implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RestSessions.class);
    private static final Base64.Encoder IDS = Base64.getUrlEncoder().withoutPadding();

    private final ConnectionFactory factory;
    private final Clock clock;
    private final SecureRandom random;
    private final Duration idle;
    private final Duration lifetime;
    private final int maxPending;
    private final int maxPendingPerSource;
    private final int maxSessions;
    private final int maxStringLength;
    private final ConcurrentHashMap<String, RestSession> sessions = new ConcurrentHashMap<>();

    RestSessions(ConnectionFactory factory, Clock clock, SecureRandom random, Duration idle, Duration lifetime,
            int maxPending, int maxPendingPerSource, int maxSessions, int maxStringLength) {
        this.factory = factory;
        this.clock = clock;
        this.random = random;
        this.idle = idle;
        this.lifetime = lifetime;
        this.maxPending = maxPending;
        this.maxPendingPerSource = maxPendingPerSource;
        this.maxSessions = maxSessions;
        this.maxStringLength = maxStringLength;
    }

    /** A new session in its handshake, or 503 when too many are open or pending. */
    RestSession open(String remote) throws RestProblem {
        reap();
        long pending = 0;
        long fromSource = 0;
        for (RestSession s : sessions.values()) {
            if (!s.loggedIn()) {
                pending++;
                fromSource += s.remote().equals(remote) ? 1 : 0;
            }
        }
        // The per-source bound keeps one address from holding every handshake slot.
        if (pending >= maxPending || fromSource >= maxPendingPerSource || sessions.size() >= maxSessions) {
            LOG.warn("event=rest.session_refused reason=cap pending={} total={} remote={}", pending, sessions.size(),
                    remote);
            throw RestProblem.of(503, ErrorCode.RATE_LIMITED, "too many open sessions or handshakes; retry later");
        }
        byte[] raw = new byte[16];
        random.nextBytes(raw);
        String id = IDS.encodeToString(raw);
        RestSession s = new RestSession(id, factory.open(remote), remote, maxStringLength, clock.instant());
        sessions.put(id, s);
        return s;
    }

    /** The live session with this id (an ended one is removed and not found). */
    Optional<RestSession> find(String id) {
        RestSession s = sessions.get(id);
        if (s != null && s.closed()) {
            end(s);
            return Optional.empty();
        }
        return Optional.ofNullable(s);
    }

    void end(RestSession s) {
        sessions.remove(s.id(), s);
        s.finish();
    }

    Instant now() {
        return clock.instant();
    }

    int size() {
        return sessions.size();
    }

    /** Ends idle, expired and closed sessions; returns how many. */
    int reap() {
        Instant now = clock.instant();
        int ended = 0;
        for (RestSession s : sessions.values()) {
            if (s.closed() || s.lastUsed().plus(idle).isBefore(now) || s.created().plus(lifetime).isBefore(now)) {
                end(s);
                ended++;
            }
        }
        return ended;
    }

    @Override
    public void close() {
        for (RestSession s : sessions.values()) {
            end(s);
        }
    }
}
