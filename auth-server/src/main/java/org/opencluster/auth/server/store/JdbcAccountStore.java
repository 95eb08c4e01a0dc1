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
public final class JdbcAccountStore implements AccountStore, WebAuthnCredentialStore, AutoCloseable {
    private static final String ACCOUNT_COLUMNS =
            "id, username, kind, role, public_key, certificate, envelope, disabled, created_at, opaque_record";

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
    public Account createCertifiedAccount(String username, Account.Kind kind, Caller.Role role, byte[] publicKey,
            Certification certify, byte[] envelope) {
        Instant now = Instant.now();
        inTransaction("create account " + username, c -> {
            // The row first, without its certificate: the unique username refuses a taken name here, before the CA
            // signs; the row stays invisible to other connections until the commit.
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO account (username, kind, role, public_key,"
                    + " certificate, envelope, disabled, created_at, updated_at) VALUES (?,?,?,?,NULL,?,FALSE,?,?)")) {
                ps.setString(1, username);
                ps.setString(2, kind.name());
                ps.setString(3, role.name());
                ps.setBytes(4, publicKey);
                ps.setBytes(5, envelope);
                ps.setTimestamp(6, Timestamp.from(now));
                ps.setTimestamp(7, Timestamp.from(now));
                ps.executeUpdate();
            }
            byte[] certificate = certify.issue();
            try (PreparedStatement ps = c.prepareStatement("UPDATE account SET certificate = ? WHERE username = ?")) {
                ps.setBytes(1, certificate);
                ps.setString(2, username);
                ps.executeUpdate();
            }
            return null;
        });
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
    public boolean setOpaqueCredential(String username, byte[] envelope, byte[] opaqueRecord) {
        // One statement: the old envelope and record stop working at the moment the new ones do.
        return update("UPDATE account SET envelope = ?, opaque_record = ?, updated_at = ? WHERE username = ?"
                + " AND kind = 'PERSON'", ps -> {
                    ps.setBytes(1, envelope);
                    ps.setBytes(2, opaqueRecord);
                    ps.setTimestamp(3, Timestamp.from(Instant.now()));
                    ps.setString(4, username);
                }) == 1;
    }

    @Override
    public boolean deleteAccount(String username) {
        return inTransaction("delete account " + username, c -> deleteRow(c, username));
    }

    @Override
    public boolean resetAccount(String username, EnrolmentCode code) {
        return inTransaction("reset account " + username, c -> {
            if (!deleteRow(c, username)) {
                return false;
            }
            insertCode(c, code);
            return true;
        });
    }

