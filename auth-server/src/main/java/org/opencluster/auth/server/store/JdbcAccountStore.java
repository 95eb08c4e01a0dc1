package org.opencluster.auth.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link AccountStore} over JDBC: an embedded H2 file by default, PostgreSQL for several server nodes. The schema
 * is owned by Flyway migrations ({@code db/migration}) that run unchanged on both.
 */
public final class JdbcAccountStore implements AccountStore, WebAuthnCredentialStore, AutoCloseable {
    private static final String ACCOUNT_COLUMNS =
            "id, username, kind, role, public_key, certificate, envelope, disabled, created_at, opaque_record";

    private static final Logger LOG = LoggerFactory.getLogger(JdbcAccountStore.class);

    private final HikariDataSource pool;
    /** H2 file databases: a commit reaches the disk's cache, not the disk, until {@code CHECKPOINT SYNC}. */
    private final boolean syncAfterCommit;
    /** Statements prepared or created on this store's connections since it opened (for measuring, issue 16). */
    private final java.util.concurrent.atomic.LongAdder statements = new java.util.concurrent.atomic.LongAdder();
    private final OutageBackoff outage = new OutageBackoff(org.opencluster.auth.protocol.time.MonotonicClock.system());

    private JdbcAccountStore(HikariDataSource pool, boolean syncAfterCommit) {
        this.pool = pool;
        this.syncAfterCommit = syncAfterCommit;
    }

    /**
     * How long the store waits for a database connection and for one statement: a database that is down or hung
     * makes an operation fail with {@link StoreException#unavailable()} after this long, not after the pool's
     * 30-second default.
     */
    public record Timeouts(Duration connect, Duration statement) {
        public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(10));

