package org.opencluster.auth.server.config;

import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

/**
 * Server configuration: an {@code oca-server.properties} file whose every key is optional; the defaults are safe
 * (loopback only, embedded H2 in the data directory, software keys with owner-only file permissions). Unknown keys
 * are refused, so a typo cannot silently leave a default in place.
 */
public final class ServerConfig {
    private static final Set<String> KEYS = Set.of("listen", "data.dir", "db.url", "db.user", "db.password",
            "server.key", "ca.key", "session.idle", "session.lifetime", "session.reauth", "session.reauth-grace",
            "login.max-account-failures",
            "login.max-source-failures", "login.decay", "login.lockout", "frame.key-update-bytes",
            "risp.max-string", "connections.max", "https.listen");
    /** Security keys: the WebAuthn RP id, and the allowed origins (comma-separated; none: https://<rp-id>:*). */
    private static final Set<String> WEBAUTHN_KEYS = Set.of("webauthn.rp-id", "webauthn.origins");

    private final InetSocketAddress listen;
    private final Path dataDir;
    private final String dbUrl;
    private final String dbUser;
    private final String dbPassword;
    private final String serverKey;
    private final String caKey;
    private final Duration idleTimeout;
    private final Duration sessionLifetime;
    private final org.opencluster.auth.server.session.ReauthPolicy reauthPolicy;
    private final int maxAccountFailures;
    private final int maxSourceFailures;
    private final Duration failureDecay;
    private final Duration lockout;
    private final long keyUpdateBytes;
    private final int maxStringLength;
    private final int maxConnections;
    private final java.util.Optional<InetSocketAddress> httpsListen;
    private final String webAuthnRpId;
    private final Set<String> webAuthnOrigins;

    private ServerConfig(Builder b) {
        this.listen = b.listen;
        this.dataDir = b.dataDir;
        this.dbUrl = b.dbUrl != null ? b.dbUrl : "jdbc:h2:file:" + b.dataDir.toAbsolutePath().resolve("oca");
        this.dbUser = b.dbUser;
        this.dbPassword = b.dbPassword;
        this.serverKey = b.serverKey != null ? b.serverKey : "keyfile:" + b.dataDir.resolve("server-key.pk8");
        this.caKey = b.caKey != null ? b.caKey : "keyfile:" + b.dataDir.resolve("ca-key.pk8");
        this.idleTimeout = b.idleTimeout;
        this.sessionLifetime = b.sessionLifetime;
        this.reauthPolicy = new org.opencluster.auth.server.session.ReauthPolicy(b.reauthInterval, b.reauthGrace);
        this.maxAccountFailures = b.maxAccountFailures;
        this.maxSourceFailures = b.maxSourceFailures;
        this.failureDecay = b.failureDecay;
        this.lockout = b.lockout;
        this.keyUpdateBytes = b.keyUpdateBytes;
        this.maxStringLength = b.maxStringLength;
        this.maxConnections = b.maxConnections;
        this.httpsListen = b.httpsListen;
        this.webAuthnRpId = b.webAuthnRpId;
        this.webAuthnOrigins = Set.copyOf(b.webAuthnOrigins);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding every value of this configuration (to change one or two). */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.listen = listen;
        b.dataDir = dataDir;
        b.dbUrl = dbUrl;
        b.dbUser = dbUser;
        b.dbPassword = dbPassword;
        b.serverKey = serverKey;
        b.caKey = caKey;
        b.idleTimeout = idleTimeout;
        b.sessionLifetime = sessionLifetime;
        b.reauthInterval = reauthPolicy.interval();
        b.reauthGrace = reauthPolicy.grace();
        b.maxAccountFailures = maxAccountFailures;
        b.maxSourceFailures = maxSourceFailures;
        b.failureDecay = failureDecay;
        b.lockout = lockout;
        b.keyUpdateBytes = keyUpdateBytes;
        b.maxStringLength = maxStringLength;
        b.maxConnections = maxConnections;
        b.httpsListen = httpsListen;
        b.webAuthnRpId = webAuthnRpId;
        b.webAuthnOrigins = webAuthnOrigins;
        return b;
    }

    /** Defaults for a data directory. */
    public static ServerConfig defaults(Path dataDir) {
        return builder().dataDir(dataDir).build();
    }

