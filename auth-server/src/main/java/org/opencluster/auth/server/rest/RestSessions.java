package org.opencluster.auth.server.rest;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.server.net.ConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live REST sessions of this node, by their random 128-bit id. The id only routes requests: it carries no
 * authority, because every command travels in frames sealed under the session's own keys. Bounds: at most
 * {@code maxSessions} in all; at most {@code maxPending} still in their handshake, and a pending session ends at
 * its handshake deadline ({@code handshakeTimeout} after creation). A source (address prefix) at its
 * {@code maxPendingPerSource} loses its own oldest pending session to its new one, and when all pending slots are
 * taken a newcomer takes the oldest pending slot of the source holding the most, if that source holds more than
 * the newcomer: bare CLIENT_HELLOs from a few addresses cannot keep another address out. A session idle longer
 * than {@code idle}, or older than {@code lifetime}, is ended by {@link #reap()}.
 */
final class RestSessions implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RestSessions.class);
    private static final Base64.Encoder IDS = Base64.getUrlEncoder().withoutPadding();

    private final ConnectionFactory factory;
    /** Monotonic nanoseconds (System::nanoTime): a wall clock that jumps must neither end nor extend a session. */
    private final LongSupplier ticker;
    private final SecureRandom random;
    private final Duration idle;
    private final Duration lifetime;
    private final Duration handshakeTimeout;
    private final int maxPending;
    private final int maxPendingPerSource;
    private final int maxSessions;
    private final int maxStringLength;
    private final ConcurrentHashMap<String, RestSession> sessions = new ConcurrentHashMap<>();
    /** Sessions opened so far; guarded by this (create runs inside open's lock). */
    private long opened;
    /** Told the reason of each refused or evicted pending session (the server's pre-auth rejection meter). */
    private volatile java.util.function.Consumer<String> rejections = reason -> { };

    RestSessions(ConnectionFactory factory, LongSupplier ticker, SecureRandom random, Duration idle, Duration lifetime,
            Duration handshakeTimeout, int maxPending, int maxPendingPerSource, int maxSessions, int maxStringLength) {
        this.factory = factory;
        this.ticker = ticker;
        this.random = random;
        this.idle = idle;
        this.lifetime = lifetime;
        this.handshakeTimeout = handshakeTimeout;
        this.maxPending = maxPending;
        this.maxPendingPerSource = maxPendingPerSource;
        this.maxSessions = maxSessions;
        this.maxStringLength = maxStringLength;
    }

    /** Where each refusal and eviction of a pending session is reported (one bounded reason word each). */
    void onRejection(java.util.function.Consumer<String> rejections) {
        this.rejections = java.util.Objects.requireNonNull(rejections);
    }

    /**
     * A new session in its handshake for {@code source} (a source key), making room by evicting a pending session
     * (see the class comment), or 503 when no room can fairly be made.
     */
    RestSession open(String source) throws RestProblem {
        reap();
        synchronized (this) {
            Map<String, List<RestSession>> pendingBySource = new HashMap<>();
            int pending = 0;
            for (RestSession s : sessions.values()) {
                if (!s.loggedIn()) {
                    pendingBySource.computeIfAbsent(s.remote(), k -> new ArrayList<>()).add(s);
                    pending++;
                }
            }
            List<RestSession> own = pendingBySource.getOrDefault(source, List.of());
            if (own.size() >= maxPendingPerSource) {
                evictOldest(own, "source_cap");
                pending--;
            } else if (pending >= maxPending) {
                List<RestSession> largest = own;
                for (List<RestSession> l : pendingBySource.values()) {
                    if (l.size() > largest.size()) {
                        largest = l;
                    }
                }
                if (largest.size() <= own.size()) {
                    LOG.warn("event=rest.session_refused reason=pending_cap pending={} remote={}", pending, source);
                    rejections.accept("https_handshake_cap");
                    throw RestProblem.of(503, ErrorCode.RATE_LIMITED, "too many handshakes in progress; retry later");
                }
                evictOldest(largest, "fair_share");
                pending--;
            }
            if (sessions.size() >= maxSessions) {
                LOG.warn("event=rest.session_refused reason=cap pending={} total={} remote={}", pending,
                        sessions.size(), source);
                rejections.accept("https_session_cap");
                throw RestProblem.of(503, ErrorCode.RATE_LIMITED, "too many open sessions; retry later");
            }
            return create(source);
        }
    }

    private void evictOldest(List<RestSession> pendingOfOneSource, String reason) {
        RestSession oldest = pendingOfOneSource.get(0);
        for (RestSession s : pendingOfOneSource) {
            if (s.serial() < oldest.serial()) {
                oldest = s;
            }
        }
        LOG.info("event=rest.pending_evicted reason={} remote={}", reason, oldest.remote());
        rejections.accept("https_pending_evicted");
        end(oldest);
    }

    private RestSession create(String remote) {
        byte[] raw = new byte[16];
        random.nextBytes(raw);
        String id = IDS.encodeToString(raw);
        RestSession s = new RestSession(id, opened++, factory.open(remote), remote, maxStringLength, ticker.getAsLong());
        sessions.put(id, s);
        return s;
    }

    /**
     * The live session with this id (an ended one is removed and not found), or one the server ended whose last
     * frames wait for this request (its keys are released now; the exchange hands the frames over).
     */
    Optional<RestSession> find(String id) {
        RestSession s = sessions.get(id);
        if (s != null && s.holdsServerEnding()) {
            s.finish();
            return Optional.of(s);
        }
        if (s != null && (s.closed() || handshakeExpired(s, ticker.getAsLong()))) {
            end(s);
            return Optional.empty();
        }
        return Optional.ofNullable(s);
    }

    /**
     * Whether the session with this id has logged in, as of its last exchange: for the I/O thread, which bounds a
     * body by it before the request reaches the session (never waits for a session's lock).
     */
    boolean loggedIn(String id) {
        RestSession s = sessions.get(id);
        return s != null && s.loggedInAsOfLastExchange();
    }

    void end(RestSession s) {
        sessions.remove(s.id(), s);
        s.finish();
    }

    /** Now, in the ticker's nanoseconds. */
    long now() {
        return ticker.getAsLong();
    }

    int size() {
        return sessions.size();
    }

    /**
     * Ends idle, expired and closed sessions; returns how many. A session the server ended releases its keys here
     * but stays, until the client's next request or its idle timeout, to hand over the server's last frames.
     */
    int reap() {
        long now = ticker.getAsLong();
        int ended = 0;
        for (RestSession s : sessions.values()) {
            boolean expired = now - s.lastUsed() > idle.toNanos() || now - s.created() > lifetime.toNanos()
                    || handshakeExpired(s, now);
            if (!expired && s.holdsServerEnding()) {
                s.finish();
                continue;
            }
            if (expired || s.closed()) {
                end(s);
                ended++;
            }
        }
        return ended;
    }

    /** A session still in its handshake past its deadline: it ends, and its slot is free. */
    private boolean handshakeExpired(RestSession s, long now) {
        // Differences of ticker readings, never comparisons of readings: nanoTime may wrap.
        return now - s.created() > handshakeTimeout.toNanos() && !s.loggedIn();
    }

    @Override
    public void close() {
        for (RestSession s : sessions.values()) {
            end(s);
        }
    }
}
