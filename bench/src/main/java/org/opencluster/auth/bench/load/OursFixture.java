package org.opencluster.auth.bench.load;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.reflect.Proxy;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.enrol.ServiceKeyEnrolment;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.ServerTrust;
import org.opencluster.auth.client.login.TokenCredential;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.StandardCommands;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.CommandSpec;
import org.opencluster.auth.protocol.risp.Direction;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.AuthServer;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.dispatch.Access;
import org.opencluster.auth.server.login.HelloGate;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.softhsm.SoftHsmFixture;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.PinSource;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.envelope.KdfParameters;
import org.opencluster.auth.token.envelope.PassphraseEnvelope;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;

/**
 * Our side: a server started through the {@link AuthServer} builder exactly as in production (H2 store in a
 * scratch directory, bootstrap keys, CA, policy, Netty transport on 127.0.0.1), plus one bench-only command
 * registered through the builder's embedding hook, never in production: {@link #SINK} takes a string and answers
 * {@code OK}. Accounts: a service with a software Ed25519 key, a service with a P-256 key inside SoftHSM2 (when
 * installed), and a person with a passphrase envelope sealed with the default (production) KDF parameters.
 */
final class OursFixture implements AutoCloseable {
    static final CommandSpec SINK = CommandSpec.string(0x98b0, "BENCH_SINK", Direction.CLIENT_TO_SERVER, 65535);
    static final CommandRegistry BENCH_COMMANDS = CommandRegistry.builder().register(SINK).build();
    static final CommandRegistry CLIENT_VIEW = StandardCommands.with(BENCH_COMMANDS);

    static final String SERVICE_ED25519 = "svc-ed25519";
    static final String SERVICE_HSM = "svc-softhsm-p256";
    static final String PERSON = "person-p256";
    private static final String HSM_TOKEN = "bench-svc";
    private static final String HSM_PIN = "8642";
    private static final char[] PASSPHRASE = "correct horse battery staple".toCharArray();

    final Path dir;
    final AuthServer server;
    final SecureRandom random = new SecureRandom();
    final byte[] ed25519Pkcs8;
    final byte[] personPkcs8;
    final byte[] personEnvelope;
    final PassphraseEnvelope envelopes = PassphraseEnvelope.builder().kdf(KdfParameters.DEFAULT).build();
    private SoftHsmFixture hsm;
    private TokenCredential hsmCredential;

    /**
     * @param withSoftHsm   provision the SoftHSM2 service (the JVM's SoftHSM2 is claimed for good)
     * @param withPerson    provision the person (sealing its envelope costs one default-parameter KDF run)
     */
    OursFixture(Path dir, boolean withSoftHsm, boolean withPerson) throws Exception {
        // Every login of these sections comes from 127.0.0.1, hundreds a second: they measure the handshake itself,
        // so the per-source hello rate (section 5.3.11) is off here; the hello-flood section measures it.
        this(dir, withSoftHsm, withPerson, new HelloGate.Settings(HelloGate.Mode.OFF, 1, 1));
    }

    /** @param hello the server's {@code hello.*} settings */
    OursFixture(Path dir, boolean withSoftHsm, boolean withPerson, HelloGate.Settings hello) throws Exception {
        this.dir = dir;
        if (withSoftHsm) {
            // SoftHSM2 sees only the tokens that exist when the JVM first loads it: create the token first.
            hsm = SoftHsmFixture.forTestClass(OursFixture.class);
            hsm.initToken(HSM_TOKEN, "12345678", HSM_PIN);
        }
        ServerConfig config = ServerConfig.builder().dataDir(dir.resolve("server"))
                .listen(new InetSocketAddress("127.0.0.1", 0)).maxConnections(20_000)
                .perSource(20_000, 20_000) // every bench client is one source, 127.0.0.1
                .hello(hello).build();
        server = AuthServer.builder(config).random(random).commands(BENCH_COMMANDS, routes -> routes.routeNonBlocking(SINK,
                Access.ANY_ACCOUNT, (caller, cmd, out) -> out.send(RispCommand.none(CoreCommands.OK.id())))).start();
        // Provisioned through the server's admin operation (the enrolment checks without the wire round-trips).
        ed25519Pkcs8 = SoftwareKeys.generatePkcs8(KeyType.ED25519, random);
        try (SoftwareToken t = SoftwareToken.fromPkcs8(SERVICE_ED25519, ed25519Pkcs8, List.of())) {
            server.provision(SERVICE_ED25519, Account.Kind.SERVICE, Account.Role.USER, csr(t, SERVICE_ED25519), null,
                    Duration.ofDays(30));
        }

        personPkcs8 = SoftwareKeys.generatePkcs8(KeyType.EC_P256, random);
        personEnvelope = withPerson ? envelopes.seal(PERSON, PASSPHRASE.clone(), personPkcs8, List.of()) : null;
        if (withPerson) {
            try (SoftwareToken t = SoftwareToken.fromPkcs8(PERSON, personPkcs8, List.of())) {
                server.provision(PERSON, Account.Kind.PERSON, Account.Role.USER, csr(t, PERSON), personEnvelope,
                        Duration.ofDays(30));
            }
        }

        if (hsm != null) {
            Pkcs11Tokens tokens = Pkcs11Tokens.builder().defaultModule(hsm.module())
                    .defaultPinSource(PinSource.of(HSM_PIN.toCharArray())).build();
            String tokenUri = "pkcs11:token=" + HSM_TOKEN;
            var csr = ServiceKeyEnrolment.generate(tokens, tokenUri, "login-key", KeyType.EC_P256, SERVICE_HSM);
            List<X509Certificate> chain = server.provision(SERVICE_HSM, Account.Kind.SERVICE, Account.Role.USER, csr,
                    null, Duration.ofDays(30));
            ServiceKeyEnrolment.install(tokens, tokenUri, "login-key", chain);
            // Logged in once and shared by concurrent logins, as a long-running service would hold its token.
            hsmCredential = TokenCredential.pkcs11Shared(tokens, tokenUri + ";object=login-key;type=private");
        }
    }