    /** Reads a properties file; every problem names the key and what is expected. */
    public static ServerConfig load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IOException(file + ": not UTF-8 text", e);
        } catch (IllegalArgumentException e) { // Properties: a malformed backslash-u escape
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        Builder b = builder();
        Path base = file.toAbsolutePath().getParent();
        for (String key : p.stringPropertyNames()) {
            if (!KEYS.contains(key) && !WEBAUTHN_KEYS.contains(key)) {
                java.util.TreeSet<String> known = new java.util.TreeSet<>(KEYS);
                known.addAll(WEBAUTHN_KEYS);
                throw new IllegalArgumentException(file + ": unknown key '" + key + "'; known keys: " + known);
            }
            String v = p.getProperty(key).strip();
            try {
                if (key.equals("webauthn.rp-id")) {
                    b.webAuthn(v, b.webAuthnOrigins);
                    continue;
                }
                if (key.equals("webauthn.origins")) {
                    b.webAuthn(b.webAuthnRpId, Set.of(v.split("\\s*,\\s*")));
                    continue;
                }
                switch (key) {
                    case "listen": b.listen(parseAddress(v)); break;
                    case "data.dir": b.dataDir(base.resolve(v)); break;
                    case "db.url": b.dbUrl = v; break;
                    case "db.user": b.dbUser = v; break;
                    case "db.password": b.dbPassword = v; break;
                    case "server.key": b.serverKey = v; break;
                    case "ca.key": b.caKey = v; break;
                    case "session.idle": b.idleTimeout = positive(Duration.parse(v)); break;
                    case "session.lifetime": b.sessionLifetime = positive(Duration.parse(v)); break;
                    case "session.reauth": b.reauthInterval = positive(Duration.parse(v)); break;
                    case "session.reauth-grace": b.reauthGrace = notNegative(Duration.parse(v)); break;
                    case "login.max-account-failures": b.maxAccountFailures = atLeastOne(Integer.parseInt(v)); break;
                    case "login.max-source-failures": b.maxSourceFailures = atLeastOne(Integer.parseInt(v)); break;
                    case "login.decay": b.failureDecay = positive(Duration.parse(v)); break;
                    case "login.lockout": b.lockout = positive(Duration.parse(v)); break;
                    case "frame.key-update-bytes": b.keyUpdateBytes = atLeastOne(Long.parseLong(v)); break;
                    case "risp.max-string": b.maxStringLength = atLeastOne(Integer.parseInt(v)); break;
                    case "https.listen": b.httpsListen = httpsFromFile(parseAddress(v)); break;
                    default: b.maxConnections = atLeastOne(Integer.parseInt(v));
                }
            } catch (NumberFormatException | DateTimeParseException e) {
                throw new IllegalArgumentException(file + ": '" + key + "' has an invalid value '" + v
                        + "' (durations are ISO-8601 such as PT5M; counts are whole numbers)", e);
            } catch (IllegalArgumentException e) { // range checks and addresses: say which file and key
                throw new IllegalArgumentException(file + ": '" + key + "': " + e.getMessage(), e);
            }
        }
        try {
            return b.build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    static InetSocketAddress parseAddress(String v) {
        int colon = v.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("listen must be host:port, got '" + v + "'");
        }
        String host = v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = Integer.parseInt(v.substring(colon + 1));
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        return new InetSocketAddress(host, port);
    }

    private static Duration notNegative(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("must not be negative: " + d);
        }
        return d;
    }

    /** In the file, port 0 means "off" (the default), so a copied example cannot open an unplanned listener. */
    private static java.util.Optional<InetSocketAddress> httpsFromFile(InetSocketAddress a) {
        return a.getPort() == 0 ? java.util.Optional.empty() : java.util.Optional.of(a);
    }

    private static Duration positive(Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("durations must be positive: " + d);
        }
        return d;
    }

    private static int atLeastOne(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("must be at least 1: " + n);
        }
        return n;
    }

    private static long atLeastOne(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("must be at least 1: " + n);
        }
        return n;
    }

    public InetSocketAddress listen() { return listen; }
    public Path dataDir() { return dataDir; }
    public String dbUrl() { return dbUrl; }
    public String dbUser() { return dbUser; }
    public String dbPassword() { return dbPassword; }
    /** {@code keyfile:<path>} or a {@code pkcs11:} URI. */
    public String serverKey() { return serverKey; }
    /** {@code keyfile:<path>} or a {@code pkcs11:} URI. */
    public String caKey() { return caKey; }
    public Duration idleTimeout() { return idleTimeout; }
    public Duration sessionLifetime() { return sessionLifetime; }
    /** When a session must re-authenticate (a fresh token operation), and how long it may lag before it ends. */
    public org.opencluster.auth.server.session.ReauthPolicy reauthPolicy() { return reauthPolicy; }
    public int maxAccountFailures() { return maxAccountFailures; }
    public int maxSourceFailures() { return maxSourceFailures; }
    public Duration failureDecay() { return failureDecay; }
    public Duration lockout() { return lockout; }
    public long keyUpdateBytes() { return keyUpdateBytes; }
    public int maxStringLength() { return maxStringLength; }
    public int maxConnections() { return maxConnections; }
    /** The HTTPS listener (REST API and web page), or empty when it is off (the default). */
    public java.util.Optional<InetSocketAddress> httpsListen() { return httpsListen; }
    /** The WebAuthn relying-party id (a host name; default {@code localhost}). */
    public String webAuthnRpId() { return webAuthnRpId; }
    /** Origins whose security-key assertions are accepted; empty: {@code https://<rp id>} on any port. */
    public Set<String> webAuthnOrigins() { return webAuthnOrigins; }

    @Override
    public String toString() {
        // No password: the database password never reaches a log line.
        return "ServerConfig[listen=" + listen + ", dataDir=" + dataDir + ", db=" + dbUrl + ", serverKey="
                + serverKey + ", caKey=" + caKey + ", idle=" + idleTimeout + ", lifetime=" + sessionLifetime + "]";
    }

    /** Every setting with its default. */
    public static final class Builder {
        private InetSocketAddress listen = new InetSocketAddress("127.0.0.1", 4700);
        private Path dataDir = Path.of("oca-data");
        private String dbUrl;
        private String dbUser = "sa";
        private String dbPassword = "";
        private String serverKey;
        private String caKey;
        private Duration idleTimeout = Duration.ofMinutes(5);
        private Duration sessionLifetime = Duration.ofHours(8);
        private Duration reauthInterval = org.opencluster.auth.server.session.ReauthPolicy.DEFAULT.interval();
        private Duration reauthGrace = org.opencluster.auth.server.session.ReauthPolicy.DEFAULT.grace();
        private int maxAccountFailures = 5;
        private int maxSourceFailures = 50;
        private Duration failureDecay = Duration.ofMinutes(1);
        private Duration lockout = Duration.ofMinutes(5);
        private long keyUpdateBytes = 1L << 30;
        private int maxStringLength = 1 << 20;
        private int maxConnections = 20_000;
        private java.util.Optional<InetSocketAddress> httpsListen = java.util.Optional.empty();
        private String webAuthnRpId = "localhost";
        private Set<String> webAuthnOrigins = Set.of();

        public Builder listen(InetSocketAddress a) { this.listen = Objects.requireNonNull(a); return this; }
        public Builder dataDir(Path d) { this.dataDir = Objects.requireNonNull(d); return this; }
        public Builder database(String url, String user, String password) {
            this.dbUrl = url;
            this.dbUser = user;
            this.dbPassword = password;
            return this;
        }
        public Builder serverKey(String k) { this.serverKey = k; return this; }
        public Builder caKey(String k) { this.caKey = k; return this; }
        public Builder idleTimeout(Duration d) { this.idleTimeout = positive(d); return this; }
        public Builder sessionLifetime(Duration d) { this.sessionLifetime = positive(d); return this; }
        public Builder reauth(Duration interval, Duration grace) {
            this.reauthInterval = positive(interval);
            this.reauthGrace = notNegative(grace);
            return this;
        }
        public Builder keyUpdateBytes(long n) { this.keyUpdateBytes = atLeastOne(n); return this; }
        public Builder loginLimits(int perAccount, int perSource, Duration decay, Duration lockout) {
            this.maxAccountFailures = atLeastOne(perAccount);
            this.maxSourceFailures = atLeastOne(perSource);
            this.failureDecay = positive(decay);
            this.lockout = positive(lockout);
            return this;
        }
        public Builder maxConnections(int n) { this.maxConnections = atLeastOne(n); return this; }
        /** Turns the HTTPS listener on ({@code port 0} here picks a free port) or off ({@code null}). */
        public Builder httpsListen(InetSocketAddress a) {
            this.httpsListen = java.util.Optional.ofNullable(a);
            return this;
        }
        /** WebAuthn RP id and exact allowed origins (empty: https://rpId on any port). */
        public Builder webAuthn(String rpId, Set<String> origins) {
            if (rpId.isEmpty()) {
                throw new IllegalArgumentException("webauthn.rp-id must not be empty");
            }
            this.webAuthnRpId = rpId;
            this.webAuthnOrigins = Set.copyOf(origins);
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(this);
        }
    }
}