        public Timeouts {
            if (connect.toMillis() < 250 || statement.toMillis() < 250) {
                throw new IllegalArgumentException("database timeouts are at least 250 ms");
            }
        }
    }

    /** {@link #open(String, String, String, Timeouts)} with {@link Timeouts#DEFAULT}. */
    public static JdbcAccountStore open(String jdbcUrl, String user, String password) {
        return open(jdbcUrl, user, password, Timeouts.DEFAULT);
    }

    /**
     * Opens (and migrates) the database at {@code jdbcUrl}. For H2, {@code MODE=PostgreSQL} and
     * {@code DATABASE_TO_LOWER=TRUE} are added so the one schema behaves the same on both databases, and
     * {@code WRITE_DELAY=0} so a commit is written before it returns (H2's default writes it up to 500 ms later from
     * a background thread: a crash lost acknowledged writes); every write is then synced to the disk (see
     * {@link #write}). An H2 database that could only be opened read-only is refused here, with the reason.
     */
    public static JdbcAccountStore open(String jdbcUrl, String user, String password, Timeouts timeouts) {
        boolean h2 = jdbcUrl.startsWith("jdbc:h2:");
        String url = h2 ? h2Url(jdbcUrl) : jdbcUrl;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(8);
        config.setPoolName("oca-store");
        config.setConnectionTimeout(timeouts.connect().toMillis());
        config.setValidationTimeout(Math.max(250, timeouts.connect().toMillis() / 2));
        if (url.startsWith("jdbc:postgresql:")) {
            long connectSeconds = Math.max(1, timeouts.connect().toSeconds());
            config.addDataSourceProperty("connectTimeout", String.valueOf(connectSeconds));
            config.addDataSourceProperty("loginTimeout", String.valueOf(connectSeconds));
            // The server cancels a statement after the timeout; the socket timeout catches a server that cannot
            // even answer that (a dead host, a dropped route).
            config.addDataSourceProperty("options", "-c statement_timeout=" + timeouts.statement().toMillis());
            config.addDataSourceProperty("socketTimeout", String.valueOf(timeouts.statement().toSeconds()
                    + connectSeconds + 1));
        }
        HikariDataSource pool = new HikariDataSource(config);
        try {
            if (h2 && !url.toUpperCase(Locale.ROOT).contains("ACCESS_MODE_DATA=R")) {
                refuseReadOnly(pool, jdbcUrl);
            }
            migrate(pool);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new JdbcAccountStore(pool, h2 && !url.startsWith("jdbc:h2:mem:"));
    }

    /** The H2 URL with the settings this store relies on, each added unless the URL sets it itself. */
    static String h2Url(String jdbcUrl) {
        String url = jdbcUrl;
        String upper = url.toUpperCase(Locale.ROOT);
        if (!upper.contains("MODE=")) {
            url = url + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
        }
        if (!upper.contains("WRITE_DELAY=")) {
            url = url + ";WRITE_DELAY=0";
        }
        if (!upper.contains("MAX_COMPACT_TIME=")) {
            // H2 2.3.232 compacts the file when the last connection closes; after many synced commits that step
            // trips an assertion of its own (MVStoreException: AssertionError in compactMoveChunks, seen with
            // -ea) and writes a trace file. Skipped: the file keeps its size, its pages are reused as usual.
            url = url + ";MAX_COMPACT_TIME=0";
        }
        return url;
    }

    /** H2 opens a file it cannot write read-only, silently: every write would then fail. */
    private static void refuseReadOnly(DataSource pool, String jdbcUrl) {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT READONLY()")) {
            if (rs.next() && rs.getBoolean(1)) {
                throw new StoreException("the database " + jdbcUrl + " can only be opened read-only (its file or"
                        + " directory is not writable, or the file system is mounted read-only): the server could"
                        + " store nothing. Fix the permissions or the mount", false, null);
            }
        } catch (SQLException e) {
            throw StoreFailures.of("open the database " + jdbcUrl, e);
        }
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
    public Account createAccount(String username, Account.Kind kind, Account.Role role, byte[] publicKey,
            byte[] certificate, byte[] envelope) {
        Instant now = Instant.now();
        update("create account " + username, "INSERT INTO account (username, kind, role, public_key,"
                + " certificate, envelope, disabled, created_at, updated_at) VALUES (?,?,?,?,?,?,FALSE,?,?)", ps -> {
                    ps.setString(1, username);
                    ps.setString(2, kind.name());
                    ps.setString(3, role.name());
                    ps.setBytes(4, publicKey);
                    ps.setBytes(5, certificate);
                    ps.setBytes(6, envelope);
                    ps.setTimestamp(7, Timestamp.from(now));
                    ps.setTimestamp(8, Timestamp.from(now));
                });
        return findAccount(username).orElseThrow(() -> new StoreException("account vanished: " + username, false,
                null));
    }

    @Override
    public Account createCertifiedAccount(String username, Account.Kind kind, Account.Role role, byte[] publicKey,
            Certification certify, byte[] envelope, byte[] opaqueRecord, Optional<EnrolmentCodeUse> code) {
        Instant now = Instant.now();
        write("create account " + username, c -> {
            // The code first: its row stays locked until the commit, so a second session with the same code waits
            // here and then finds it gone, before anything is signed for it.
            useUp(c, code, "create account " + username);
            // The row first, without its certificate: the unique username refuses a taken name here, before the CA
            // signs; the row stays invisible to other connections until the commit.
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO account (username, kind, role, public_key,"
                    + " certificate, envelope, opaque_record, disabled, created_at, updated_at)"
                    + " VALUES (?,?,?,?,NULL,?,?,FALSE,?,?)")) {
                ps.setString(1, username);
                ps.setString(2, kind.name());
                ps.setString(3, role.name());
                ps.setBytes(4, publicKey);
                ps.setBytes(5, envelope);
                ps.setBytes(6, opaqueRecord);
                ps.setTimestamp(7, Timestamp.from(now));
                ps.setTimestamp(8, Timestamp.from(now));
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
        return update(disabled ? "disable " + username : "enable " + username,
                "UPDATE account SET disabled = ?, updated_at = ? WHERE username = ?", ps -> {
            ps.setBoolean(1, disabled);
            ps.setTimestamp(2, Timestamp.from(Instant.now()));
            ps.setString(3, username);
        }) == 1;
    }

    @Override
    public boolean setOpaqueCredential(String username, byte[] envelope, byte[] opaqueRecord) {
        // One statement: the old envelope and record stop working at the moment the new ones do.
        return update("store the OPAQUE credential of " + username, "UPDATE account SET envelope = ?,"
                + " opaque_record = ?, updated_at = ? WHERE username = ? AND kind = 'PERSON'", ps -> {
                    ps.setBytes(1, envelope);
                    ps.setBytes(2, opaqueRecord);
                    ps.setTimestamp(3, Timestamp.from(Instant.now()));
                    ps.setString(4, username);
                }) == 1;
    }

    @Override
    public boolean deleteAccount(String username) {
        return write("delete account " + username, c -> deleteRow(c, username));
    }

    @Override
    public boolean resetAccount(String username, EnrolmentCode code) {
        return write("reset account " + username, c -> {
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
            byte[] envelope, byte[] opaqueRecord) {
        return write("replace the key of " + username, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE account SET public_key = ?, certificate = NULL,"
                    + " envelope = ?, opaque_record = ?, updated_at = ? WHERE username = ? AND public_key = ?")) {
                ps.setBytes(1, newKey);
                ps.setBytes(2, envelope);
                ps.setBytes(3, opaqueRecord);
                ps.setTimestamp(4, Timestamp.from(Instant.now()));
                ps.setString(5, username);
                ps.setBytes(6, expectedKey);
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
        return read("count admins", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM account WHERE role = 'ADMIN'");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public Optional<StoredPolicy> latestPolicy() {
        return read("read suite policy", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT version, suites, changed_by, changed_at"
                    + " FROM suite_policy ORDER BY version DESC LIMIT 1");
                 ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.<StoredPolicy>empty();
                }
                List<Integer> ids = new ArrayList<>();
                for (String part : rs.getString(2).split(",")) {
                    if (!part.isEmpty()) {
                        ids.add(Integer.decode(part));
                    }
                }
                return Optional.of(new StoredPolicy(rs.getLong(1), ids, rs.getString(3),
                        rs.getTimestamp(4).toInstant()));
            }
        });
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
        update("store suite policy version " + policy.version(),
                "INSERT INTO suite_policy (version, suites, changed_by, changed_at) VALUES (?,?,?,?)", ps -> {
            ps.setLong(1, policy.version());
            ps.setString(2, policy.suiteIds().stream().map(id -> String.format("0x%04x", id))
                    .collect(Collectors.joining(",")));
            ps.setString(3, policy.changedBy());
            ps.setTimestamp(4, Timestamp.from(policy.changedAt()));
        });
    }

    @Override
    public void addEnrolmentCode(EnrolmentCode code) {
        write("store an enrolment code", c -> {
            // Expired codes go when a new one comes: the table never holds more than the codes still usable plus
            // those issued since (used ones are deleted as they are used).
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM enrolment_code WHERE expires_at <= ?")) {
                ps.setTimestamp(1, Timestamp.from(Instant.now()));
                ps.executeUpdate();
            }
            insertCode(c, code);
            return null;
        });
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
        return select("read enrolment codes", "SELECT verifier, purpose, username, role, kind, expires_at"
                + " FROM enrolment_code WHERE used_at IS NULL AND expires_at > ?"
                + " AND (username IS NULL OR username = ?) ORDER BY expires_at LIMIT 32", ps -> {
                    ps.setTimestamp(1, Timestamp.from(now));
                    ps.setString(2, username);
                }, rs -> new EnrolmentCode(rs.getBytes(1), rs.getString(2), Optional.ofNullable(rs.getString(3)),
                        Account.Role.valueOf(rs.getString(4)), Account.Kind.valueOf(rs.getString(5)),
                        rs.getTimestamp(6).toInstant()));
    }

    @Override
    public boolean consumeEnrolmentCode(byte[] verifier, String purpose, Instant now) {
        return write("consume enrolment code", c -> consume(c, verifier, purpose, now));
    }

    /** Uses {@code code} up on {@code c}'s transaction, or throws {@link StoreException#codeUsedUp()}. */
    private static void useUp(Connection c, Optional<EnrolmentCodeUse> code, String what) throws SQLException {
        if (code.isPresent() && !consume(c, code.get().verifier(), code.get().purpose(), code.get().now())) {
            throw StoreException.codeUsedUp(what);
        }
    }

    private static boolean consume(Connection c, byte[] verifier, String purpose, Instant now) throws SQLException {
        int used;
        // One conditional DELETE: of two concurrent consumers exactly one sees a changed row (the other waits for
        // the row lock, then finds no row). Used codes are deleted, not kept.
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM enrolment_code"
                + " WHERE verifier = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?")) {
            ps.setBytes(1, verifier);
            ps.setString(2, purpose);
            ps.setTimestamp(3, Timestamp.from(now));
            used = ps.executeUpdate();
        }
        if (used == 1 && EnrolmentCode.BOOTSTRAP_ADMIN.equals(purpose)) {
            // The first admin is being made: every other first-admin code ends with it, in the same transaction
            // (two concurrent bootstrap enrolments lock each other's rows: one of them is rolled back).
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM enrolment_code WHERE purpose = ?")) {
                ps.setString(1, EnrolmentCode.BOOTSTRAP_ADMIN);
                ps.executeUpdate();
            }
        }
        return used == 1;
    }

    @Override
    public int revokeEnrolmentCodes(String purpose, Instant now) {
        // Every code of the purpose, expired ones included (as before codes were deleted on use): ended is ended.
        return update("revoke enrolment codes", "DELETE FROM enrolment_code WHERE purpose = ? AND used_at IS NULL",
                ps -> ps.setString(1, purpose));
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
    public void addWebAuthnCredential(WebAuthnCredential credential, Optional<EnrolmentCodeUse> code) {
        write("add a security key to " + credential.username(), c -> {
            useUp(c, code, "add a security key to " + credential.username());
            insertCredential(c, credential);
            return null;
        });
    }

    @Override
    public Account createSecurityKeyPerson(Account.Role role, WebAuthnCredential credential,
            Optional<EnrolmentCodeUse> code) {
        String username = credential.username();
        Instant now = Instant.now();
        write("create security-key person " + username, c -> {
            useUp(c, code, "create security-key person " + username);
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
        return update("record a security key use", "UPDATE webauthn_credentials SET signature_count = ?,"
                + " last_used_at = ?"
                + " WHERE credential_id = ? AND signature_count = ? AND flagged = FALSE", ps -> {
                    ps.setLong(1, newCount);
                    ps.setTimestamp(2, Timestamp.from(at));
                    ps.setBytes(3, credentialId);
                    ps.setLong(4, expectedCount);
                }) == 1;
    }

    @Override
    public void flagWebAuthnCredential(byte[] credentialId) {
        update("flag a security key", "UPDATE webauthn_credentials SET flagged = TRUE WHERE credential_id = ?",
                ps -> ps.setBytes(1, credentialId));
    }

    @Override
    public boolean removeWebAuthnCredential(String username, byte[] credentialId) {
        return update("remove a security key", "DELETE FROM webauthn_credentials WHERE credential_id = ?"
                + " AND account_id = (SELECT id FROM account WHERE username = ?)", ps -> {
                    ps.setBytes(1, credentialId);
                    ps.setString(2, username);
                }) == 1;
    }

    private List<WebAuthnCredential> credentials(String sql, Binder binder) {
        return select("query security keys", sql, binder, rs -> {
            Timestamp lastUsed = rs.getTimestamp(9);
            return new WebAuthnCredential(rs.getString(1), rs.getBytes(2), rs.getBytes(3), rs.getBytes(4),
                    rs.getLong(5), rs.getString(6), rs.getBoolean(7), rs.getTimestamp(8).toInstant(),
                    Optional.ofNullable(lastUsed).map(Timestamp::toInstant));
        });
    }

    /** Whether this is a PostgreSQL database (LISTEN/NOTIFY; several nodes), not the embedded H2. */
    public boolean postgres() {
        return pool.getJdbcUrl().startsWith("jdbc:postgresql:");
    }

    /** A connection of its own, outside the pool (a listener that holds it for as long as the node runs). */
    public Connection dedicatedConnection() throws SQLException {
        return java.sql.DriverManager.getConnection(pool.getJdbcUrl(), pool.getUsername(), pool.getPassword());
    }

    @Override
    public void close() {
        pool.close();
    }

    /**
     * Fails (with {@link StoreException}) unless a write transaction commits now: what a readiness check asks. It
     * changes no row; a database that is down, read-only or out of connections refuses it all the same.
     */
    public void probeWritable() {
        write("readiness probe", c -> {
            try (Statement st = c.createStatement()) {
                return st.executeUpdate("UPDATE account SET disabled = disabled WHERE id < 0");
            }
        });
    }

    /** The connection pool now, for the metrics; all zero once closed. */
    public org.opencluster.auth.server.metrics.ServerMetrics.PoolState poolState() {
        com.zaxxer.hikari.HikariPoolMXBean bean = pool.isClosed() ? null : pool.getHikariPoolMXBean();
        if (bean == null) {
            return org.opencluster.auth.server.metrics.ServerMetrics.PoolState.CLOSED;
        }
        return new org.opencluster.auth.server.metrics.ServerMetrics.PoolState(bean.getActiveConnections(),
                bean.getIdleConnections(), bean.getThreadsAwaitingConnection());
    }

    /** Work on one connection (the shared-state tables of issue 16 go through {@link #read} and {@link #write}). */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} on a connection of its own, without a transaction of its own (reads). */
    public <T> T read(String what, Work<T> work) {
        return run(what, false, work);
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. On H2 the commit
     * is then synced to the disk ({@code CHECKPOINT SYNC}, an fsync of the database file): with
     * {@code WRITE_DELAY=0} alone a commit reaches the operating system before it returns, which a killed process
     * survives but a power loss may not. Only then does the caller answer OK.
     */
    public <T> T write(String what, Work<T> work) {
        return run(what, true, work);
    }

    /**
     * {@link #write}, once more when it lost a race to insert a row another node inserted at the same moment (a
     * {@link StoreException#conflict() conflict}): that row exists now, so the second run finds and changes it.
     * {@code work} must read before it decides to insert.
     */
    public <T> T writeAgainOnConflict(String what, Work<T> work) {
        try {
            return write(what, work);
        } catch (StoreException e) {
            if (!e.conflict()) {
                throw e;
            }
            return write(what, work);
        }
    }

    /**
     * The one way to the database. An outage (see {@link StoreFailures}) evicts the pool's connections, so it opens
     * new ones (which reopen an H2 database that failed a write once its last session is gone), and starts the
     * {@link OutageBackoff}; the first success after it ends the outage. Each change is logged once.
     */
    private <T> T run(String what, boolean write, Work<T> work) {
        outage.check(what);
        Connection c = null;
        try {
            c = pool.getConnection();
            T result;
            if (write) {
                c.setAutoCommit(false);
                try {
                    result = work.run(counting(c));
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(c, e);
                    throw e;
                }
                if (syncAfterCommit) {
                    try (Statement st = c.createStatement()) {
                        st.execute("CHECKPOINT SYNC");
                    }
                }
            } else {
                result = work.run(counting(c));
            }
            if (outage.succeeded()) {
                LOG.warn("event=store.recovered");
            }
            return result;
        } catch (SQLException e) {
            StoreException failure = StoreFailures.of(what, e);
            if (failure.unavailable()) {
                // Every connection, not just this one: H2 keeps a database that failed a write open (and failing)
                // for as long as any session holds it; only when the last one closes does a new connection reopen
                // the file. A PostgreSQL outage has broken every connection anyway.
                if (c != null) {
                    pool.evictConnection(c);
                }
                pool.getHikariPoolMXBean().softEvictConnections();
                String cause = StoreFailures.cause(e);
                if (outage.failed(cause)) {
                    LOG.error("event=store.unavailable cause=\"{}\" detail=\"{}\"", cause,
                            String.valueOf(e.getMessage()).replaceAll("[\\p{Cntrl}\"\\\\]", "?"));
                }
            }
            throw failure;
        } finally {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException e) {
                    // evicted or broken: the pool has dropped it already
                }
            }
        }
    }

    /** Statements run through this store so far (each prepared or created statement counts once). */
    public long statementCount() {
        return statements.sum();
    }

    /** {@code c} counting the statements made on it into {@link #statementCount()}. */
    private Connection counting(Connection c) {
        return (Connection) java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    String name = method.getName();
                    if (name.equals("prepareStatement") || name.equals("createStatement")
                            || name.equals("prepareCall")) {
                        statements.increment();
                    }
                    try {
                        return method.invoke(c, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private List<Account> query(String sql, Binder binder) {
        return select("query accounts", sql, binder, rs -> new Account(rs.getLong(1), rs.getString(2),
                Account.Kind.valueOf(rs.getString(3)), Account.Role.valueOf(rs.getString(4)), rs.getBytes(5),
                rs.getBytes(6), rs.getBytes(7), rs.getBoolean(8), rs.getTimestamp(9).toInstant(), rs.getBytes(10)));
    }

    @FunctionalInterface
    private interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** Every row {@code sql} selects, each read by {@code row}. */
    private <T> List<T> select(String what, String sql, Binder binder, Row<T> row) {
        return read(what, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                binder.bind(ps);
                List<T> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row.read(rs));
                    }
                }
                return out;
            }
        });
    }

    /** One write statement as its own (synced) transaction; the number of rows it changed. */
    private int update(String what, String sql, Binder binder) {
        return write(what, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                binder.bind(ps);
                return ps.executeUpdate();
            }
        });
    }
}
