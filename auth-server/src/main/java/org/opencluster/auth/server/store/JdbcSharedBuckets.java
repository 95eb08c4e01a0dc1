package org.opencluster.auth.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.opencluster.auth.server.limit.BucketState;
import org.opencluster.auth.server.limit.SharedBuckets;

/**
 * Throttle buckets in the {@code login_bucket} table (Flyway V9), shared by every node on the database. A read is
 * one statement; an update is one transaction of two (the row read under its lock, then written); a clear is one.
 */
public final class JdbcSharedBuckets implements SharedBuckets {
    private static final String COLUMNS = "failures, updated_ns, locked_until_ns, strikes";
    private final JdbcAccountStore store;

    public JdbcSharedBuckets(JdbcAccountStore store) {
        this.store = Objects.requireNonNull(store);
    }

    @Override
    public Optional<BucketState> read(String kind, String key) {
        return store.read("read a login bucket", c -> select(c, kind, key, false));
    }

    @Override
    public Change update(String kind, String key, Function<Optional<BucketState>, BucketState> change) {
        // Two nodes creating the same new bucket at once: the loser's second run updates the winner's row.
        return store.writeAgainOnConflict("count a failed login", c -> apply(c, kind, key, change));
    }

    private static Change apply(Connection c, String kind, String key,
            Function<Optional<BucketState>, BucketState> change) throws SQLException {
        Optional<BucketState> before = select(c, kind, key, true);
        BucketState after = change.apply(before);
        String sql = before.isPresent()
                ? "UPDATE login_bucket SET failures = ?, updated_ns = ?, locked_until_ns = ?, strikes = ?"
                        + " WHERE kind = ? AND bucket_key = ?"
                : "INSERT INTO login_bucket (" + COLUMNS + ", kind, bucket_key) VALUES (?,?,?,?,?,?)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, after.failures());
            ps.setLong(2, after.updated());
            ps.setLong(3, after.lockedUntil());
            ps.setInt(4, after.strikes());
            ps.setString(5, kind);
            ps.setString(6, key);
            ps.executeUpdate();
        }
        return new Change(before, after);
    }

    private static Optional<BucketState> select(Connection c, String kind, String key, boolean lock)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM login_bucket"
                + " WHERE kind = ? AND bucket_key = ?" + (lock ? " FOR UPDATE" : ""))) {
            ps.setString(1, kind);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new BucketState(rs.getLong(1), rs.getLong(2), rs.getLong(3),
                        rs.getInt(4))) : Optional.empty();
            }
        }
    }

    @Override
    public void clear(String kind, String key) {
        store.write("clear a login bucket", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM login_bucket WHERE kind = ? AND bucket_key = ?")) {
                ps.setString(1, kind);
                ps.setString(2, key);
                return ps.executeUpdate();
            }
        });
    }

    /** Deletes the buckets untouched and unlocked since {@code beforeNanos} (their count has decayed to nothing). */
    public int prune(long beforeNanos) {
        return store.write("prune login buckets", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM login_bucket"
                    + " WHERE updated_ns < ? AND locked_until_ns < ?")) {
                ps.setLong(1, beforeNanos);
                ps.setLong(2, beforeNanos);
                return ps.executeUpdate();
            }
        });
    }
}
