package org.opencluster.auth.server.e2e;

import org.opencluster.auth.client.enrol.ServiceKeyEnrolment;
import org.opencluster.auth.server.provision.AccountEnrolment;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.ServerTrust;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.server.AuthServer;
import org.opencluster.auth.server.ca.ClusterCa;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.login.LoginAccount;
import org.opencluster.auth.server.policy.SuitePolicyService;
import org.opencluster.auth.server.session.SessionRegistry;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.store.JdbcAccountStore;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.envelope.EnvelopePolicy;
import org.opencluster.auth.token.envelope.KdfParameters;
import org.opencluster.auth.token.envelope.PassphraseEnvelope;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;

/**
 * A real server on loopback with everything wired as in production (store, bootstrap keys, CA, policy, sessions,
 * dispatcher, handshake), for end-to-end tests. Envelopes use the KDF floor to keep tests quick: the cost of the
 * KDF is not what these tests measure.
 */
final class TestCluster implements AutoCloseable {
    static final KdfParameters TEST_KDF = new KdfParameters(19 * 1024, 2, 1);

    final SecureRandom random = new SecureRandom();
    /** The server's wall clock: certificate validity and code expiry; a test steps it to jump the wall clock. */
    final org.opencluster.auth.server.testsupport.SteppingClock clock =
            org.opencluster.auth.server.testsupport.SteppingClock.systemPlusOffset();
    /** The server's monotonic ticker (every duration): tests move it forward to make things due. */
    final org.opencluster.auth.server.testsupport.SteppingTicker ticker =
            new org.opencluster.auth.server.testsupport.SteppingTicker();
    final ServerConfig config;
    final AuthServer server;
    final JdbcAccountStore store;
    final SuitePolicyService policies;
    final SessionRegistry sessions;
    final Token serverKey;
    final Token caKey;
    final ClusterCa ca;
    final X509Certificate serverCert;
    final LoginThrottle throttle;

    TestCluster(Path dir, ProofKind ecProofKind) throws Exception {
        this(dir, ecProofKind, LoginThrottle.builder().build());
    }

    TestCluster(Path dir, ProofKind ecProofKind, LoginThrottle throttle) throws Exception {
        this(ServerConfig.defaults(dir.resolve("data")), ecProofKind, throttle, Pkcs11Tokens.builder().build());
    }

    /**
     * A cluster on {@code config} (e.g. with {@code pkcs11:} server or CA keys opened through {@code tokens}),
     * wired exactly as production ({@link AuthServer}), on a free loopback port with a 10-minute idle timeout.
     */
    TestCluster(ServerConfig config, ProofKind ecProofKind, LoginThrottle throttle, Pkcs11Tokens tokens)
            throws Exception {
        this(config, ecProofKind, throttle, tokens, Duration.ofMinutes(10));
    }

    /** As above with another idle timeout (tests of what a silent client costs). */
    TestCluster(ServerConfig config, ProofKind ecProofKind, LoginThrottle throttle, Pkcs11Tokens tokens,
            Duration idleTimeout) throws Exception {
        this(config, ecProofKind, throttle, tokens, idleTimeout, true, java.util.function.UnaryOperator.identity());
    }

    /**
     * @param testKdfFloor whether the server accepts envelopes sealed with {@link #TEST_KDF} (the clients' own
     *                     floor) instead of its production floor: tests that enrol do not measure the KDF's cost
     */
    private TestCluster(ServerConfig config, ProofKind ecProofKind, LoginThrottle throttle, Pkcs11Tokens tokens,
            Duration idleTimeout, boolean testKdfFloor,
            java.util.function.UnaryOperator<AuthServer.Builder> serverTune) throws Exception {
        ServerConfig.Builder b = config.toBuilder().listen(new java.net.InetSocketAddress("127.0.0.1", 0))
                .idleTimeout(idleTimeout);
        if (testKdfFloor) {
            b.envelopeKdfFloor(TEST_KDF);
        }
        this.config = b.build();
        AuthServer.Builder builder = AuthServer.builder(this.config).tokens(tokens).clock(clock).ticker(ticker)
                .random(random).ecProofKind(ecProofKind);
        if (throttle != null) {
            builder.throttle(throttle);
        }
        server = serverTune.apply(builder).start();
        this.throttle = server.throttle();
        store = org.opencluster.auth.server.ServerInternals.store(server);
        policies = server.policies();
        sessions = server.sessions();
        serverKey = server.serverKey();
        caKey = server.caKey();
        ca = org.opencluster.auth.server.ServerInternals.ca(server);
        serverCert = server.serverCertificate();
    }

    /**
     * The one way tests start a cluster in {@code dir/data} (the directory of a test's {@code @TempDir}): the
     * defaults, which the calls change, then {@link Start#start}. E.g.
     * {@code TestCluster.in(dir).https().ecProofKind(ProofKind.SIGNATURE).start()}.
     */
    static Start in(Path dir) {
        return new Start(dir);
    }

