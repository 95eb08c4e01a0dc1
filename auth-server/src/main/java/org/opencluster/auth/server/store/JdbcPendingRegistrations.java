package org.opencluster.auth.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Pending security-key registrations in the {@code webauthn_pending_registration} table (Flyway V11), shared by
 * every node on the database: a BEGIN on one node is finished on another. {@link #take} is single use across the
 * nodes: of two FINISHes at the same moment, only the one whose {@code DELETE} removed the row gets it.
 */
public final class JdbcPendingRegistrations {
    private final JdbcAccountStore store;
    private final int maxPending;

    /** @param maxPending registrations in progress at most (expired ones are deleted to make room) */
    public JdbcPendingRegistrations(JdbcAccountStore store, int maxPending) {
        this.store = Objects.requireNonNull(store);
        if (maxPending < 1) {
            throw new IllegalArgumentException("maxPending must be positive");
        }
        this.maxPending = maxPending;
    }

    /**
     * Stores {@code p}, replacing the account's previous registration; false (nothing stored) when
     * {@code maxPending} others are in progress and none of them has expired at {@code now}. One transaction of
     * three statements (five when the table is full).
     */
    public boolean put(PendingRegistration p, Instant now) {
        // Two BEGINs of one account on two nodes at once: both delete nothing and insert; the loser's second run
        // deletes the winner's row (the later BEGIN wins, as on one node).
        return store.writeAgainOnConflict("store a security-key registration", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM webauthn_pending_registration WHERE username = ?")) {
                ps.setString(1, p.username());
                ps.executeUpdate();
            }
            if (count(c) >= maxPending) {
                try (PreparedStatement ps = c.prepareStatement(
                        "DELETE FROM webauthn_pending_registration WHERE expires_at <= ?")) {
                    ps.setTimestamp(1, Timestamp.from(now));
                    ps.executeUpdate();
                }
                if (count(c) >= maxPending) {
                    return false;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO webauthn_pending_registration"
                    + " (username, challenge, options, expires_at) VALUES (?,?,?,?)")) {
                ps.setString(1, p.username());
                ps.setBytes(2, p.challenge());
                ps.setString(3, p.options());
                ps.setTimestamp(4, Timestamp.from(p.expiresAt()));
                ps.executeUpdate();
            }
            return true;
        });
    }

    /**
     * Takes the account's registration out: whatever FINISH then decides, it cannot be used again, on any node.
     * Empty when there is none, it has expired at {@code now}, or another FINISH took it first. Two statements: the
     * row is read, then deleted only if it is still the one read; the delete's count says who won.
     */
    public Optional<PendingRegistration> take(String username, Instant now) {
        return store.write("take a security-key registration", c -> {
            PendingRegistration found;
            try (PreparedStatement ps = c.prepareStatement("SELECT challenge, options, expires_at"
                    + " FROM webauthn_pending_registration WHERE username = ?")) {
                ps.setString(1, username);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    found = new PendingRegistration(username, rs.getBytes(1), rs.getString(2),
                            rs.getTimestamp(3).toInstant());
                }
            }
            int deleted;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM webauthn_pending_registration"
                    + " WHERE username = ? AND challenge = ?")) {
                ps.setString(1, username);
                ps.setBytes(2, found.challenge());
                deleted = ps.executeUpdate();
            }
            return deleted == 1 && found.expiresAt().isAfter(now) ? Optional.of(found) : Optional.empty();
        });
    }

    private static long count(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM webauthn_pending_registration");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