    /** Deletes the account (its security keys go by ON DELETE CASCADE) and ends the unused codes for its name. */
    private static boolean deleteRow(Connection c, String username) throws SQLException {
        int deleted;
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM account WHERE username = ?")) {
            ps.setString(1, username);
            deleted = ps.executeUpdate();
        }
        if (deleted == 0) {
            return false;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE enrolment_code SET used_at = ?"
                + " WHERE username = ? AND used_at IS NULL")) {
            ps.setTimestamp(1, Timestamp.from(Instant.now()));
            ps.setString(2, username);
            ps.executeUpdate();
        }
        return true;
    }

    @Override
    public boolean replaceKey(String username, byte[] expectedKey, byte[] newKey, Certification certify,
            byte[] envelope) {
        return inTransaction("replace the key of " + username, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE account SET public_key = ?, certificate = NULL,"
                    + " envelope = ?, opaque_record = NULL, updated_at = ? WHERE username = ? AND public_key = ?")) {
                ps.setBytes(1, newKey);
                ps.setBytes(2, envelope);
                ps.setTimestamp(3, Timestamp.from(Instant.now()));
                ps.setString(4, username);
                ps.setBytes(5, expectedKey);
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            byte[] certificate = certify.issue();
            try (PreparedStatement ps = c.prepareStatement("UPDATE account SET certificate = ? WHERE username = ?")) {
                ps.setBytes(1, certificate);
                ps.setString(2, username);
                ps.executeUpdate();
            }
            return true;
        });
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
        try (Connection c = pool.getConnection()) {
            insertCode(c, code);
        } catch (SQLException e) {
            throw failure("add an enrolment code", e);
        }
    }

    private static void insertCode(Connection c, EnrolmentCode code) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO enrolment_code (verifier, purpose, expires_at,"
                + " username, role, kind) VALUES (?,?,?,?,?,?)")) {
            ps.setBytes(1, code.verifier());
            ps.setString(2, code.purpose());
            ps.setTimestamp(3, Timestamp.from(code.expiresAt()));
            ps.setString(4, code.username().orElse(null));
            ps.setString(5, code.role().name());
            ps.setString(6, code.kind().name());
            ps.executeUpdate();
        }
    }

    @Override
    public List<EnrolmentCode> activeEnrolmentCodes(String username, Instant now) {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT verifier, purpose, username, role, kind, expires_at"
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
    public boolean consumeEnrolmentCode(byte[] verifier, String purpose, Instant now) {
        return inTransaction("consume enrolment code", c -> {
            int used;
            // One conditional UPDATE: of two concurrent consumers exactly one sees a changed row.
            try (PreparedStatement ps = c.prepareStatement("UPDATE enrolment_code SET used_at = ?"
                    + " WHERE verifier = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?")) {
                ps.setTimestamp(1, Timestamp.from(now));
                ps.setBytes(2, verifier);
                ps.setString(3, purpose);
                ps.setTimestamp(4, Timestamp.from(now));
                used = ps.executeUpdate();
            }
            if (used == 1 && EnrolmentCode.BOOTSTRAP_ADMIN.equals(purpose)) {
                // The first admin is being made: every other first-admin code ends with it, in the same transaction
                // (two concurrent bootstrap logins lock each other's rows: one of them is rolled back).
                try (PreparedStatement ps = c.prepareStatement("UPDATE enrolment_code SET used_at = ?"
                        + " WHERE purpose = ? AND used_at IS NULL")) {
                    ps.setTimestamp(1, Timestamp.from(now));
                    ps.setString(2, EnrolmentCode.BOOTSTRAP_ADMIN);
                    ps.executeUpdate();
                }
            }
            return used == 1;
        });
    }

    @Override
    public int revokeEnrolmentCodes(String purpose, Instant now) {
        return update("UPDATE enrolment_code SET used_at = ? WHERE purpose = ? AND used_at IS NULL", ps -> {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setString(2, purpose);
        });
    }

    private static final String CREDENTIAL_COLUMNS = "a.username, w.credential_id, w.user_handle, w.public_key_cose,"
            + " w.signature_count, w.label, w.flagged, w.created_at, w.last_used_at"
            + " FROM webauthn_credentials w JOIN account a ON a.id = w.account_id";

    @Override
    public List<WebAuthnCredential> webAuthnCredentials(String username) {
        return credentials("SELECT " + CREDENTIAL_COLUMNS + " WHERE a.username = ? ORDER BY w.created_at",
                ps -> ps.setString(1, username));
    }

    @Override
    public Optional<WebAuthnCredential> findWebAuthnCredential(byte[] credentialId) {
        return credentials("SELECT " + CREDENTIAL_COLUMNS + " WHERE w.credential_id = ?",
                ps -> ps.setBytes(1, credentialId)).stream().findFirst();
    }

    @Override
    public Optional<String> usernameForUserHandle(byte[] userHandle) {
        return credentials("SELECT " + CREDENTIAL_COLUMNS + " WHERE w.user_handle = ? LIMIT 1",
                ps -> ps.setBytes(1, userHandle)).stream().map(WebAuthnCredential::username).findFirst();
    }

    @Override
    public void addWebAuthnCredential(WebAuthnCredential credential) {
        try (Connection c = pool.getConnection()) {
            insertCredential(c, credential);
        } catch (SQLException e) {
            throw failure("add a security key to " + credential.username(), e);
        }
    }

    @Override
    public Account createSecurityKeyPerson(Caller.Role role, WebAuthnCredential credential) {
        String username = credential.username();
        Instant now = Instant.now();
        inTransaction("create security-key person " + username, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO account (username, kind, role,"
                    + " public_key, certificate, envelope, disabled, created_at, updated_at)"
                    + " VALUES (?,?,?,NULL,NULL,NULL,FALSE,?,?)")) {
                ps.setString(1, username);
                ps.setString(2, Account.Kind.PERSON.name());
                ps.setString(3, role.name());
                ps.setTimestamp(4, Timestamp.from(now));
                ps.setTimestamp(5, Timestamp.from(now));
                ps.executeUpdate();
            }
            insertCredential(c, credential);
            return null;
        });
        return findAccount(username).orElseThrow(() -> new StoreException("account vanished: " + username, false,
                null));
    }

    private static void insertCredential(Connection c, WebAuthnCredential w) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO webauthn_credentials (credential_id, account_id,"
                + " user_handle, public_key_cose, signature_count, label, flagged, created_at, last_used_at)"
                + " SELECT ?, id, ?, ?, ?, ?, ?, ?, ? FROM account WHERE username = ?")) {
            ps.setBytes(1, w.credentialId());
            ps.setBytes(2, w.userHandle());
            ps.setBytes(3, w.publicKeyCose());
            ps.setLong(4, w.signatureCount());
            ps.setString(5, w.label());
            ps.setBoolean(6, w.flagged());
            ps.setTimestamp(7, Timestamp.from(w.createdAt()));
            ps.setTimestamp(8, w.lastUsedAt().map(Timestamp::from).orElse(null));
            ps.setString(9, w.username());
            if (ps.executeUpdate() != 1) {
                throw new StoreException("no account " + w.username() + " to add a security key to", false, null);
            }
        }
    }

    @Override
    public boolean recordWebAuthnUse(byte[] credentialId, long expectedCount, long newCount, Instant at) {
        return update("UPDATE webauthn_credentials SET signature_count = ?, last_used_at = ?"
                + " WHERE credential_id = ? AND signature_count = ? AND flagged = FALSE", ps -> {
                    ps.setLong(1, newCount);
                    ps.setTimestamp(2, Timestamp.from(at));
                    ps.setBytes(3, credentialId);
                    ps.setLong(4, expectedCount);
                }) == 1;
    }

    @Override
    public void flagWebAuthnCredential(byte[] credentialId) {
        update("UPDATE webauthn_credentials SET flagged = TRUE WHERE credential_id = ?",
                ps -> ps.setBytes(1, credentialId));
    }

    @Override
    public boolean removeWebAuthnCredential(String username, byte[] credentialId) {
        return update("DELETE FROM webauthn_credentials WHERE credential_id = ?"
                + " AND account_id = (SELECT id FROM account WHERE username = ?)", ps -> {
                    ps.setBytes(1, credentialId);
                    ps.setString(2, username);
                }) == 1;
    }

    private List<WebAuthnCredential> credentials(String sql, Binder binder) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            List<WebAuthnCredential> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp lastUsed = rs.getTimestamp(9);
                    out.add(new WebAuthnCredential(rs.getString(1), rs.getBytes(2), rs.getBytes(3), rs.getBytes(4),
                            rs.getLong(5), rs.getString(6), rs.getBoolean(7), rs.getTimestamp(8).toInstant(),
                            Optional.ofNullable(lastUsed).map(Timestamp::toInstant)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure("query security keys", e);
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    private <T> T inTransaction(String what, Work<T> work) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
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
                            rs.getBoolean(8), rs.getTimestamp(9).toInstant(), rs.getBytes(10)));
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
