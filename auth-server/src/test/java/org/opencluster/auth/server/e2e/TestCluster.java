package org.opencluster.auth.server.e2e;

import org.opencluster.auth.client.enrol.ServiceKeyEnrolment;
import org.opencluster.auth.server.provision.AccountEnrolment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.ServerTrust;
import org.opencluster.auth.protocol.command.AdminCommands;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.frame.FrameConfig;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.server.admin.AdminHandlers;
import org.opencluster.auth.server.boot.Bootstrap;
import org.opencluster.auth.server.boot.ServerKeys;
import org.opencluster.auth.server.ca.ClusterCa;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.dispatch.BuiltinCommands;
import org.opencluster.auth.server.dispatch.Caller;
import org.opencluster.auth.server.dispatch.CommandDispatcher;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.login.HandshakeSettings;
import org.opencluster.auth.server.login.LoginAccount;
import org.opencluster.auth.server.net.RispServer;
import org.opencluster.auth.server.policy.SuitePolicyService;
import org.opencluster.auth.server.session.ServerSession;
import org.opencluster.auth.server.session.SessionRegistry;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.store.JdbcAccountStore;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.enrol.TokenContentSigner;
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
    final ServerConfig config;
    final JdbcAccountStore store;
    final SuitePolicyService policies;
    final SessionRegistry sessions = new SessionRegistry();
    final Token serverKey;
    final Token caKey;
    final ClusterCa ca;
    final X509Certificate serverCert;
    final RispServer server;
    final LoginThrottle throttle;

    TestCluster(Path dir, ProofKind ecProofKind) throws Exception {
        this(dir, ecProofKind, LoginThrottle.builder().build());
    }

    TestCluster(Path dir, ProofKind ecProofKind, LoginThrottle throttle) throws Exception {
        this(ServerConfig.defaults(dir.resolve("data")), ecProofKind, throttle, Pkcs11Tokens.builder().build());
    }

    /** A cluster on {@code config} (e.g. with {@code pkcs11:} server or CA keys opened through {@code tokens}). */
    TestCluster(ServerConfig config, ProofKind ecProofKind, LoginThrottle throttle, Pkcs11Tokens tokens)
            throws Exception {
        this.throttle = throttle;
        this.config = config;
        store = JdbcAccountStore.open(config.dbUrl(), "sa", "");
        ServerKeys keys = new ServerKeys(tokens);
        Bootstrap.Result boot = new Bootstrap(config, keys, Clock.systemUTC(), random).init(store);
        serverCert = boot.serverCertificate();
        caKey = keys.open("ca", config.caKey());
        ca = new ClusterCa(boot.caCertificate(), new TokenContentSigner(caKey,
                org.opencluster.auth.token.SignatureScheme.ECDSA_P256_SHA256), Clock.systemUTC(), random);
        serverKey = keys.open("server", config.serverKey());
        policies = new SuitePolicyService(SuiteRegistry.standard(), store, Clock.systemUTC());
        policies.onChange(sessions::enforce);
        CommandRegistry registry = CommandRegistry.builder().include(CoreCommands.registry())
                .include(AdminCommands.registry()).build();
        CommandDispatcher dispatcher = new AdminHandlers(policies, store, sessions)
                .install(BuiltinCommands.install(CommandDispatcher.builder(registry))).build();
        byte[] decoy = Files.readAllBytes(Bootstrap.decoySecretFile(config));
        HandshakeSettings settings = new HandshakeSettings(SuiteRegistry.standard(), policies::current, serverKey,
                List.of(serverCert, boot.caCertificate()), name -> store.findAccount(name).map(TestCluster::login),
                decoy, HandshakeSettings.DEFAULT_ENVELOPE_FIELD_LENGTH, ecProofKind, FrameConfig.defaults(),
                throttle, random);
        server = RispServer.builder(remote -> new ServerSession(settings, dispatcher, sessions, Clock.systemUTC(),
                remote)).idleTimeout(Duration.ofMinutes(10)).start();
    }

    static LoginAccount login(Account a) {
        try {
            java.security.PublicKey key = java.security.KeyFactory.getInstance(algorithmOf(a.publicKey()))
                    .generatePublic(new java.security.spec.X509EncodedKeySpec(a.publicKey()));
            return new LoginAccount(a.username(), a.role(), key, a.envelope(), a.disabled());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String algorithmOf(byte[] spki) {
        String oid = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(spki).getAlgorithm().getAlgorithm()
                .getId();
        switch (oid) {
            case "1.3.101.112": return "Ed25519";
            case "1.3.101.110": return "X25519";
            case "1.2.840.113549.1.1.1": return "RSA";
            default: return "EC";
        }
    }

    /** Provisions a person: the "client" makes key and envelope, the CA certifies, the server stores. */
    void person(String name, char[] passphrase, Caller.Role role, KeyType type) throws Exception {
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
     * Provisions a service as its host would: key generated inside the token {@code tokenUri} selects, CSR signed
     * there, certificate issued by this cluster's CA, chain stored back on the token, account stored without an
     * envelope.
     */
    List<X509Certificate> service(String name, Caller.Role role, Pkcs11Tokens tokens, String tokenUri,
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

    /** The client side of a person: opens what the server sent with the passphrase. */
    LoginCredential passphrase(char[] passphrase) {
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

    @Override
    public void close() {
        server.close();
        store.close();
        serverKey.close();
        caKey.close();
    }
}
