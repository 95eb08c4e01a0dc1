package org.opencluster.auth.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.opencluster.auth.server.dispatch.Caller;

/**
 * {@link AccountStore} over JDBC: an embedded H2 file by default, PostgreSQL for several server nodes. The schema
 * is owned by Flyway migrations ({@code db/migration}) that run unchanged on both.
 */
public final class JdbcAccountStore implements AccountStore, AutoCloseable {
    private static final String ACCOUNT_COLUMNS =
            "id, username, kind, role, public_key, certificate, envelope, disabled, created_at";

    private final HikariDataSource pool;

    private JdbcAccountStore(HikariDataSource pool) {
        this.pool = pool;
    }

    /**
     * Opens (and migrates) the database at {@code jdbcUrl}. For H2, {@code MODE=PostgreSQL} and
     * {@code DATABASE_TO_LOWER=TRUE} are added so the one schema behaves the same on both databases.
     */
    public static JdbcAccountStore open(String jdbcUrl, String user, String password) {
        String url = jdbcUrl;
        if (url.startsWith("jdbc:h2:") && !url.toUpperCase(java.util.Locale.ROOT).contains("MODE=")) {
            url = url + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(8);
        config.setPoolName("oca-store");
        HikariDataSource pool = new HikariDataSource(config);
        try {
            migrate(pool);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new JdbcAccountStore(pool);
    }

    static void migrate(DataSource dataSource) {
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
    }

    @Override
    public Optional<Account> findAccount(String username) {
        return query("SELECT " + ACCOUNT_COLUMNS + " FROM account WHERE username = ?", ps -> ps.setString(1, username))
                .stream().findFirst();
    }

    @Override
    public Account createAccount(String username, Account.Kind kind, Caller.Role role, byte[] publicKey,
            byte[] certificate, byte[] envelope) {
        Instant now = Instant.now();
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO account (username, kind, role, public_key,"
                     + " certificate, envelope, disabled, created_at, updated_at) VALUES (?,?,?,?,?,?,FALSE,?,?)")) {
            ps.setString(1, username);
            ps.setString(2, kind.name());
            ps.setString(3, role.name());
            ps.setBytes(4, publicKey);
            ps.setBytes(5, certificate);
            ps.setBytes(6, envelope);
            ps.setTimestamp(7, Timestamp.from(now));
            ps.setTimestamp(8, Timestamp.from(now));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw failure("create account " + username, e);
        }
        return findAccount(username).orElseThrow(() -> new StoreException("account vanished: " + username, false,
                null));
    }

    @Override
    public List<Account> listAccounts() {
        return query("SELECT " + ACCOUNT_COLUMNS + " FROM account ORDER BY username", ps -> { });
    }

    @Override
    public boolean setDisabled(String username, boolean disabled) {
        return update("UPDATE account SET disabled = ?, updated_at = ? WHERE username = ?", ps -> {
            ps.setBoolean(1, disabled);
            ps.setTimestamp(2, Timestamp.from(Instant.now()));
            ps.setString(3, username);
        }) == 1;
    }

    @Override
    public long countAdmins() {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM account WHERE role = 'ADMIN'");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw failure("count admins", e);
        }
    }

    @Override
    public Optional<StoredPolicy> latestPolicy() {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT version, suites, changed_by, changed_at"
                     + " FROM suite_policy ORDER BY version DESC LIMIT 1");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            List<Integer> ids = new ArrayList<>();
            for (String part : rs.getString(2).split(",")) {
                if (!part.isEmpty()) {
                    ids.add(Integer.decode(part));
                }
            }
            return Optional.of(new StoredPolicy(rs.getLong(1), ids, rs.getString(3),
                    rs.getTimestamp(4).toInstant()));
        } catch (SQLException e) {
            throw failure("read suite policy", e);
        }
    }

    @Override
    public void appendPolicy(StoredPolicy policy) {
        long expectedPrevious = policy.version() - 1;
        long current = latestPolicy().map(StoredPolicy::version).orElse(0L);
        if (current != expectedPrevious) {
            throw new StoreException("suite policy version " + policy.version() + " does not follow the stored "
                    + current, true, null);
        }
        // The primary key makes a concurrent writer of the same version fail instead of overwriting.
        update("INSERT INTO suite_policy (version, suites, changed_by, changed_at) VALUES (?,?,?,?)", ps -> {
            ps.setLong(1, policy.version());
            ps.setString(2, policy.suiteIds().stream().map(id -> String.format("0x%04x", id))
                    .collect(Collectors.joining(",")));
            ps.setString(3, policy.changedBy());
            ps.setTimestamp(4, Timestamp.from(policy.changedAt()));
        });
    }

    @Override
    public void addEnrolmentCode(EnrolmentCode code) {
        update("INSERT INTO enrolment_code (code_hash, purpose, expires_at, username, role, kind)"
                + " VALUES (?,?,?,?,?,?)", ps -> {
                    ps.setBytes(1, code.codeHash());
                    ps.setString(2, code.purpose());
                    ps.setTimestamp(3, Timestamp.from(code.expiresAt()));
                    ps.setString(4, code.username().orElse(null));
                    ps.setString(5, code.role().name());
                    ps.setString(6, code.kind().name());
                });
    }

    @Override
    public List<EnrolmentCode> activeEnrolmentCodes(String username, Instant now) {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT code_hash, purpose, username, role, kind, expires_at"
                     + " FROM enrolment_code WHERE used_at IS NULL AND expires_at > ?"
                     + " AND (username IS NULL OR username = ?) ORDER BY expires_at LIMIT 32")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setString(2, username);
            List<EnrolmentCode> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new EnrolmentCode(rs.getBytes(1), rs.getString(2), Optional.ofNullable(rs.getString(3)),
                            Caller.Role.valueOf(rs.getString(4)), Account.Kind.valueOf(rs.getString(5)),
                            rs.getTimestamp(6).toInstant()));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure("read enrolment codes", e);
        }
    }

    @Override
    public boolean consumeEnrolmentCode(byte[] codeHash, String purpose, Instant now) {
        // One conditional UPDATE: of two concurrent consumers exactly one sees a changed row.
        return update("UPDATE enrolment_code SET used_at = ? WHERE code_hash = ? AND purpose = ?"
                + " AND used_at IS NULL AND expires_at > ?", ps -> {
                    ps.setTimestamp(1, Timestamp.from(now));
                    ps.setBytes(2, codeHash);
                    ps.setString(3, purpose);
                    ps.setTimestamp(4, Timestamp.from(now));
                }) == 1;
    }

    @Override
    public void close() {
        pool.close();
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private List<Account> query(String sql, Binder binder) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            List<Account> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Account(rs.getLong(1), rs.getString(2), Account.Kind.valueOf(rs.getString(3)),
                            Caller.Role.valueOf(rs.getString(4)), rs.getBytes(5), rs.getBytes(6), rs.getBytes(7),
                            rs.getBoolean(8), rs.getTimestamp(9).toInstant()));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure("query accounts", e);
        }
    }

    private int update(String sql, Binder binder) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw failure("update", e);
        }
    }

    private static StoreException failure(String what, SQLException e) {
        // SQLState class 23 = integrity constraint violation (unique key, primary key): a conflict, not an outage.
        boolean conflict = e.getSQLState() != null && e.getSQLState().startsWith("23");
        return new StoreException(what + " failed: " + (conflict ? "conflicts with existing data" : e.getMessage()),
                conflict, e);
    }
}