    /** A certification request signed by {@code key} for {@code name}. */
    static org.bouncycastle.pkcs.PKCS10CertificationRequest csr(SoftwareToken key, String name)
            throws org.opencluster.auth.token.TokenException, java.io.IOException {
        return org.opencluster.auth.token.enrol.Enrolment.csr(key, new org.bouncycastle.asn1.x500.X500Name("CN=" + name),
                key.signatureSchemes().iterator().next());
    }

    InetSocketAddress address() {
        return server.address();
    }

    ServerTrust trust() {
        return pinnedTo(server.serverCertificate().getPublicKey().getEncoded());
    }

    static ServerTrust pinnedTo(byte[] spki) {
        return chain -> {
            if (!MessageDigest.isEqual(chain.get(0).getPublicKey().getEncoded(), spki)) {
                throw new HandshakeException(HandshakeError.SERVER_KEY_CHANGED, "the server key changed");
            }
        };
    }

    /** A key parsed at every login (as a client that reads its key file each time would). */
    static LoginCredential softwareKey(byte[] pkcs8) {
        return (user, envelope) -> SoftwareToken.fromPkcs8(user, pkcs8, List.of());
    }

    /**
     * A key loaded once and held, as a long-running service holds it, and as the JSSE side holds its key in its
     * KeyManager: each login gets a view whose close() leaves the key loaded (the handshake closes what it got).
     */
    static LoginCredential loadedKey(String user, byte[] pkcs8) throws Exception {
        Token key = SoftwareToken.fromPkcs8(user, pkcs8, List.of());
        Token view = (Token) Proxy.newProxyInstance(Token.class.getClassLoader(), new Class<?>[] {Token.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("close") && method.getParameterCount() == 0) {
                        return null;
                    }
                    try {
                        return method.invoke(key, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return (u, envelope) -> view;
    }

    LoginCredential ed25519Service() throws Exception {
        return loadedKey(SERVICE_ED25519, ed25519Pkcs8);
    }

    Optional<LoginCredential> softHsmService() {
        return Optional.ofNullable(hsmCredential);
    }

    /** The person's key as a client that already unlocked its envelope would hold it: the protocol alone. */
    LoginCredential personUnlocked() throws Exception {
        return loadedKey(PERSON, personPkcs8);
    }

    /** The person as a fresh client: opens the envelope with the passphrase (Argon2id, default parameters). */
    LoginCredential personWithPassphrase() {
        return (user, envelope) -> envelopes.open(user, PASSPHRASE.clone(), envelope, user);
    }

    /** The envelope's open cost alone (the KDF dominates it). */
    void openEnvelopeOnce() throws Exception {
        envelopes.open(PERSON, PASSPHRASE.clone(), personEnvelope, PERSON).close();
    }

    OcaSession.Options options() {
        return new OcaSession.Options().commands(CLIENT_VIEW).timeout(Duration.ofSeconds(60));
    }

    OcaSession.Options options(int suite) {
        return options().suites(java.util.Set.of(suite));
    }

    /** Writes the Ed25519 service key (bench key only) and the pinned server key for an idle-holder child. */
    void writeClientFiles(Path to) throws Exception {
        Files.write(to.resolve("service.pk8"), ed25519Pkcs8);
        Files.write(to.resolve("server.spki"), server.serverCertificate().getPublicKey().getEncoded());
    }

    @Override
    public void close() throws Exception {
        if (hsmCredential != null) {
            hsmCredential.close();
        }
        server.close();
        if (hsm != null) {
            hsm.close();
        }
        Arrays.fill(ed25519Pkcs8, (byte) 0);
        Arrays.fill(personPkcs8, (byte) 0);
    }
}
