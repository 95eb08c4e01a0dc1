package org.opencluster.auth.server.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.opencluster.auth.server.log.LogValues;
import org.opencluster.auth.server.policy.SuitePolicyService;
import org.opencluster.auth.server.session.ClusterBroadcast;
import org.opencluster.auth.server.session.LiveSession;
import org.opencluster.auth.server.session.SessionRegistry;
import org.opencluster.auth.server.store.JdbcAccountStore;
import org.opencluster.auth.server.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node in step with the others on the same database (issue 16): admin actions taken on any node reach
 * this one within a second, and this node's sessions are visible to every node's admins.
 *
 * <p>An action is a row of {@code cluster_event} (Flyway V9), written by the node that took it; on PostgreSQL the
 * same transaction sends {@code NOTIFY oca_cluster}, and a thread of each node waits on a connection of its own
 * ({@code LISTEN oca_cluster}, pgjdbc {@code getNotifications(timeout)}) and applies the rows after the last it
 * applied: sessions of a disabled / deleted / reset / rekeyed account end, a session an admin ended elsewhere ends,
 * the suite policy is re-read (its listeners end sessions of a disabled suite). Whether notified or not, the thread
 * re-reads every {@code reread} (the safety net for a lost notification, and all there is on H2). The same pass
 * writes this node's session changes to {@code cluster_session} and moves its {@code last_seen} forward (PostgreSQL
 * only: an H2 file is opened by one process, so there a pass only reads).
 *
 * <p>Staleness rule: a node whose last complete pass is older than {@code maxStaleness} takes no login
 * ({@link #requireFresh}: CLUSTER_STATE_STALE) until a pass succeeds again, so a node cut off from the database
 * cannot go on negotiating a suite or admitting an account an admin has since disabled. Live sessions go on
 * meanwhile (they were admitted under a view at most {@code maxStaleness} old; their re-authentication needs the
 * store anyway).
 */
public final class ClusterSync implements ClusterBroadcast, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterSync.class);
    /** The PostgreSQL channel every node listens on. */
    public static final String CHANNEL = "oca_cluster";
    static final String END_USER = "end-user";
    static final String END_SESSION = "end-session";
    static final String POLICY = "policy";
    /** Events and stale session rows older than this are deleted (no node needs them: each applies within seconds). */
    private static final Duration KEEP = Duration.ofHours(1);

    private final JdbcAccountStore store;
    private final String node;
    private final SuitePolicyService policies;
    private final SessionRegistry sessions;
    private final Duration reread;
    private final Duration maxStaleness;
    private final LongSupplier ticker;
    private final Clock clock;
    private final Thread thread;
    private final Object wake = new Object();
    /** The sessions this node last wrote to cluster_session (id to row), touched by the sync thread only. */
    private final Map<Long, LiveSession> written = new HashMap<>();
    private volatile long lastSeq;
    private volatile long freshAt;
    private volatile boolean closed;
    private volatile boolean staleLogged;
    private Connection listener;
    private long passes;

    public ClusterSync(JdbcAccountStore store, String node, SuitePolicyService policies, SessionRegistry sessions,
            Duration reread, Duration maxStaleness, LongSupplier ticker, Clock clock) {
        this.store = Objects.requireNonNull(store);
        this.node = Objects.requireNonNull(node);
        this.policies = Objects.requireNonNull(policies);
        this.sessions = Objects.requireNonNull(sessions);
        this.reread = reread;
        this.maxStaleness = maxStaleness;
        this.ticker = ticker;
        this.clock = clock;
        // Events before this start concern sessions this node never had, and the policy is read fresh at start.
        this.lastSeq = store.read("read the cluster events", c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT COALESCE(MAX(seq), 0) FROM cluster_event")) {
                rs.next();
                return rs.getLong(1);
            }
        });
        // Rows a previous run of this node left (it was killed): its sessions died with it.
        if (store.postgres()) {
            store.write("forget this node's old sessions", c -> update(c, "DELETE FROM cluster_session"
                    + " WHERE node = ?", node));
        }
        this.freshAt = ticker.getAsLong();
        this.thread = new Thread(this::run, "oca-cluster-sync");
        thread.setDaemon(true);
        policies.onChange(p -> {
            if (Thread.currentThread() != this.thread) {
                try {
                    publish(POLICY, Long.toString(p.version()), "suite policy changed");
                } catch (StoreException e) {
                    // The change itself is stored; the other nodes read it at their next re-read without the wake-up.
                    LOG.warn("event=cluster.notify_failed kind=policy policy_version={}", p.version());
                }
            }
        });
        sessions.joinCluster(this);
    }

    public ClusterSync start() {
        thread.start();
        return this;
    }

    /** This node's name in cluster_session and cluster_event. */
    public String node() {
        return node;
    }

    /**
     * Throws {@link StoreException#stale} when this node's view of the cluster is older than {@code maxStaleness}
     * (see the class comment): called before every login.
     */
    public void requireFresh() {
        long age = ticker.getAsLong() - freshAt;
        if (age > maxStaleness.toNanos()) {
            throw StoreException.stale("this node has not been able to read the cluster's policy and admin actions"
                    + " for " + Duration.ofNanos(age).toSeconds() + " s (more than " + maxStaleness.toSeconds()
                    + " s): it takes no login until it can; retry later or on another node");
        }
    }

    /**
     * Why this node takes no login now under the staleness rule, if it does not (the admin listener's
     * {@code /readyz}): the balancer should send its traffic elsewhere meanwhile. The same age as {@link #requireFresh}.
     */
    public java.util.Optional<String> staleBecause() {
        long age = ticker.getAsLong() - freshAt;
        // A lone H2 node has no other node to fall behind (the rule is PostgreSQL's, as in AuthServer).
        return store.postgres() && age > maxStaleness.toNanos()
                ? java.util.Optional.of("cluster state " + Duration.ofNanos(age).toSeconds() + " s old (more than "
                        + maxStaleness.toSeconds() + " s)")
                : java.util.Optional.empty();
    }

    @Override
    public void endUser(String username, String reason) {
        publish(END_USER, username, reason);
    }

    @Override
    public List<LiveSession> elsewhere() {
        Instant horizon = clock.instant().minus(reread.multipliedBy(3));
        return store.read("list the cluster's sessions", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT node, session_id, account, suite, started_at"
                    + " FROM cluster_session WHERE node <> ? AND last_seen >= ? ORDER BY started_at, session_id")) {
                ps.setString(1, node);
                ps.setTimestamp(2, Timestamp.from(horizon));
                List<LiveSession> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Remote(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getInt(4),
                                rs.getTimestamp(5).toInstant()));
                    }
                }
                return out;
            }
        });
    }

    /** A session of another node, as its row says; ending it asks that node to. */
    private final class Remote implements LiveSession {
        private final String owner;
        private final long id;
        private final String username;
        private final int suite;
        private final Instant started;

        Remote(String owner, long id, String username, int suite, Instant started) {
            this.owner = owner;
            this.id = id;
            this.username = username;
            this.suite = suite;
            this.started = started;
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public String username() {
            return username;
        }

        @Override
        public int suiteId() {
            return suite;
        }

        @Override
        public String remoteAddress() {
            return "node " + owner;
        }

        @Override
        public Instant startedAt() {
            return started;
        }

        @Override
        public void terminate(String reason) {
            publish(END_SESSION, Long.toHexString(id), reason);
        }
    }

    /** Records an action for every node (and wakes them on PostgreSQL); applied here at once by the caller. */
    private void publish(String kind, String subject, String reason) {
        store.write("announce an admin action to the cluster", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO cluster_event (kind, subject, reason,"
                    + " origin, created_at) VALUES (?,?,?,?,?)")) {
                ps.setString(1, kind);
                ps.setString(2, subject);
                ps.setString(3, reason.length() > 255 ? reason.substring(0, 255) : reason);
                ps.setString(4, node);
                ps.setTimestamp(5, Timestamp.from(clock.instant()));
                ps.executeUpdate();
            }
            // Old actions go with each new one: every node applied them within seconds.
            update(c, "DELETE FROM cluster_event WHERE created_at < ?", clock.instant().minus(KEEP));
            if (store.postgres()) {
                try (Statement st = c.createStatement()) {
                    st.execute("NOTIFY " + CHANNEL);
                }
            }
            return null;
        });
        wakeUp();
    }

    /** Runs a pass now (tests, and the node's own actions). */
    void wakeUp() {
        synchronized (wake) {
            woken = true;
            wake.notifyAll();
        }
    }

    private void run() {
        while (!closed) {
            try {
                awaitNotification();
                pass();
            } catch (RuntimeException | SQLException e) {
                if (!closed) {
                    noteFailure(e);
                    closeListener();
                    sleep(Math.min(reread.toMillis(), 500));
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Waits for a NOTIFY (PostgreSQL) or a local wake-up, at most {@code reread}. */
    private void awaitNotification() throws SQLException, InterruptedException {
        if (store.postgres()) {
            if (listener == null) {
                listener = store.dedicatedConnection();
                try (Statement st = listener.createStatement()) {
                    st.execute("LISTEN " + CHANNEL);
                }
                // A notification sent while this node was not listening (its connection was cut, PostgreSQL
                // restarted) is gone for good: read at once what may have happened meanwhile, not a re-read later.
                return;
            }
            // Polled in short slices so a local wake-up (this node's own action) is not held up either.
            long until = System.nanoTime() + reread.toNanos();
            org.postgresql.PGConnection pg = listener.unwrap(org.postgresql.PGConnection.class);
            while (System.nanoTime() - until < 0 && !closed) {
                org.postgresql.PGNotification[] got = pg.getNotifications(100);
                if (got != null && got.length > 0) {
                    return;
                }
                synchronized (wake) {
                    if (woken) {
                        woken = false;
                        return;
                    }
                }
            }
        } else {
            synchronized (wake) {
                if (!woken) {
                    wake.wait(reread.toMillis());
                }
                woken = false;
            }
        }
    }

    private boolean woken;

    /** One pass: apply new events, re-read the policy, write this node's session changes. */
    void pass() {
        long from = lastSeq;
        List<String[]> events = store.read("read the cluster events", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, kind, subject, reason, origin FROM"
                    + " cluster_event WHERE seq > ? ORDER BY seq LIMIT 1000")) {
                ps.setLong(1, from);
                List<String[]> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new String[] {Long.toString(rs.getLong(1)), rs.getString(2), rs.getString(3),
                                rs.getString(4), rs.getString(5)});
                    }
                }
                return out;
            }
        });
        for (String[] e : events) {
            if (!e[4].equals(node)) {
                apply(e[1], e[2], e[3]);
            }
            lastSeq = Long.parseLong(e[0]);
        }
        policies.refresh();
        // The sessions table serves other processes: an H2 file has none (one process opens it), so a pass there
        // only reads, and costs the embedded database no write (nor a failure while its disk is full).
        if (store.postgres() && (passes % 2 == 0 || sessionsChanged())) {
            writeSessions();
        }
        if (++passes % 60 == 1 && store.postgres()) {
            pruneSessions();
        }
        freshAt = ticker.getAsLong();
        if (staleLogged) {
            staleLogged = false;
            LOG.warn("event=cluster.sync_recovered node={}", LogValues.quote(node));
        }
    }

    private void apply(String kind, String subject, String reason) {
        switch (kind) {
            case END_USER -> {
                int ended = sessions.endUserHere(subject, reason);
                LOG.info("event=cluster.sessions_ended account={} sessions_ended={}", LogValues.quote(subject), ended);
            }
            case END_SESSION -> {
                long id = Long.parseUnsignedLong(subject, 16);
                sessions.list().stream().filter(s -> s.id() == id).findFirst().ifPresent(s -> {
                    s.terminate(reason);
                    sessions.remove(s);
                    LOG.info("event=cluster.session_ended session={}", subject);
                });
            }
            default -> { } // POLICY: the refresh after the events reads it
        }
    }

    /** Whether this node's sessions differ from what it last wrote (cheap: ids only). */
    private boolean sessionsChanged() {
        List<LiveSession> live = sessions.list();
        return live.size() != written.size() || live.stream().anyMatch(s -> !written.containsKey(s.id()));
    }

    private void writeSessions() {
        Map<Long, LiveSession> now = new HashMap<>();
        for (LiveSession s : sessions.list()) {
            now.put(s.id(), s);
        }
        List<LiveSession> added = now.values().stream().filter(s -> !written.containsKey(s.id())).toList();
        List<Long> gone = written.keySet().stream().filter(id -> !now.containsKey(id)).toList();
        Timestamp seen = Timestamp.from(clock.instant());
        store.write("write this node's sessions", c -> {
            if (!gone.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM cluster_session WHERE node = ?"
                        + " AND session_id = ?")) {
                    for (long id : gone) {
                        ps.setString(1, node);
                        ps.setLong(2, id);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            if (!added.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO cluster_session (node, session_id,"
                        + " account, suite, started_at, last_seen) VALUES (?,?,?,?,?,?)")) {
                    for (LiveSession s : added) {
                        ps.setString(1, node);
                        ps.setLong(2, s.id());
                        ps.setString(3, s.username());
                        ps.setInt(4, s.suiteId());
                        ps.setTimestamp(5, Timestamp.from(s.startedAt()));
                        ps.setTimestamp(6, seen);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE cluster_session SET last_seen = ? WHERE node = ?")) {
                ps.setTimestamp(1, seen);
                ps.setString(2, node);
                ps.executeUpdate();
            }
            return null;
        });
        gone.forEach(written::remove);
        added.forEach(s -> written.put(s.id(), s));
    }

    /** Rows of nodes gone for an hour (killed: a node deletes its own rows when it stops or starts). */
    private void pruneSessions() {
        store.write("prune cluster sessions", c -> update(c, "DELETE FROM cluster_session WHERE last_seen < ?",
                clock.instant().minus(KEEP)));
    }

    private static int update(Connection c, String sql, Object value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (value instanceof Instant i) {
                ps.setTimestamp(1, Timestamp.from(i));
            } else {
                ps.setString(1, (String) value);
            }
            return ps.executeUpdate();
        }
    }

    private void noteFailure(Exception e) {
        if (!staleLogged) {
            staleLogged = true;
            LOG.error("event=cluster.sync_failed node={} max_staleness_s={} cause={}", LogValues.quote(node),
                    maxStaleness.toSeconds(), LogValues.quote(e.getClass().getSimpleName()));
        }
    }

    private void closeListener() {
        if (listener != null) {
            try {
                listener.close();
            } catch (SQLException ignored) {
                // broken already
            }
            listener = null;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeListener();
        if (!store.postgres()) {
            return;
        }
        try {
            store.write("forget this node's sessions", c -> update(c, "DELETE FROM cluster_session WHERE node = ?",
                    node));
        } catch (StoreException e) {
            // the rows go stale and are pruned
        }
    }
}