    /** What {@link #in} starts: EC accounts proving by key agreement, the default throttle, RISP/TCP only. */
    static final class Start {
        private final Path dir;
        private java.util.function.UnaryOperator<ServerConfig.Builder> tune = java.util.function.UnaryOperator
                .identity();
        private boolean https;
        private ProofKind ecProofKind = ProofKind.KEY_AGREEMENT;
        /** Null: the server's own, built from the configuration on {@link #ticker}. */
        private LoginThrottle throttle;
        private Duration idleTimeout = Duration.ofMinutes(10);
        private java.util.function.Consumer<TestCluster> started = c -> { };
        private boolean testKdfFloor = true;
        private java.util.function.UnaryOperator<AuthServer.Builder> serverTune = java.util.function.UnaryOperator
                .identity();

        private Start(Path dir) {
            this.dir = dir;
        }

        /** The HTTPS listener too, on a free loopback port. */
        Start https() {
            this.https = true;
            return this;
        }

        /** Further configuration (applied after the data directory and the HTTPS listener are set). */
        Start config(java.util.function.UnaryOperator<ServerConfig.Builder> tune) {
            this.tune = tune;
            return this;
        }

        Start ecProofKind(ProofKind kind) {
            this.ecProofKind = kind;
            return this;
        }

        Start throttle(LoginThrottle throttle) {
            this.throttle = throttle;
            return this;
        }

        Start idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        /** Further settings of the server itself (e.g. its metrics registry), applied last. */
        Start server(java.util.function.UnaryOperator<AuthServer.Builder> tune) {
            this.serverTune = tune;
            return this;
        }

        /** The server's production envelope KDF floor (64 MiB, t = 3) instead of {@link #TEST_KDF}. */
        Start productionKdfFloor() {
            this.testKdfFloor = false;
            return this;
        }

        /** Hands the started cluster to {@code started} (e.g. {@link Clusters}, which closes it). */
        Start whenStarted(java.util.function.Consumer<TestCluster> started) {
            this.started = started;
            return this;
        }

        TestCluster start() throws Exception {
            ServerConfig.Builder b = ServerConfig.builder().dataDir(dir.resolve("data"));
            if (https) {
                b.httpsListen(new java.net.InetSocketAddress("127.0.0.1", 0));
            }
            TestCluster c = new TestCluster(tune.apply(b).build(), ecProofKind, throttle,
                    Pkcs11Tokens.builder().build(), idleTimeout, testKdfFloor, serverTune);
            started.accept(c);
            return c;
        }
    }

    /** The passphrase of {@link #httpsWithAlice}'s alice. */
    static final char[] ALICE_PASS = "correct horse battery staple".toCharArray();

    /**
     * A cluster with the HTTPS listener on a free loopback port (and RISP/TCP), its configuration the defaults in
     * {@code dir/data} as {@code tune} changes them, EC accounts proving by key agreement.
     */
    static TestCluster https(Path dir, java.util.function.UnaryOperator<ServerConfig.Builder> tune,
            LoginThrottle throttle) throws Exception {
        return in(dir).https().config(tune).throttle(throttle).start();
    }

