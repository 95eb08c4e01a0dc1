package org.opencluster.auth.server.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Properties;
import java.util.List;
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
    /** The cookie round before a signed hello (docs/PROTOCOL.md section 5.3.11): auto|always|off, rate, load. */
    private static final Set<String> HELLO_KEYS = Set.of("hello.cookies", "hello.per-source-rate",
            "hello.load-threshold");
    /** Security keys: the WebAuthn RP id, and the allowed origins (comma-separated; none: https://<rp-id>:*). */
    private static final Set<String> WEBAUTHN_KEYS = Set.of("webauthn.rp-id", "webauthn.origins");
    /** The HTTPS certificate's names and its TLS CA's key (issue 13 item 9). */
    private static final Set<String> HTTPS_NAME_KEYS = Set.of("https.names", "tls-ca.key");
    /** The page's public origins (docs/PROTOCOL.md section 10.1): the REST Origin check, the default WebAuthn origins. */
    private static final Set<String> HTTPS_ORIGIN_KEYS = Set.of("https.origins");
    /** The login throttle's memory: buckets per kind (source, account, device), least recently used evicted. */
    private static final Set<String> THROTTLE_MEMORY_KEYS = Set.of("login.max-tracked-keys");
    /** Known devices and lockout back-off (docs/PROTOCOL.md section 5.14). */
    private static final Set<String> DEVICE_LOGIN_KEYS = Set.of("login.device-failures", "login.max-lockout",
            "login.device-token-lifetime");
    /** What an anonymous client may cost (issue 12): deadlines, per-source caps, pre-login memory. */
    private static final Set<String> EXPOSURE_KEYS = Set.of("handshake.timeout", "source.ipv4-prefix",
            "source.ipv6-prefix", "connections.per-source", "handshakes.per-source",
            "preauth.max-bytes-per-connection", "preauth.max-bytes", "https.header-timeout", "https.body-timeout");

    /** Which account keys the CA certifies at enrolment (issue 13 item 13). */
    private static final Set<String> KEY_POLICY_KEYS = Set.of("keys.allowed", "keys.rsa-min-bits");
    /** The OPRF step of passphrase logins (docs/PROTOCOL.md 5.5.6): whether a login without it is refused. */
    private static final Set<String> OPRF_KEYS = Set.of("login.require-oprf");
    /** The least Argon2id cost a passphrase envelope may carry at enrolment and rekey (issue 14 item 5). */
    private static final Set<String> ENVELOPE_FLOOR_KEYS = Set.of("envelope.min-memory-kib",
            "envelope.min-iterations", "envelope.min-parallelism");
    /** Optional padding of every application frame the server sends (docs/PROTOCOL.md section 6). */
    private static final Set<String> FRAME_PADDING_KEYS = Set.of("frames.padding");
    /** How long a SIGTERM waits for live sessions to get their answers and the closing notice (section 7.1). */
    private static final Set<String> SHUTDOWN_KEYS = Set.of("shutdown.drain");
    /** How long the store waits for a database connection and for one statement (issue 15: fail fast in an outage). */
    private static final Set<String> DB_TIMEOUT_KEYS = Set.of("db.connect-timeout", "db.statement-timeout");
    /**
     * Several nodes on one database (issue 16): this node's name, how often it re-reads the admins' actions without
     * a notification, and how old its view may get before it takes no login.
     */
    private static final Set<String> CLUSTER_KEYS = Set.of("cluster.node-id", "cluster.reread-interval",
            "cluster.max-staleness");
    /** The operator's listener: /metrics, /healthz, /readyz (issue 17 item 5); off by default. */
    private static final Set<String> ADMIN_KEYS = Set.of("admin.listen");
    /** The load balancers whose connections start with a PROXY protocol header naming the client (off by default). */
    private static final Set<String> PROXY_KEYS = Set.of("proxy.trusted");
    /** Every key a configuration file may set: each block above, one place to add a block. */
    private static final Set<String> ALL_KEYS = java.util.stream.Stream.of(KEYS, HTTPS_NAME_KEYS, WEBAUTHN_KEYS,
            DEVICE_LOGIN_KEYS, EXPOSURE_KEYS, HELLO_KEYS, KEY_POLICY_KEYS, HTTPS_ORIGIN_KEYS, THROTTLE_MEMORY_KEYS,
            FRAME_PADDING_KEYS, SHUTDOWN_KEYS, DB_TIMEOUT_KEYS, ENVELOPE_FLOOR_KEYS, CLUSTER_KEYS,
            ADMIN_KEYS, OPRF_KEYS, PROXY_KEYS).flatMap(Set::stream)
            .collect(java.util.stream.Collectors.toUnmodifiableSet());

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
    // HTTPS certificate names (HTTPS_NAME_KEYS); empty: the default of httpsNames()
    private final List<String> httpsNames;
    private final String tlsCaKey;
    private final Set<String> httpsOrigins;
    private final int maxTrackedKeys;
    private final int maxDeviceFailures;
    private final Duration maxLockout;
    private final boolean requireOprf;
    private final Duration deviceTokenLifetime;
    // exposure limits (EXPOSURE_KEYS)
    private final Duration handshakeTimeout;
    private final Duration shutdownDrain;
    // several nodes (CLUSTER_KEYS); an empty node id: the default of clusterNodeId()
    private final String clusterNodeId;
    private final Duration clusterReread;
    private final Duration clusterMaxStaleness;
    private final int sourceIpv4Prefix;
    private final int sourceIpv6Prefix;
    private final int connectionsPerSource;
    private final int handshakesPerSource;
    private final int preAuthBytesPerConnection;
    private final long preAuthBytes;
    private final Duration httpsHeaderTimeout;
    private final Duration httpsBodyTimeout;
    private final org.opencluster.auth.server.login.HelloGate.Settings hello;
    private final org.opencluster.auth.server.provision.KeyPolicy keyPolicy;
    private final org.opencluster.auth.token.envelope.KdfParameters envelopeKdfFloor;
    // frame padding (FRAME_PADDING_KEYS)
    private final int framePadding;
    // database timeouts (DB_TIMEOUT_KEYS)
    private final org.opencluster.auth.server.store.JdbcAccountStore.Timeouts dbTimeouts;
    // the operator's listener (ADMIN_KEYS)
    private final java.util.Optional<InetSocketAddress> adminListen;
    private final org.opencluster.auth.server.limit.TrustedProxies trustedProxies;

    private ServerConfig(Builder b) {
        this.adminListen = b.adminListen;
        this.trustedProxies = b.trustedProxies;
        this.framePadding = b.framePadding;
        this.dbTimeouts = b.dbTimeouts;
        this.keyPolicy = b.keyPolicy;
        this.envelopeKdfFloor = b.envelopeKdfFloor;
        this.handshakeTimeout = b.handshakeTimeout;
        this.shutdownDrain = b.shutdownDrain;
        this.clusterNodeId = b.clusterNodeId;
        this.clusterReread = b.clusterReread;
        this.clusterMaxStaleness = b.clusterMaxStaleness;
        this.sourceIpv4Prefix = b.sourceIpv4Prefix;
        this.sourceIpv6Prefix = b.sourceIpv6Prefix;
        this.connectionsPerSource = b.connectionsPerSource;
        this.handshakesPerSource = b.handshakesPerSource;
        this.preAuthBytesPerConnection = b.preAuthBytesPerConnection;
        this.preAuthBytes = b.preAuthBytes;
        this.httpsHeaderTimeout = b.httpsHeaderTimeout;
        this.httpsBodyTimeout = b.httpsBodyTimeout;
        this.listen = b.listen;
        this.dataDir = b.dataDir;
        this.dbUrl = b.dbUrl != null ? b.dbUrl : "jdbc:h2:file:" + b.dataDir.toAbsolutePath().resolve("oca");
        this.dbUser = b.dbUser;
        this.dbPassword = b.dbPassword;
        this.serverKey = keySpec("server.key", b.serverKey, b.dataDir, "server-key.pk8");
        this.caKey = keySpec("ca.key", b.caKey, b.dataDir, "ca-key.pk8");
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
        this.httpsNames = List.copyOf(b.httpsNames);
        this.tlsCaKey = keySpec("tls-ca.key", b.tlsCaKey, b.dataDir, "tls-ca-key.pk8");
        this.httpsOrigins = Set.copyOf(b.httpsOrigins);
        this.maxTrackedKeys = b.maxTrackedKeys;
        this.maxDeviceFailures = b.maxDeviceFailures;
        this.maxLockout = b.maxLockout;
        this.requireOprf = b.requireOprf;
        this.deviceTokenLifetime = b.deviceTokenLifetime;
        this.hello = b.hello;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding every value of this configuration (to change one or two). */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.adminListen = adminListen;
        b.trustedProxies = trustedProxies;
        b.handshakeTimeout = handshakeTimeout;
        b.shutdownDrain = shutdownDrain;
        b.clusterNodeId = clusterNodeId;
        b.clusterReread = clusterReread;
        b.clusterMaxStaleness = clusterMaxStaleness;
        b.sourceIpv4Prefix = sourceIpv4Prefix;
        b.sourceIpv6Prefix = sourceIpv6Prefix;
        b.connectionsPerSource = connectionsPerSource;
        b.handshakesPerSource = handshakesPerSource;
        b.preAuthBytesPerConnection = preAuthBytesPerConnection;
        b.preAuthBytes = preAuthBytes;
        b.httpsHeaderTimeout = httpsHeaderTimeout;
        b.httpsBodyTimeout = httpsBodyTimeout;
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
        b.httpsNames = httpsNames;
        b.tlsCaKey = tlsCaKey;
        b.httpsOrigins = httpsOrigins;
        b.maxTrackedKeys = maxTrackedKeys;
        b.maxDeviceFailures = maxDeviceFailures;
        b.maxLockout = maxLockout;
        b.requireOprf = requireOprf;
        b.deviceTokenLifetime = deviceTokenLifetime;
        b.hello = hello;
        b.keyPolicy = keyPolicy;
        b.envelopeKdfFloor = envelopeKdfFloor;
        b.framePadding = framePadding;
        b.dbTimeouts = dbTimeouts;
        return b;
    }

    /** Every key a configuration file may set (the sample oca-server.properties is checked against it). */
    public static Set<String> keys() {
        return ALL_KEYS;
    }

    /** Defaults for a data directory. */
    public static ServerConfig defaults(Path dataDir) {
        return builder().dataDir(dataDir).build();
    }

    /** Reads a properties file; every problem names the key and what is expected. */
    public static ServerConfig load(Path file) throws IOException {
        return load(file, Files.readAllBytes(file));
    }

    /**
     * {@link #load(Path)} of a file whose content is already read (the fuzz target parses from memory: a write and
     * a read of a real file per input cost more than the parsing); messages name {@code file}.
     */
    static ServerConfig load(Path file, byte[] content) throws IOException {
        String text;
        try {
            // A decoder that reports malformed input, as Files.newBufferedReader's does.
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(content)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IOException(file + ": not UTF-8 text", e);
        }
        Properties p = ConfigLines.parse(file, text);
        Builder b = builder();
        Path base = file.toAbsolutePath().getParent();
        for (String key : p.stringPropertyNames()) {
            if (!ALL_KEYS.contains(key)) {
                java.util.TreeSet<String> known = new java.util.TreeSet<>(ALL_KEYS);
                throw new IllegalArgumentException(file + ": unknown key '" + key + "'; known keys: " + known);
            }
            String v = p.getProperty(key).strip();
            if (HELLO_KEYS.contains(key)) {
                b.hello = helloSetting(file, b.hello, key, v);
                continue;
            }
            try {
                if (CLUSTER_KEYS.contains(key)) {
                    b.clusterKey(key, v);
                    continue;
                }
                if (key.equals("db.connect-timeout")) {
                    b.databaseTimeouts(Duration.parse(v), b.dbTimeouts.statement());
                    continue;
                }
                if (key.equals("db.statement-timeout")) {
                    b.databaseTimeouts(b.dbTimeouts.connect(), Duration.parse(v));
                    continue;
                }
                if (key.equals("admin.listen")) {
                    b.adminListen = adminFromFile(v);
                    continue;
                }
                if (key.equals("proxy.trusted")) {
                    b.trustedProxies(org.opencluster.auth.server.limit.TrustedProxies.parse(v));
                    continue;
                }
                if (key.equals("frames.padding")) {
                    b.framePadding(org.opencluster.auth.protocol.session.FramePadding.parse(v));
                    continue;
                }
                if (ENVELOPE_FLOOR_KEYS.contains(key)) {
                    b.envelopeKdfFloor(envelopeFloor(b.envelopeKdfFloor, key, Integer.parseInt(v)));
                    continue;
                }
                if (key.equals("keys.allowed")) {
                    b.keyPolicy = b.keyPolicy.withAllowed(v);
                    continue;
                }
                if (key.equals("keys.rsa-min-bits")) {
                    b.keyPolicy = b.keyPolicy.withRsaMinBits(Integer.parseInt(v));
                    continue;
                }
                if (key.equals("tls-ca.key")) {
                    b.tlsCaKey = v;
                    continue;
                }
                if (key.equals("https.names")) {
                    b.httpsNames(List.of(v.split("\\s*,\\s*")));
                    continue;
                }
                if (key.equals("webauthn.rp-id")) {
                    b.webAuthn(v, b.webAuthnOrigins);
                    continue;
                }
                if (key.equals("login.require-oprf")) {
                    b.requireOprf(parseBoolean(v));
                    continue;
                }
                if (key.equals("login.max-tracked-keys")) {
                    b.maxTrackedKeys(Integer.parseInt(v));
                    continue;
                }
                if (key.equals("https.origins")) {
                    b.httpsOrigins(Set.of(v.split("\\s*,\\s*")));
                    continue;
                }
                if (key.equals("webauthn.origins")) {
                    b.webAuthn(b.webAuthnRpId, Set.of(v.split("\\s*,\\s*")));
                    continue;
                }
                if (EXPOSURE_KEYS.contains(key)) {
                    b.exposureKey(key, v);
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
                    case "login.device-failures": b.maxDeviceFailures = atLeastOne(Integer.parseInt(v)); break;
                    case "login.max-lockout": b.maxLockout = positive(Duration.parse(v)); break;
                    case "login.device-token-lifetime": b.deviceTokenLifetime = positive(Duration.parse(v)); break;
                    case "shutdown.drain": b.shutdownDrain(Duration.parse(v)); break;
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

    private static final String KEYFILE = "keyfile:";

    /**
     * A key spec with its {@code keyfile:} path made absolute: a relative path names a file inside the data
     * directory (never the working directory) and may not leave it; an absolute path is explicit and taken as given.
     * No spec: {@code defaultFile} in the data directory.
     */
    static String keySpec(String key, String spec, Path dataDir, String defaultFile) {
        Path data = dataDir.toAbsolutePath().normalize();
        if (spec == null) {
            return KEYFILE + data.resolve(defaultFile);
        }
        if (spec.startsWith("pkcs11:")) {
            return spec;
        }
        if (!spec.startsWith(KEYFILE) || spec.length() == KEYFILE.length()) {
            throw new IllegalArgumentException(key + " must be keyfile:<path> or a pkcs11: URI, not '" + spec + "'");
        }
        String path = spec.substring(KEYFILE.length());
        Path p;
        try {
            p = Path.of(path);
        } catch (java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException(key + ": '" + path + "' is not a file path", e);
        }
        if (p.isAbsolute()) {
            return KEYFILE + p.normalize();
        }
        Path inside = data.resolve(p).normalize();
        if (!inside.startsWith(data) || inside.equals(data)) {
            throw new IllegalArgumentException(key + ": the relative path '" + path + "' leaves the data directory ("
                    + data + "); a relative keyfile: path is a file inside it, and a key elsewhere needs an absolute"
                    + " path");
        }
        return KEYFILE + inside;
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

    /** {@code true} or {@code false}, nothing else (a typo must not silently mean false). */
    private static boolean parseBoolean(String v) {
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException("must be true or false");
        }
        return v.equals("true");
    }

    private static org.opencluster.auth.server.login.HelloGate.Settings helloSetting(Path file,
            org.opencluster.auth.server.login.HelloGate.Settings h, String key, String v) {
        try {
            switch (key) {
                case "hello.cookies":
                    return new org.opencluster.auth.server.login.HelloGate.Settings(
                            org.opencluster.auth.server.login.HelloGate.Mode.valueOf(v.toUpperCase(
                                    java.util.Locale.ROOT)), h.perSourceRate(), h.loadThreshold());
                case "hello.per-source-rate":
                    return new org.opencluster.auth.server.login.HelloGate.Settings(h.mode(),
                            atLeastOne(Integer.parseInt(v)), h.loadThreshold());
                default:
                    return new org.opencluster.auth.server.login.HelloGate.Settings(h.mode(), h.perSourceRate(),
                            atLeastOne(Integer.parseInt(v)));
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": '" + key + "' has an invalid value '" + v
                    + "' (hello.cookies is auto, always or off; the rates are whole numbers >= 1)", e);
        }
    }

    private static Duration notNegative(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("must not be negative: " + d);
        }
        return d;
    }

    /**
     * {@code off} (the default), a port alone (loopback: metrics are for the operator, not the network) or
     * {@code host:port} to listen elsewhere on purpose; port 0 is off, as for {@code https.listen}.
     */
    private static java.util.Optional<InetSocketAddress> adminFromFile(String v) {
        if (v.equalsIgnoreCase("off")) {
            return java.util.Optional.empty();
        }
        InetSocketAddress a = v.matches("[0-9]+") ? parseAddress("127.0.0.1:" + v) : parseAddress(v);
        return a.getPort() == 0 ? java.util.Optional.empty() : java.util.Optional.of(a);
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
    /** The operator's listener ({@code /metrics}, {@code /healthz}, {@code /readyz}), or empty when off (default). */
    public java.util.Optional<InetSocketAddress> adminListen() { return adminListen; }

    /**
     * Names (DNS names and IP addresses) of the HTTPS certificate, which are also the name constraints of the TLS
     * CA that issues it: {@code https.names}, or by default the HTTPS listener's host (unless a wildcard address),
     * {@code localhost}, {@code 127.0.0.1} and {@code ::1}.
     */
    public List<String> httpsNames() {
        if (!httpsNames.isEmpty()) {
            return httpsNames;
        }
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        httpsListen.filter(a -> a.getAddress() == null || !a.getAddress().isAnyLocalAddress())
                .ifPresent(a -> names.add(canonicalHttpsName(a.getHostString())));
        for (String loopback : List.of("localhost", "127.0.0.1", "::1")) {
            names.add(canonicalHttpsName(loopback)); // the form certificates are compared in at each start
        }
        return List.copyOf(names);
    }

    /** The TLS CA's key, which issues the HTTPS certificate: {@code keyfile:<path>} or a {@code pkcs11:} URI. */
    public String tlsCaKey() { return tlsCaKey; }

    private static final java.util.regex.Pattern DNS_NAME = java.util.regex.Pattern.compile(
            "(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    /** A DNS name (lower case, no wildcard) or an IP address literal, in the form certificates compare. */
    static String canonicalHttpsName(String name) {
        String n = name.strip().toLowerCase(java.util.Locale.ROOT);
        if (org.bouncycastle.util.IPAddress.isValid(n)) {
            try {
                return java.net.InetAddress.getByName(n).getHostAddress(); // a literal: no name lookup
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException("not an IP address: " + name, e);
            }
        }
        if (!DNS_NAME.matcher(n).matches()) {
            throw new IllegalArgumentException("https.names: '" + name + "' is neither a DNS name (letters, digits,"
                    + " hyphens, dots; no wildcard) nor an IP address");
        }
        return n;
    }
    /** The WebAuthn relying-party id (a host name; default {@code localhost}). */
    public String webAuthnRpId() { return webAuthnRpId; }
    /** Origins whose security-key assertions are accepted; empty: {@code https://<rp id>} on any port. */
    public Set<String> webAuthnOrigins() { return webAuthnOrigins; }
    /**
     * The public origins of the web page and REST API ({@code https://host[:port]}, normalised); empty: the HTTPS
     * listener's own (the relying-party host and the listen host on the listener's port).
     */
    public Set<String> httpsOrigins() { return httpsOrigins; }
    /** Buckets the login throttle keeps per kind (sources, accounts, devices); the least recently used go first. */
    public int maxTrackedKeys() { return maxTrackedKeys; }
    /** Failed logins a known device (valid device token) may make before its own lock. */
    public int maxDeviceFailures() { return maxDeviceFailures; }
    /** The longest lock the doubling of {@link #lockout()} reaches. */
    public Duration maxLockout() { return maxLockout; }
    /** {@code login.require-oprf}: refuse logins without the OPRF step and version 1 passphrase envelopes. */
    public boolean requireOprf() { return requireOprf; }
    /** How long a device token stays valid after it was issued (renewed at each login that presents it). */
    public Duration deviceTokenLifetime() { return deviceTokenLifetime; }
    /** From accept (TCP) or session creation (REST) to login; then the connection or session ends. */
    public Duration handshakeTimeout() { return handshakeTimeout; }
    /**
     * {@code cluster.node-id}: this node's name in the shared tables; by default the host name and the RISP port
     * (unique as long as no two nodes share both).
     */
    public String clusterNodeId() {
        if (!clusterNodeId.isEmpty()) {
            return clusterNodeId;
        }
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "localhost";
        }
        String id = host + ":" + listen.getPort();
        return id.length() > 64 ? id.substring(id.length() - 64) : id;
    }
    /** {@code cluster.reread-interval}: the re-read of the shared state when no notification came (default 2 s). */
    public Duration clusterReread() { return clusterReread; }
    /** {@code cluster.max-staleness}: how old this node's view of the shared state may get before it takes no login. */
    public Duration clusterMaxStaleness() { return clusterMaxStaleness; }
    /** {@code shutdown.drain}: how long a graceful stop waits for sessions to be answered and closed. */
    public Duration shutdownDrain() { return shutdownDrain; }
    /** {@code proxy.trusted}: the balancers whose connections start with a PROXY header (empty: none). */
    public org.opencluster.auth.server.limit.TrustedProxies trustedProxies() { return trustedProxies; }
    /** Prefix lengths that make addresses one source (IPv4, IPv6). */
    public int sourceIpv4Prefix() { return sourceIpv4Prefix; }
    public int sourceIpv6Prefix() { return sourceIpv6Prefix; }
    /** Concurrent connections per source, on each listener. */
    public int connectionsPerSource() { return connectionsPerSource; }
    /** Handshakes in progress (connections or REST sessions not logged in) per source, on each listener. */
    public int handshakesPerSource() { return handshakesPerSource; }
    /** Bytes one unauthenticated TCP connection may buffer, and all of them together. */
    public int preAuthBytesPerConnection() { return preAuthBytesPerConnection; }
    public long preAuthBytes() { return preAuthBytes; }
    /** HTTPS: TLS handshake + request line + headers, and then the body, of each request. */
    public Duration httpsHeaderTimeout() { return httpsHeaderTimeout; }
    public Duration httpsBodyTimeout() { return httpsBodyTimeout; }
    /** {@code hello.cookies}, {@code hello.per-source-rate}, {@code hello.load-threshold}. */
    public org.opencluster.auth.server.login.HelloGate.Settings hello() { return hello; }
    /** {@code keys.allowed}, {@code keys.rsa-min-bits}: which account keys enrol. */
    public org.opencluster.auth.server.provision.KeyPolicy keyPolicy() { return keyPolicy; }

    /**
     * {@code envelope.min-memory-kib}, {@code envelope.min-iterations}, {@code envelope.min-parallelism}: the least
     * Argon2id cost of an envelope the server stores (default 65 536 KiB, 3, 1: what clients seal with).
     */
    public org.opencluster.auth.token.envelope.KdfParameters envelopeKdfFloor() { return envelopeKdfFloor; }

    private static org.opencluster.auth.token.envelope.KdfParameters envelopeFloor(
            org.opencluster.auth.token.envelope.KdfParameters f, String key, int v) {
        switch (key) {
            case "envelope.min-memory-kib":
                return new org.opencluster.auth.token.envelope.KdfParameters(v, f.iterations(), f.parallelism());
            case "envelope.min-iterations":
                return new org.opencluster.auth.token.envelope.KdfParameters(f.memoryKiB(), v, f.parallelism());
            default:
                return new org.opencluster.auth.token.envelope.KdfParameters(f.memoryKiB(), f.iterations(), v);
        }
    }
    /** {@code frames.padding}: the block every sent application frame's plaintext is a multiple of; 0 for none. */
    public int framePadding() { return framePadding; }
    /** {@code db.connect-timeout}, {@code db.statement-timeout}: an unreachable or hung database fails this fast. */
    public org.opencluster.auth.server.store.JdbcAccountStore.Timeouts dbTimeouts() { return dbTimeouts; }

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
        private java.util.Optional<InetSocketAddress> adminListen = java.util.Optional.empty();
        private org.opencluster.auth.server.limit.TrustedProxies trustedProxies =
                org.opencluster.auth.server.limit.TrustedProxies.NONE;
        private String webAuthnRpId = "localhost";
        private Set<String> webAuthnOrigins = Set.of();
        private List<String> httpsNames = List.of();
        private String tlsCaKey;
        private Set<String> httpsOrigins = Set.of();
        private int maxTrackedKeys = org.opencluster.auth.server.limit.LoginThrottle.DEFAULT_MAX_TRACKED_KEYS;
        private int maxDeviceFailures = 5;
        private Duration maxLockout = Duration.ofHours(1);
        private boolean requireOprf;
        private Duration deviceTokenLifetime = Duration.ofDays(90);
        // exposure limits (EXPOSURE_KEYS)
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration shutdownDrain = Duration.ofSeconds(10);
        private String clusterNodeId = "";
        private Duration clusterReread = Duration.ofSeconds(2);
        private Duration clusterMaxStaleness = Duration.ofSeconds(10);

        /** One of {@link #CLUSTER_KEYS} from the file. */
        private void clusterKey(String key, String v) {
            switch (key) {
                case "cluster.node-id": clusterNodeId(v); break;
                case "cluster.reread-interval": clusterTiming(Duration.parse(v), clusterMaxStaleness); break;
                default: clusterTiming(clusterReread, Duration.parse(v));
            }
        }

        /** This node's name (1-64 characters of letters, digits and {@code .-_:}). */
        public Builder clusterNodeId(String id) {
            if (!id.matches("[A-Za-z0-9.:_-]{1,64}")) {
                throw new IllegalArgumentException("cluster.node-id: 1 to 64 letters, digits, '.', ':', '_' or '-'");
            }
            this.clusterNodeId = id;
            return this;
        }

        /**
         * The re-read interval (0.1 s to 60 s) and the staleness limit (at least twice the interval, checked by
         * {@link #build}: a file may set the two keys in either order).
         */
        public Builder clusterTiming(Duration reread, Duration maxStaleness) {
            if (reread.toMillis() < 100 || reread.toSeconds() > 60) {
                throw new IllegalArgumentException("cluster.reread-interval must be 0.1 s to 60 s");
            }
            this.clusterReread = reread;
            this.clusterMaxStaleness = maxStaleness;
            return this;
        }
        private int sourceIpv4Prefix = 32;
        private int sourceIpv6Prefix = 64;
        private int connectionsPerSource = 256;
        private int handshakesPerSource = 16;
        private int preAuthBytesPerConnection = 32 * 1024;
        private long preAuthBytes = 16L << 20;
        private Duration httpsHeaderTimeout = Duration.ofSeconds(10);
        private Duration httpsBodyTimeout = Duration.ofSeconds(30);

        /** One of {@link #EXPOSURE_KEYS} from the file. */
        private void exposureKey(String key, String v) {
            switch (key) {
                case "handshake.timeout": handshakeTimeout(Duration.parse(v)); break;
                case "source.ipv4-prefix": sourcePrefixes(Integer.parseInt(v), sourceIpv6Prefix); break;
                case "source.ipv6-prefix": sourcePrefixes(sourceIpv4Prefix, Integer.parseInt(v)); break;
                case "connections.per-source": perSource(Integer.parseInt(v), handshakesPerSource); break;
                case "handshakes.per-source": perSource(connectionsPerSource, Integer.parseInt(v)); break;
                case "preauth.max-bytes-per-connection": preAuthBytes(Integer.parseInt(v), preAuthBytes); break;
                case "preauth.max-bytes": preAuthBytes(preAuthBytesPerConnection, Long.parseLong(v)); break;
                case "https.header-timeout": httpsDeadlines(Duration.parse(v), httpsBodyTimeout); break;
                default: httpsDeadlines(httpsHeaderTimeout, Duration.parse(v));
            }
        }

        public Builder handshakeTimeout(Duration d) { this.handshakeTimeout = positive(d); return this; }
        public Builder shutdownDrain(Duration d) { this.shutdownDrain = notNegative(d); return this; }
        public Builder sourcePrefixes(int ipv4Bits, int ipv6Bits) {
            new org.opencluster.auth.server.limit.SourcePrefix(ipv4Bits, ipv6Bits); // checks the ranges
            this.sourceIpv4Prefix = ipv4Bits;
            this.sourceIpv6Prefix = ipv6Bits;
            return this;
        }
        public Builder perSource(int connections, int handshakes) {
            this.connectionsPerSource = atLeastOne(connections);
            this.handshakesPerSource = atLeastOne(handshakes);
            return this;
        }
        /** Pre-login buffering (the per-connection cap may be checked against the total only at build). */
        public Builder preAuthBytes(int perConnection, long total) {
            this.preAuthBytesPerConnection = atLeastOne(perConnection);
            this.preAuthBytes = atLeastOne(total);
            return this;
        }
        public Builder httpsDeadlines(Duration headers, Duration body) {
            this.httpsHeaderTimeout = positive(headers);
            this.httpsBodyTimeout = positive(body);
            return this;
        }
        private org.opencluster.auth.server.login.HelloGate.Settings hello =
                org.opencluster.auth.server.login.HelloGate.Settings.DEFAULT;

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
        /** The TLS CA's key (see {@link ServerConfig#tlsCaKey}). */
        public Builder tlsCaKey(String spec) { this.tlsCaKey = Objects.requireNonNull(spec); return this; }

        /** The HTTPS certificate's names (see {@link ServerConfig#httpsNames}); empty for the default. */
        public Builder httpsNames(List<String> names) {
            java.util.LinkedHashSet<String> canonical = new java.util.LinkedHashSet<>();
            for (String n : names) {
                canonical.add(canonicalHttpsName(n));
            }
            this.httpsNames = List.copyOf(canonical);
            return this;
        }

        public Builder httpsListen(InetSocketAddress a) {
            this.httpsListen = java.util.Optional.ofNullable(a);
            return this;
        }

        /** The operator's listener (port 0: a free port, for tests); null turns it off. */
        public Builder trustedProxies(org.opencluster.auth.server.limit.TrustedProxies t) {
            this.trustedProxies = java.util.Objects.requireNonNull(t);
            return this;
        }
        public Builder adminListen(InetSocketAddress a) {
            this.adminListen = java.util.Optional.ofNullable(a);
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

        /** Buckets the login throttle keeps per kind (at least 1). */
        public Builder maxTrackedKeys(int n) {
            this.maxTrackedKeys = atLeastOne(n);
            return this;
        }

        /** The public origins of the page and the API (each {@code https://host[:port]}); empty: the listener's own. */
        public Builder httpsOrigins(Set<String> origins) {
            Set<String> normalised = new java.util.LinkedHashSet<>();
            for (String o : origins) {
                normalised.add(PublicOrigins.normalize(o));
            }
            this.httpsOrigins = Set.copyOf(normalised);
            return this;
        }

        /** Known-device limit, the longest lock of the back-off, and the device token lifetime. */
        /** {@code login.require-oprf}. */
        public Builder requireOprf(boolean require) {
            this.requireOprf = require;
            return this;
        }

        public Builder deviceLimits(int perDevice, Duration maxLockout, Duration tokenLifetime) {
            this.maxDeviceFailures = atLeastOne(perDevice);
            this.maxLockout = positive(maxLockout);
            this.deviceTokenLifetime = positive(tokenLifetime);
            return this;
        }
        /** The cookie round of CLIENT_HELLO (section 5.3.11). */
        public Builder hello(org.opencluster.auth.server.login.HelloGate.Settings h) {
            this.hello = Objects.requireNonNull(h);
            return this;
        }

        private org.opencluster.auth.server.provision.KeyPolicy keyPolicy =
                org.opencluster.auth.server.provision.KeyPolicy.DEFAULT;

        /** Which account keys the CA certifies at enrolment. */
        public Builder keyPolicy(org.opencluster.auth.server.provision.KeyPolicy p) {
            this.keyPolicy = Objects.requireNonNull(p);
            return this;
        }

        private org.opencluster.auth.token.envelope.KdfParameters envelopeKdfFloor =
                org.opencluster.auth.server.provision.AccountEnrolment.DEFAULT_KDF_FLOOR;

        /** The least Argon2id cost of an envelope the server stores; never below the clients' own floor. */
        public Builder envelopeKdfFloor(org.opencluster.auth.token.envelope.KdfParameters floor) {
            if (!floor.atLeast(org.opencluster.auth.token.envelope.EnvelopePolicy.DEFAULT.floor())) {
                throw new IllegalArgumentException("the envelope KDF floor " + floor + " is below the clients' own "
                        + org.opencluster.auth.token.envelope.EnvelopePolicy.DEFAULT.floor());
            }
            this.envelopeKdfFloor = floor;
            return this;
        }

        private int framePadding;
        private org.opencluster.auth.server.store.JdbcAccountStore.Timeouts dbTimeouts =
                org.opencluster.auth.server.store.JdbcAccountStore.Timeouts.DEFAULT;

        /** How long the store waits for a connection and for one statement (each at least 250 ms). */
        public Builder databaseTimeouts(Duration connect, Duration statement) {
            this.dbTimeouts = new org.opencluster.auth.server.store.JdbcAccountStore.Timeouts(connect, statement);
            return this;
        }

        /** Pads every application frame the server sends to a multiple of {@code block} bytes (0: none). */
        public Builder framePadding(int block) {
            this.framePadding = org.opencluster.auth.protocol.session.FramePadding.parse(
                    org.opencluster.auth.protocol.session.FramePadding.name(block));
            return this;
        }

        public ServerConfig build() {
            // A node re-reads every interval; its view must be allowed to miss at least one re-read (a slow query,
            // a lost notification) before it stops taking logins, or one hiccup would stop it.
            if (clusterMaxStaleness.compareTo(clusterReread.multipliedBy(2)) < 0) {
                throw new IllegalArgumentException("cluster.max-staleness (" + clusterMaxStaleness + ") must be at"
                        + " least twice cluster.reread-interval (" + clusterReread + ")");
            }
            if (preAuthBytes < preAuthBytesPerConnection) {
                throw new IllegalArgumentException("preauth.max-bytes (" + preAuthBytes
                        + ") must be at least preauth.max-bytes-per-connection (" + preAuthBytesPerConnection + ")");
            }
            return new ServerConfig(this);
        }
    }
}
