package org.opencluster.auth.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import org.opencluster.auth.protocol.time.MonotonicClock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.opencluster.auth.protocol.command.StandardCommands;
import org.opencluster.auth.server.enrol.EnrolHandlers;
import org.opencluster.auth.server.webauthn.WebAuthnHandlers;
import org.opencluster.auth.server.webauthn.WebAuthnService;
import org.opencluster.auth.server.webauthn.WebAuthnSettings;
import org.opencluster.auth.server.login.EnrolmentCodeKey;
import org.opencluster.auth.server.login.Enrolments;
import org.opencluster.auth.server.store.EnrolmentCode;
import org.opencluster.auth.protocol.frame.FrameConfig;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.server.admin.AdminHandlers;
import org.opencluster.auth.server.boot.Bootstrap;
import org.opencluster.auth.server.boot.ServerKeys;
import org.opencluster.auth.server.boot.ServerSecrets;
import org.opencluster.auth.server.ca.ClusterCa;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.dispatch.BuiltinCommands;
import org.opencluster.auth.server.dispatch.CommandDispatcher;
import org.opencluster.auth.server.limit.DeviceTokens;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.log.LogValues;
import org.opencluster.auth.server.login.HandshakeSettings;
import org.opencluster.auth.server.login.LoginAccount;
import org.opencluster.auth.server.net.RispServer;
import org.opencluster.auth.server.policy.SuitePolicyService;
import org.opencluster.auth.server.session.ServerSession;
import org.opencluster.auth.server.session.SessionRegistry;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.store.JdbcAccountStore;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.enrol.TokenContentSigner;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running server, assembled from its configuration: store (migrated), keys, CA, suite policy, session
 * registry, the shared command dispatcher (built-in, admin and the embedding system's commands) and the TCP
 * transport. {@link #start} runs the idempotent bootstrap first, so a fresh data directory just works.
 */
public final class AuthServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuthServer.class);
    /** Concurrent HTTPS connections (the TCP cap leaves their descriptors free). */
    private static final int HTTPS_CONNECTIONS = org.opencluster.auth.server.rest.RestServer.Builder.DEFAULT_MAX_CONNECTIONS;

    private final JdbcAccountStore store;
    private final Token serverKey;
    private final Token caKey;
    private final ClusterCa ca;
    private final SuitePolicyService policies;
    private final SessionRegistry sessions = new SessionRegistry();
    private final RispServer transport;
    private final X509Certificate serverCertificate;
    private final Bootstrap.Result bootstrap;
    private final LoginThrottle throttle;
    private final org.opencluster.auth.server.rest.RestServer https;
    private final CommandDispatcher dispatcher;
    private final WebAuthnService webAuthn;
    private final java.nio.file.Path dataDir;
    private final EnrolmentCodeKey enrolmentCodes;
    /** The one way accounts are certified and stored outside the wire (admin operation {@link #provision}). */
    private final org.opencluster.auth.server.provision.AccountEnrolment enrolment;
    private final Clock clock;
    private final org.opencluster.auth.server.cluster.ClusterSync cluster;
    private boolean httpsClosed;
    private final org.opencluster.auth.server.metrics.ServerMetrics metrics;
    /** The operator's listener (/metrics, /healthz, /readyz), or null when {@code admin.listen} is off. */
    private final org.opencluster.auth.server.metrics.AdminListener admin;

    private AuthServer(Builder b) throws IOException, TokenException, InterruptedException {
        ServerConfig config = b.config;
        Pkcs11Tokens tokens = b.tokens;
        Clock clock = b.clock;
        // The one monotonic clock of this server: every duration (lockouts, re-authentication, REST timeouts).
        MonotonicClock ticker = MonotonicClock.of(b.ticker);
        SecureRandom random = b.random;
        ProofKind ecProofKind = b.ecProofKind;
        dataDir = config.dataDir();
        metrics = b.metrics;
        store = Bootstrap.openStore(config);
        b.opened.push(store);
        metrics.storePool(store::poolState);
        metrics.storeStatements(store, JdbcAccountStore::statementCount);
        metrics.liveSessions(sessions, SessionRegistry::size);
        ServerKeys keys = new ServerKeys(tokens);
        bootstrap = new Bootstrap(config, keys, clock, random).init(store);
        serverCertificate = bootstrap.serverCertificate();
        // Before the keys are held: opening sealed secrets logs in to the server key's token and out again.
        ServerSecrets secrets = ServerSecrets.read(config, keys);
        b.opened.push(secrets);
        caKey = keys.openHealing("cluster-ca", config.caKey(), ticker, clock);
        b.opened.push(caKey);
        ca = new ClusterCa(bootstrap.caCertificate(), new TokenContentSigner(metrics.timed("cluster-ca", caKey),
                schemeOf(caKey)), clock, random);
        serverKey = keys.openHealing("server", config.serverKey(), ticker, clock);
        b.opened.push(serverKey);
        org.opencluster.auth.server.cluster.ClusterSecrets.requireSame(store, config, secrets, serverKey.publicKey(),
                bootstrap.caCertificate(), clock);
        policies = new SuitePolicyService(SuiteRegistry.standard(), store, clock);
        policies.onChange(sessions::enforce);
        cluster = new org.opencluster.auth.server.cluster.ClusterSync(store, config.clusterNodeId(), policies,
                sessions, config.clusterReread(), config.clusterMaxStaleness(), MonotonicClock.system(), clock);
        b.opened.push(cluster);
        CommandRegistry registry = StandardCommands.with(b.extraCommands);
        byte[] decoySecret = secrets.decoySecret();
        org.opencluster.auth.server.login.OprfLogins oprfLogins = Bootstrap.readOprfLogins(config, secrets, random);
        // Which P-256 multiplier the OPRF evaluations use (libcrypto or Java), so an operator sees a missing libssl.
        LOG.info("event=oprf.p256_multiplier implementation={}",
                LogValues.quote(org.opencluster.auth.protocol.pake.P256Group.multiplierStatus()));
        secrets.close();
        // The HTTPS address is fixed before anything uses its origin (port 0, for tests, becomes a free port now).
        Optional<java.net.InetSocketAddress> httpsAddress = config.httpsListen().map(AuthServer::withConcretePort);
        Set<String> httpsOrigins = !config.httpsOrigins().isEmpty() ? config.httpsOrigins()
                : httpsAddress.map(a -> org.opencluster.auth.server.config.PublicOrigins.ofListener(
                        config.webAuthnRpId(), a)).orElse(Set.of());
        // Assertions count only for the exact origins the page is served under, never any port of the host.
        WebAuthnSettings webAuthnSettings = WebAuthnSettings.defaults(config.webAuthnRpId());
        if (!config.webAuthnOrigins().isEmpty()) {
            webAuthnSettings = webAuthnSettings.withOrigins(config.webAuthnOrigins());
        } else if (!httpsOrigins.isEmpty()) {
            webAuthnSettings = webAuthnSettings.withOrigins(httpsOrigins);
        }
        webAuthn = new WebAuthnService(webAuthnSettings, store, decoySecret, clock);
        b.opened.push(webAuthn);
        enrolmentCodes = EnrolmentCodeKey.fromDecoySecret(decoySecret, random);
        enrolment = new org.opencluster.auth.server.provision.AccountEnrolment(ca, store, config.keyPolicy(),
                config.envelopeKdfFloor());
        this.clock = clock;
        CommandDispatcher.Builder routes = new WebAuthnHandlers(webAuthn, store, enrolmentCodes, clock, random)
                .install(new org.opencluster.auth.server.enrol.OpaqueHandlers(store, oprfLogins,
                        config.envelopeKdfFloor()).install(new EnrolHandlers(store, ca, enrolmentCodes, clock, random, config.keyPolicy(),
                        config.envelopeKdfFloor()).install(
                new AdminHandlers(policies, store, sessions).install(
                        BuiltinCommands.install(CommandDispatcher.builder(registry))))));
        new org.opencluster.auth.server.admin.AccountRemovalHandlers(store, sessions, enrolmentCodes, clock)
                .install(routes);
        new org.opencluster.auth.server.enrol.RekeyHandlers(store, ca, config.keyPolicy(), config.envelopeKdfFloor(),
                sessions, clock, random).install(routes);
        b.extraRoutes.accept(routes);
        dispatcher = routes.build();
        throttle = b.throttle != null ? b.throttle : LoginThrottle.builder()
                .maxAccountFailures(config.maxAccountFailures()).maxSourceFailures(config.maxSourceFailures())
                .decay(config.failureDecay()).lockout(config.lockout())
                .maxDeviceFailures(config.maxDeviceFailures()).maxLockout(config.maxLockout())
                .maxTrackedKeys(config.maxTrackedKeys()).ticker(ticker)
                .deviceTokens(DeviceTokens.fromDecoySecret(decoySecret, clock, config.deviceTokenLifetime(), random))
                .apply(this::shareOnPostgres).build();
        throttle.onLockout(metrics::lockoutStarted);
        FrameConfig frames = FrameConfig.builder().keyUpdateAfterBytes(config.keyUpdateBytes()).build();
        HandshakeSettings settings = new HandshakeSettings(SuiteRegistry.standard(), policies::current,
                metrics.timed("server", serverKey),
                List.of(serverCertificate, bootstrap.caCertificate()), new org.opencluster.auth.server.login.StoredAccounts(
                        store::findAccount, a -> loginView(a, ca, clock.instant()),
                        org.opencluster.auth.server.login.StoredAccounts.decoyAccount(random)), decoySecret, HandshakeSettings.DEFAULT_ENVELOPE_FIELD_LENGTH,
                ecProofKind, frames, throttle, random, new Enrolments() {
                    @Override
                    public List<EnrolmentCode> active(String username) {
                        return store.activeEnrolmentCodes(username, clock.instant());
                    }

                    @Override
                    public byte[] verifier(byte[] codeHash) {
                        return enrolmentCodes.verifier(codeHash);
                    }
                }, Optional.of(webAuthn), config.hello().gate(random)).withOprf(oprfLogins);
        // One factory for both transports: a REST session is the very same ServerSession as a TCP connection.
        org.opencluster.auth.server.net.ConnectionFactory sessionFactory =
                remote -> new ServerSession(settings, dispatcher, sessions, clock, ticker,
                        config.reauthPolicy(), config.framePadding(), remote, metrics);
        org.opencluster.auth.server.limit.SourcePrefix sources = new org.opencluster.auth.server.limit.SourcePrefix(
                config.sourceIpv4Prefix(), config.sourceIpv6Prefix());
        // The cluster view is kept fresh from before the first login can arrive: a start-up slower than
        // cluster.max-staleness (a loaded machine, a slow token) must not leave a node that listens with a view
        // that was never re-read, which refused every login with CLUSTER_STATE_STALE until the first pass.
        cluster.start();
        transport = RispServer.builder(sessionFactory)
                .bind(config.listen()).maxStringLength(config.maxStringLength()).idleTimeout(config.idleTimeout())
                .absoluteTimeout(config.sessionLifetime()).maxConnections(config.maxConnections())
                .handshakeTimeout(config.handshakeTimeout()).sources(sources).trustedProxies(config.trustedProxies())
                .perSource(config.connectionsPerSource(), config.handshakesPerSource())
                .preAuthBytes(config.preAuthBytesPerConnection(), config.preAuthBytes())
                .otherConnections(config.httpsListen().isPresent() ? HTTPS_CONNECTIONS : 0)
                .rejections(metrics::preAuthRejected).start();
        b.opened.push(transport);
        https = httpsAddress.isPresent() ? startHttps(config, httpsAddress.get(), httpsOrigins, sessionFactory,
                ticker, random, sources) : null;
        if (https != null) {
            b.opened.push(https);
        }
        admin = config.adminListen().isPresent() ? org.opencluster.auth.server.metrics.AdminListener.start(
                config.adminListen().get(), b.scrape, this::notReadyBecause) : null;
        LOG.info("OpenCluster Auth server on {} (data {}, database {})", transport.address(), config.dataDir(),
                config.dbUrl().replaceAll("password=[^;&]*", "password=***"));
        if (!hasAdmin()) {
            LOG.warn("no admin account yet and a running server issues no enrolment code: {}", FIRST_ADMIN_HOW_TO);
        }
    }

    /**
     * On PostgreSQL (several nodes) the throttle's buckets live in the database, timed by the wall clock in
     * Unix-epoch nanoseconds (the one time every node agrees on), and every login first passes the staleness rule
     * ({@link org.opencluster.auth.server.cluster.ClusterSync#requireFresh}); on H2 (one node) in memory, as before.
     */
    private LoginThrottle.Builder shareOnPostgres(LoginThrottle.Builder t) {
        if (!store.postgres()) {
            return t; // one node: no other node's actions to miss, so no staleness rule either
        }
        return t.admission(cluster::requireFresh).shared(new org.opencluster.auth.server.store.JdbcSharedBuckets(store)).ticker(() -> {
            java.time.Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        });
    }

    /** {@code a}, or {@code a}'s host on a port free now when its port is 0. */
    private static java.net.InetSocketAddress withConcretePort(java.net.InetSocketAddress a) {
        if (a.getPort() != 0) {
            return a;
        }
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, a.getAddress())) {
            return new java.net.InetSocketAddress(a.getAddress(), probe.getLocalPort());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("no free port on " + a.getAddress(), e);
        }
    }

    private org.opencluster.auth.server.rest.RestServer startHttps(ServerConfig config,
            java.net.InetSocketAddress address, Set<String> origins,
            org.opencluster.auth.server.net.ConnectionFactory sessionFactory, java.util.function.LongSupplier ticker,
            SecureRandom random,
            org.opencluster.auth.server.limit.SourcePrefix sources) throws IOException, InterruptedException {
        java.security.PrivateKey tlsKey = org.opencluster.auth.server.rest.TlsKeys.serverKey(config.serverKey(),
                serverKey);
        // Served from the TLS CA (name-constrained), never from the cluster CA: browsers trust only the TLS CA.
        return org.opencluster.auth.server.rest.RestServer.builder(sessionFactory, tlsKey, bootstrap.httpsChain())
                .bind(address).origins(origins).ticker(ticker).random(random).idleTimeout(config.idleTimeout())
                .lifetime(config.sessionLifetime()).maxSessions(config.maxConnections())
                .maxStringLength(config.maxStringLength()).maxConnections(HTTPS_CONNECTIONS)
                .handshakeTimeout(config.handshakeTimeout()).sources(sources).trustedProxies(config.trustedProxies())
                .connectionsPerSource(config.connectionsPerSource())
                .maxPendingPerSource(config.handshakesPerSource())
                .httpDeadlines(config.httpsHeaderTimeout(), config.httpsBodyTimeout())
                .rejections(metrics::preAuthRejected).start();
    }

    /** Starts a server with defaults for everything but the configuration. */
    public static AuthServer start(ServerConfig config, Pkcs11Tokens tokens, Clock clock, SecureRandom random,
            ProofKind ecProofKind) throws IOException, TokenException, InterruptedException {
        return builder(config).tokens(tokens).clock(clock).random(random).ecProofKind(ecProofKind).start();
    }

    public static Builder builder(ServerConfig config) {
        return new Builder(config);
    }

    /**
     * How to start a server. The embedding system adds its own commands here: they go into the one registry and
     * the one dispatcher that every transport uses.
     */
    public static final class Builder {
        private final ServerConfig config;
        private Pkcs11Tokens tokens = Pkcs11Tokens.builder().build();
        private Clock clock = Clock.systemUTC();
        private java.util.function.LongSupplier ticker = MonotonicClock.system();
        private SecureRandom random = new SecureRandom();
        private ProofKind ecProofKind = ProofKind.KEY_AGREEMENT;
        private CommandRegistry extraCommands = CommandRegistry.builder().build();
        private java.util.function.Consumer<CommandDispatcher.Builder> extraRoutes = r -> { };
        private LoginThrottle throttle;
        private org.opencluster.auth.server.metrics.ServerMetrics metrics =
                org.opencluster.auth.server.metrics.ServerMetrics.none();
        private java.util.function.Supplier<String> scrape;
        /**
         * What the constructor has opened so far, closed again by {@link #start} when it fails half-way (before a
         * fresh data directory is removed: an open embedded database would still write to it).
         */
        private final java.util.Deque<AutoCloseable> opened = new java.util.ArrayDeque<>();

        private Builder(ServerConfig config) {
            this.config = java.util.Objects.requireNonNull(config);
        }

        public Builder tokens(Pkcs11Tokens tokens) {
            this.tokens = java.util.Objects.requireNonNull(tokens);
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = java.util.Objects.requireNonNull(clock);
            return this;
        }

        /**
         * Monotonic nanoseconds for every duration (lockouts, re-authentication, REST session timeouts); default
         * {@link MonotonicClock#system()}. Whatever is given is guarded against backward steps.
         */
        public Builder ticker(java.util.function.LongSupplier ticker) {
            this.ticker = java.util.Objects.requireNonNull(ticker);
            return this;
        }

        public Builder random(SecureRandom random) {
            this.random = java.util.Objects.requireNonNull(random);
            return this;
        }

        /** The proof asked of EC account keys (which can do both): key agreement (default) or signature. */
        public Builder ecProofKind(ProofKind kind) {
            this.ecProofKind = java.util.Objects.requireNonNull(kind);
            return this;
        }

        /** The embedding system's own commands and their handlers (ids in the 0x_800-0x_fff ranges). */
        public Builder commands(CommandRegistry commands, java.util.function.Consumer<CommandDispatcher.Builder> routes) {
            this.extraCommands = java.util.Objects.requireNonNull(commands);
            this.extraRoutes = java.util.Objects.requireNonNull(routes);
            return this;
        }

        /**
         * Where the server's meters go ({@link org.opencluster.auth.server.metrics.ServerMetrics}; default: nowhere)
         * and, for the admin listener's {@code /metrics}, the registry's Prometheus text (null: no {@code /metrics}).
         */
        public Builder metrics(io.micrometer.core.instrument.MeterRegistry registry,
                java.util.function.Supplier<String> scrape) {
            this.metrics = new org.opencluster.auth.server.metrics.ServerMetrics(registry);
            this.scrape = scrape;
            return this;
        }

        /** The login throttle (default: built from the configuration's limits). */
        public Builder throttle(LoginThrottle throttle) {
            this.throttle = java.util.Objects.requireNonNull(throttle);
            return this;
        }

        /**
         * Starts the server. What can be known to fail (paths, listener addresses) is checked before anything is
         * created, and a start that fails anyway removes the data directory (and its parents) when it made them
         * (issue 15 item 7): the next attempt is a first start again, not a half-made one.
         */
        public AuthServer start() throws IOException, TokenException, InterruptedException {
            org.opencluster.auth.server.boot.StartChecks.paths(config);
            org.opencluster.auth.server.boot.StartChecks.listenersFree(config);
            Optional<java.nio.file.Path> made = org.opencluster.auth.server.boot.DataDirectory.firstMissing(
                    config.dataDir());
            try {
                return new AuthServer(this);
            } catch (IOException | TokenException | InterruptedException | RuntimeException | Error e) {
                for (AutoCloseable c : opened) {
                    try {
                        c.close();
                    } catch (Exception suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                made.ifPresent(dir -> org.opencluster.auth.server.boot.DataDirectory.removeFresh(dir, e));
                throw e;
            } finally {
                opened.clear();
            }
        }
    }

    static SignatureScheme schemeOf(Token key) {
        return key.signatureSchemes().iterator().next();
    }

    /** False when the certificate marks its key for key agreement only (digitalSignature not set). */
    private static boolean keySigns(X509Certificate cert) {
        boolean[] usage = cert.getKeyUsage();
        return usage == null || usage[0];
    }

    /**
     * The handshake's view of a stored account, without the certificate check (tests and tools that build a view of
     * an account they made themselves).
     */
    public static LoginAccount loginView(Account a) {
        LoginAccount v = loginView(a, null, null);
        return new LoginAccount(v.username(), v.role(), v.key(), v.envelope(), v.disabled(), v.keySigns(),
                Optional.empty(), v.opaqueRecord());
    }

    /**
     * The handshake's view of a stored account, its certificate checked against the cluster CA at {@code now}: a key
     * account needs a certificate issued by {@code ca} for that very key and valid at {@code now}, else the view
     * carries why ({@link LoginAccount#certificateProblem()}) and the login fails like a wrong proof.
     */
    public static LoginAccount loginView(Account a, ClusterCa ca, java.time.Instant now) {
        if (!a.hasPublicKey()) {
            return new LoginAccount(a.username(), a.role(), null, a.envelope(), a.disabled());
        }
        PublicKey key;
        try {
            byte[] spki = a.publicKey();
            String oid = SubjectPublicKeyInfo.getInstance(spki).getAlgorithm().getAlgorithm().getId();
            String alg = oid.equals("1.3.101.112") ? "Ed25519" : oid.equals("1.3.101.110") ? "X25519"
                    : oid.equals("1.2.840.113549.1.1.1") ? "RSA" : "EC";
            key = KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("stored public key of " + a.username() + " is unreadable", e);
        }
        X509Certificate cert = null;
        if (a.certificate().isPresent()) {
            try {
                cert = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                        .generateCertificate(new java.io.ByteArrayInputStream(a.certificate().get()));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("stored certificate of " + a.username() + " is unreadable", e);
            }
        }
        Optional<String> problem = ca == null ? Optional.empty() : certificateProblem(cert, key, ca, now);
        return new LoginAccount(a.username(), a.role(), key, a.envelope(), a.disabled(),
                cert == null || keySigns(cert), problem, a.opaqueRecord());
    }

    /** Why {@code cert} does not let the holder of {@code key} log in at {@code now}, if it does not. */
    private static Optional<String> certificateProblem(X509Certificate cert, PublicKey key, ClusterCa ca,
            java.time.Instant now) {
        if (cert == null) {
            return Optional.of("the account has no certificate");
        }
        if (!java.security.MessageDigest.isEqual(cert.getPublicKey().getEncoded(), key.getEncoded())) {
            return Optional.of("the certificate is for another key");
        }
        if (!ca.issued(cert)) {
            return Optional.of("the certificate was not issued by this cluster's CA");
        }
        if (now.isBefore(cert.getNotBefore().toInstant())) {
            return Optional.of("the certificate is valid only from " + cert.getNotBefore().toInstant());
        }
        if (now.isAfter(cert.getNotAfter().toInstant())) {
            return Optional.of("the certificate expired at " + cert.getNotAfter().toInstant());
        }
        return Optional.empty();
    }

    public InetSocketAddress address() {
        return transport.address();
    }

    /** The one dispatcher behind every transport. */
    public CommandDispatcher dispatcher() {
        return dispatcher;
    }

    /** The HTTPS listener's address, when it is on. */
    public Optional<InetSocketAddress> httpsAddress() {
        return Optional.ofNullable(https).map(org.opencluster.auth.server.rest.RestServer::address);
    }

    /** Not part of the front door (issue 17 item 6): the package's own tests reach it through this. */
    JdbcAccountStore store() {
        return store;
    }

    /** Not part of the front door (issue 17 item 6): the package's own tests reach it through this. */
    ClusterCa ca() {
        return ca;
    }

    /** The cluster CA's certificate (what a service stores on its token after the certificate it was issued). */
    public X509Certificate caCertificate() {
        return ca.certificate();
    }

    /** The account named {@code username}, as stored now (a snapshot: changing it changes nothing). */
    public Optional<Account> account(String username) {
        return store.findAccount(username);
    }

    /**
     * Admin operation (as {@code ADMIN_ENROLMENT_CODE}): a one-time enrolment code for a new account
     * {@code username} of {@code kind} and {@code role}, valid for
     * {@link org.opencluster.auth.server.enrol.EnrolHandlers#CODE_LIFETIME}; the enrollee enrols with it as every
     * user does (the client's {@code Enroller}).
     *
     * @throws IllegalArgumentException when the name is invalid or the account exists already
     */
    public String issueEnrolmentCode(String username, Account.Role role, Account.Kind kind) {
        org.opencluster.auth.protocol.names.AccountNames.require(username);
        if (store.findAccount(username).isPresent()) {
            throw new IllegalArgumentException("account " + username + " exists already");
        }
        String code = enrolmentCodes.issue(store, EnrolmentCode.NEW_ACCOUNT, Optional.of(username), role, kind,
                clock.instant().plus(org.opencluster.auth.server.enrol.EnrolHandlers.CODE_LIFETIME));
        LOG.info("event=admin.enrolment_code.issued admin=- account={}",
                org.opencluster.auth.server.log.LogValues.quote(username));
        return code;
    }

    /**
     * Admin operation: certifies the key of {@code csr} for a new account and stores it, under the same checks as
     * enrolment (name, key policy, envelope floor), for tools that provision many accounts at once (load tests) or
     * hosts that provision themselves. An interactive enrollee uses {@link #issueEnrolmentCode} instead.
     *
     * @param envelope a person's passphrase envelope, or null (a service, or a key on a card)
     * @return the issued certificate, then the CA's
     */
    public List<X509Certificate> provision(String username, Account.Kind kind, Account.Role role,
            org.bouncycastle.pkcs.PKCS10CertificationRequest csr, byte[] envelope, Duration validity) {
        return enrolment.enrol(username, kind, role, csr, envelope, validity);
    }

    /**
     * Admin operation (as {@code ACCOUNT_DISABLE}/{@code ACCOUNT_ENABLE}): a disabled account's sessions end at
     * once and it cannot log in until enabled again.
     *
     * @return false when there is no such account
     */
    public boolean setDisabled(String username, boolean disabled) {
        if (!store.setDisabled(username, disabled)) {
            return false;
        }
        if (disabled) {
            sessions.endUser(username, "the account was disabled by an admin");
        }
        return true;
    }

    /**
     * Admin operation (as {@code ADMIN_ACCOUNT_DELETE}): the account and its credentials are gone, its sessions end.
     *
     * @return false when there is no such account
     */
    public boolean deleteAccount(String username) {
        if (!store.deleteAccount(username)) {
            return false;
        }
        sessions.endUser(username, "the account was deleted by an admin");
        return true;
    }

    public SuitePolicyService policies() {
        return policies;
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    public X509Certificate serverCertificate() {
        return serverCertificate;
    }

    /** The server's own key (in its token or key file). */
    public Token serverKey() {
        return serverKey;
    }

    /** The cluster CA's key (in its token or key file). */
    /**
     * The state of the server's own key tokens that can go away ({@code pkcs11:} keys; key files cannot), for a
     * health endpoint: empty when both keys are files.
     */
    public List<org.opencluster.auth.server.boot.TokenHealth> tokenHealth() {
        return java.util.stream.Stream.of(serverKey, caKey)
                .filter(org.opencluster.auth.server.boot.HealingToken.class::isInstance)
                .map(t -> ((org.opencluster.auth.server.boot.HealingToken) t).health()).toList();
    }

    public Token caKey() {
        return caKey;
    }

    /** Security-key logins and registrations (the relying party of this server). */
    public WebAuthnService webAuthn() {
        return webAuthn;
    }

    public LoginThrottle throttle() {
        return throttle;
    }

    /** How this node keeps in step with the others on its database (issue 16). */
    public org.opencluster.auth.server.cluster.ClusterSync cluster() {
        return cluster;
    }

    /** Open connections right now. */
    public int connectionCount() {
        return transport.connectionCount();
    }

    /** REST sessions open right now (pending or logged in; 0 without the HTTPS listener). */
    public int httpsSessionCount() {
        return https == null ? 0 : https.sessionCount();
    }

    /** How an operator gets the first admin's code (a running server never issues one by itself). */
    public static final String FIRST_ADMIN_HOW_TO = "run `oca-server init` with the same --data or --config"
            + " (stop the server first when the database is the embedded H2): it prints a new first-admin enrolment"
            + " code once and ends every earlier one";

    /** Whether the cluster has an admin account. */
    public boolean hasAdmin() {
        return store.countAdmins() > 0;
    }

    /**
     * A new first-admin code while the cluster has no admin (what {@code oca-server init} prints), for an
     * embedding system and tests; empty once an admin exists.
     */
    public Optional<String> issueFirstAdminCode() {
        return Bootstrap.issueFirstAdminCode(store, enrolmentCodes, clock).map(Bootstrap.FirstAdminCode::code);
    }

    /** What the store keeps of enrolment codes, and how codes are issued. */
    public EnrolmentCodeKey enrolmentCodes() {
        return enrolmentCodes;
    }

    /** What a live session is told when the server stops (SESSION_CLOSING_TEXT, docs/PROTOCOL.md section 7.1). */
    public static final String SHUTDOWN_REASON = "server shutting down";

    /**
     * Graceful stop (SIGTERM): the HTTPS listener closes (its sessions end with it: a REST client's next request
     * fails to connect), the TCP listener stops accepting, every TCP session answers the command it is running and
     * then gets {@code SESSION_CLOSING} with {@link #SHUTDOWN_REASON} and its close frame, a login in progress gets
     * {@code SHUTTING_DOWN}; after at most {@code drain} whatever is left is closed, then everything else.
     *
     * @return true when every connection had closed within {@code drain}
     */
    public boolean shutdown(Duration drain) {
        long started = MonotonicClock.system().nanos();
        LOG.info("event=server.shutdown phase=draining sessions={} drain_ms={}", sessions.size(), drain.toMillis());
        closeHttps();
        boolean drained = transport.drain(SHUTDOWN_REASON, drain);
        close();
        LOG.info("event=server.shutdown phase=stopped drained={} elapsed_ms={}", drained,
                java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(MonotonicClock.system().nanos() - started));
        return drained;
    }

    private synchronized void closeHttps() {
        if (https != null && !httpsClosed) {
            httpsClosed = true;
            https.close();
        }
    }

    /**
     * Why this node should not get traffic now, if it should not (the admin listener's {@code /readyz}): the store
     * takes no write, one of the server's key tokens is lost, this node's view of the cluster is older than
     * {@code cluster.max-staleness} (it takes no login), or another node changed the suite policy and this one has
     * not caught up. One short line each, never a secret or a stack trace.
     */
    public Optional<String> notReadyBecause() {
        // First, and without a database round trip: a stale node answers every login CLUSTER_STATE_STALE.
        Optional<String> stale = cluster.staleBecause();
        if (stale.isPresent()) {
            return stale;
        }
        try {
            store.probeWritable();
        } catch (RuntimeException e) {
            return Optional.of("store not writable");
        }
        for (org.opencluster.auth.server.boot.TokenHealth t : tokenHealth()) {
            if (!t.up()) {
                return Optional.of(t.role() + " key token unavailable");
            }
        }
        try {
            long stored = store.latestPolicy().map(org.opencluster.auth.server.store.StoredPolicy::version).orElse(0L);
            if (stored != policies.current().version()) {
                return Optional.of("suite policy version " + policies.current().version() + " is not the store's "
                        + stored);
            }
        } catch (RuntimeException e) {
            return Optional.of("store not readable");
        }
        return Optional.empty();
    }

    /** The admin listener's address, when {@code admin.listen} is on. */
    public Optional<InetSocketAddress> adminAddress() {
        return Optional.ofNullable(admin).map(org.opencluster.auth.server.metrics.AdminListener::address);
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
        closeHttps();
        transport.close();
        cluster.close();
        store.close();
        try {
            // The embedded database may have created files (trace, temporary) with the process umask since it opened.
            org.opencluster.auth.server.boot.DataDirectory.restrictFiles(dataDir);
        } catch (IOException e) {
            LOG.warn("cannot make the files in {} owner-only: {}", dataDir, e.toString());
        }
        webAuthn.close();
        serverKey.close();
        caKey.close();
    }
}