    /** {@link #https} with the default throttle and one person, alice (P-256, passphrase {@link #ALICE_PASS}). */
    static TestCluster httpsWithAlice(Path dir, java.util.function.UnaryOperator<ServerConfig.Builder> tune)
            throws Exception {
        TestCluster c = https(dir, tune, LoginThrottle.builder().build());
        try {
            c.person("alice", ALICE_PASS, Account.Role.USER, KeyType.EC_P256);
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    static LoginAccount login(Account a) {
        return AuthServer.loginView(a);
    }

    /** Provisions a person: the "client" makes key and envelope, the CA certifies, the server stores. */
    void person(String name, char[] passphrase, Account.Role role, KeyType type) throws Exception {
        byte[] pkcs8 = SoftwareKeys.generatePkcs8(type, random);
        try (SoftwareToken t = SoftwareToken.fromPkcs8(name, pkcs8, List.of())) {
            X509Certificate cert = ca.issue(name, ClusterCa.Subject.PERSON, t.publicKey(), Duration.ofDays(30));
            byte[] envelope = envelopes().seal(name, passphrase, pkcs8, List.of());
            store.createAccount(name, Account.Kind.PERSON, role, t.publicKey().getEncoded(), cert.getEncoded(),
                    envelope);
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
    }

    /**
     * Provisions a person at credential version 2: enrolled with a version 1 envelope, then moved by their first
     * login with a {@link org.opencluster.auth.client.login.PassphraseCredential} (the migration path, issue 14
     * item 4), which re-registers with OPAQUE in that session.
     */
    void personV2(String name, char[] passphrase, Account.Role role, KeyType type) throws Exception {
        person(name, passphrase, role, type);
        try (org.opencluster.auth.client.login.PassphraseCredential c = opaquePassphrase(passphrase);
             org.opencluster.auth.client.OcaSession s = org.opencluster.auth.client.OcaSession.login(address(), name,
                     c, pinned(), new org.opencluster.auth.client.OcaSession.Options())) {
            if (c.openedVersion() != 1 || store.findAccount(name).orElseThrow().credentialVersion() != 2) {
                throw new IllegalStateException(name + " did not move to credential version 2");
            }
        }
    }

    /** The client side of a person who speaks the OPRF step (credential versions 2 and 1). */
    org.opencluster.auth.client.login.PassphraseCredential opaquePassphrase(char[] passphrase) {
        return new org.opencluster.auth.client.login.PassphraseCredential(passphrase, envelopes());
    }

    /**
     * Provisions a service as its host would: key generated inside the token {@code tokenUri} selects, CSR signed
     * there, certificate issued by this cluster's CA, chain stored back on the token, account stored without an
     * envelope.
     */
    List<X509Certificate> service(String name, Account.Role role, Pkcs11Tokens tokens, String tokenUri,
            String keyLabel) throws Exception {
        org.bouncycastle.pkcs.PKCS10CertificationRequest csr = ServiceKeyEnrolment.generate(tokens, tokenUri,
                keyLabel, KeyType.EC_P256, name);
        List<X509Certificate> chain = new AccountEnrolment(ca, store).enrol(name, role, csr, Duration.ofDays(30));
        ServiceKeyEnrolment.install(tokens, tokenUri, keyLabel, chain);
        return chain;
    }

    PassphraseEnvelope envelopes() {
        return PassphraseEnvelope.builder().kdf(TEST_KDF).policy(EnvelopePolicy.builder().floor(TEST_KDF).build())
                .random(random).build();
    }

    /**
     * The client side of a person, as {@code oca login} is since issue 14: blinds the passphrase into the OPRF step
     * and opens a credential of version 2 or 1, but (unlike a bare {@link #opaquePassphrase}) never re-registers a
     * version 1 account, so a test's accounts stay as it made them.
     */
    LoginCredential passphrase(char[] passphrase) {
        org.opencluster.auth.client.login.PassphraseCredential both = opaquePassphrase(passphrase);
        return new LoginCredential() {
            @Override
            public org.opencluster.auth.token.Token unlock(String user, byte[] envelope)
                    throws org.opencluster.auth.token.TokenException {
                return both.unlock(user, envelope);
            }

            @Override
            public org.opencluster.auth.protocol.pake.PendingRequest<org.opencluster.auth.protocol.pake
                    .CredentialRequest> oprfRequest(SecureRandom r) throws org.opencluster.auth.token.TokenException {
                return both.oprfRequest(r);
            }

            @Override
            public org.opencluster.auth.token.Token unlock(String user, byte[] envelope,
                    org.opencluster.auth.client.login.OprfAnswer oprf) throws org.opencluster.auth.token.TokenException {
                return both.unlock(user, envelope, oprf);
            }
        };
    }

    /** A client from before issue 14: opens the ENVELOPE with Argon2id(passphrase) only (credential version 1). */
    LoginCredential versionOnePassphrase(char[] passphrase) {
        return (user, envelope) -> envelopes().open(user, passphrase.clone(), envelope, user);
    }

    /** Trust exactly this cluster's server key (as a pinned fingerprint would). */
    ServerTrust pinned() {
        return pinnedTo(serverCert.getPublicKey().getEncoded());
    }

    static ServerTrust pinnedTo(byte[] spki) {
        return chain -> {
            if (!java.security.MessageDigest.isEqual(chain.get(0).getPublicKey().getEncoded(), spki)) {
                throw new HandshakeException(HandshakeError.SERVER_KEY_CHANGED, "the server key changed");
            }
        };
    }

    java.net.InetSocketAddress address() {
        return server.address();
    }

    /** A REST client of this cluster's HTTPS listener (started with {@link Start#https}), trusting its certificate. */
    RestClient rest() throws Exception {
        return new RestClient(server.httpsAddress().orElseThrow(), serverCert);
    }

    /** Provisions each person of {@code people} (name to key type) with {@code passphrase}, as users. */
    void people(java.util.Map<String, KeyType> people, char[] passphrase) throws Exception {
        for (java.util.Map.Entry<String, KeyType> p : people.entrySet()) {
            person(p.getKey(), passphrase, Account.Role.USER, p.getValue());
        }
    }

    /** Time passes: both the wall clock and the monotonic ticker move forward by {@code d}. */
    void elapse(java.time.Duration d) {
        clock.advance(d);
        ticker.advance(d);
    }

    @Override
    public void close() {
        server.close();
    }
}
