package org.opencluster.auth.demo;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.enrol.Enroller;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.ServerTrust;
import org.opencluster.auth.client.trust.KnownServers;
import org.opencluster.auth.protocol.command.AdminCommands;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.suite.SuitePolicy;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.server.AuthServer;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.envelope.PassphraseEnvelope;
import org.opencluster.auth.token.pkcs11.Pkcs11Connection;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;

/**
 * The main job: a server on embedded defaults (H2 file, software server key, loopback), a person with a
 * passphrase envelope and a service whose key is generated inside a SoftHSM2 token, both logged in, and encrypted
 * commands exchanged. Arguments: {@code --data DIR} (default: a new temporary directory) and
 * {@code --service-token PKCS11_URI} (a token URI with module-path and pin-source; without it the service part is
 * skipped with a message).
 */
public final class DemoMain {
    private static final HexFormat HEX = HexFormat.of();

    private DemoMain() {
    }

    public static void main(String[] args) throws Exception {
        Path data = null;
        String serviceToken = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data": data = Path.of(args[++i]); break;
                case "--service-token": serviceToken = args[++i]; break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (use --data DIR and --service-token PKCS11_URI)");
            }
        }
        if (data == null) {
            data = Files.createTempDirectory("oca-demo");
        }
        SecureRandom random = new SecureRandom();
        ServerConfig config = ServerConfig.builder().dataDir(data)
                .listen(new InetSocketAddress("127.0.0.1", 0)).httpsListen(new InetSocketAddress("127.0.0.1", 0))
                .build();
        Pkcs11Tokens tokens = Pkcs11Tokens.builder().build();
        step("1. start the server (embedded defaults; data in " + data + ")");
        try (AuthServer server = AuthServer.start(config, tokens, Clock.systemUTC(), random, ProofKind.KEY_AGREEMENT)) {
            X509Certificate serverCert = server.serverCertificate();
            say("listening on " + server.address() + ", server key "
                    + KnownServers.fingerprint(serverCert.getPublicKey().getEncoded()));
            server.httpsAddress().ifPresent(a -> say("web page and REST API on https://localhost:" + a.getPort()
                    + "/ (same sessions and commands; docs/PROTOCOL.md section 10)"));
            Path known = data.resolve("client-known-servers");
            ServerTrust trust = firstContactPins(new KnownServers(known), server.address().toString());

            step("2. enrol a person, alice (the first admin) with the first-admin code, as every user enrols:"
                    + " key and envelope made on the client side");
            char[] passphrase = "correct horse battery staple".toCharArray();
            long t0 = System.nanoTime();
            String code = server.issueFirstAdminCode().orElseThrow(() -> new IllegalStateException(
                    "the data directory has an admin already: give --data a new one"));
            X509Certificate aliceCert = enrolPerson(server, "alice", code, passphrase.clone(), trust, random);
            say("enrolled in " + ms(t0) + " ms (envelope sealed with Argon2id, 64 MiB, t=3, on the client; the"
                    + " passphrase never reaches the server); certificate " + aliceCert.getSubjectX500Principal());

            step("3. alice logs in with her passphrase and sends encrypted commands");
            LoginCredential alicePass = (user, env) -> PassphraseEnvelope.builder().build()
                    .open(user, passphrase.clone(), env, user);
            exchange(server, "alice", alicePass, trust, true);

            if (serviceToken == null) {
                say("(service part skipped: run bin/demo, which prepares a SoftHSM2 token)");
            } else {
                step("4. enrol a service, svc-a, with an admin's enrolment code: key generated inside the SoftHSM2"
                        + " token, CSR signed there");
                String keyUri = enrolService(server, tokens, serviceToken, "svc-a", "login-key", trust);
                say("key URI " + keyUri.replaceAll("pin-source=[^&]*", "pin-source=…"));
                step("5. svc-a logs in with its token (the key never leaves it)");
                exchange(server, "svc-a", (user, env) -> tokens.open(keyUri), trust, false);
            }

            step("6. an unknown user gets a decoy envelope and fails like a wrong passphrase");
            try {
                OcaSession.login(server.address(), "mallory", alicePass, trust, new OcaSession.Options()).close();
                throw new IllegalStateException("an unknown user logged in");
            } catch (org.opencluster.auth.client.login.LoginException e) {
                say("refused: " + e.getMessage());
            }
            say("");
            say("DEMO OK: server, person and " + (serviceToken == null ? "no " : "") + "service logins, "
                    + "encrypted commands exchanged");
        }
    }

    /** A person enrols with {@code code} as every user does: the key and the envelope are made here. */
    private static X509Certificate enrolPerson(AuthServer server, String name, String code, char[] passphrase,
            ServerTrust trust, SecureRandom random) throws Exception {
        try (OcaSession enrolment = OcaSession.enrol(server.address(), name, code, trust, new OcaSession.Options())) {
            return Enroller.person(enrolment, name, passphrase, KeyType.EC_P256,
                    PassphraseEnvelope.builder().random(random).build(), random);
        } finally {
            Arrays.fill(passphrase, '\0');
        }
    }

    /**
     * A service enrols as its host would: an admin's enrolment code for it, the key generated inside its token, the
     * request signed there, and the issued chain stored back on the token.
     */
    private static String enrolService(AuthServer server, Pkcs11Tokens tokens, String tokenUri, String name,
            String keyLabel, ServerTrust trust) throws Exception {
        String code = server.issueEnrolmentCode(name, Account.Role.USER, Account.Kind.SERVICE);
        try (Pkcs11Connection conn = tokens.connect(tokenUri)) {
            Token key = conn.generateKeyPair(KeyType.EC_P256, keyLabel);
            X509Certificate cert;
            try (OcaSession enrolment = OcaSession.enrol(server.address(), name, code, trust,
                    new OcaSession.Options())) {
                cert = Enroller.tokenHolder(enrolment, name, key);
            }
            conn.storeCertificateChain(keyLabel, List.of(cert, server.caCertificate()));
            say("certificate " + cert.getSubjectX500Principal() + " issued by the cluster CA, stored on the token");
        }
        int q = tokenUri.indexOf('?');
        String path = q < 0 ? tokenUri : tokenUri.substring(0, q);
        String query = q < 0 ? "" : tokenUri.substring(q);
        return path + ";object=" + keyLabel + ";type=private" + query;
    }

    private static void exchange(AuthServer server, String user, LoginCredential credential, ServerTrust trust,
            boolean admin) throws Exception {
        long t0 = System.nanoTime();
        try (OcaSession s = OcaSession.login(server.address(), user, credential, trust, new OcaSession.Options())) {
            say("logged in as " + user + " in " + ms(t0) + " ms; suite " + s.suite().name() + ", session "
                    + HEX.formatHex(s.sessionId()) + ", server policy " + s.offeredPolicy());
            say("PING   -> " + names(s.exec(RispCommand.none(CoreCommands.PING.id()))));
            List<RispCommand> who = s.exec(RispCommand.none(CoreCommands.WHOAMI.id()));
            say("WHOAMI -> " + StandardCharsets.UTF_8.decode(who.get(0).bytes()));
            byte[] hello = ("hello from " + user + " over " + s.suite().name()).getBytes(StandardCharsets.UTF_8);
            List<RispCommand> echo = s.exec(RispCommand.string(CoreCommands.ECHO.id(), hello));
            say("ECHO   -> \"" + StandardCharsets.UTF_8.decode(echo.get(0).bytes()) + "\"");
            List<RispCommand> suites = s.exec(RispCommand.none(AdminCommands.SUITES_GET.id()));
            if (admin) {
                SuitePolicy p = SuitePolicy.parse(SuiteRegistry.standard(), suites.get(0).copyBytes());
                say("ADMIN_SUITES_GET -> " + p);
                say("live sessions on the server: " + server.sessions().size());
            } else {
                say("ADMIN_SUITES_GET -> ERROR 0x" + Long.toHexString(suites.get(0).number())
                        + " (forbidden: not an admin): " + StandardCharsets.UTF_8.decode(suites.get(1).bytes()));
            }
        }
    }

    /** SSH-like: the first contact pins the key (shown above); a different key later is refused. */
    private static ServerTrust firstContactPins(KnownServers known, String server) {
        return chain -> {
            byte[] spki = chain.get(0).getPublicKey().getEncoded();
            try {
                switch (known.check(server, spki)) {
                    case PINNED_MATCH:
                        return;
                    case UNKNOWN_SERVER:
                        known.pin(server, spki);
                        say("first contact with " + server + ": pinned " + KnownServers.fingerprint(spki));
                        return;
                    default:
                        throw new HandshakeException(HandshakeError.SERVER_KEY_CHANGED, "the key of " + server
                                + " CHANGED; refusing to continue");
                }
            } catch (java.io.IOException e) {
                throw new HandshakeException(HandshakeError.UNTRUSTED_SERVER_KEY, e.getMessage());
            }
        };
    }

    private static String names(List<RispCommand> replies) {
        return replies.stream().map(c -> c.id() == CoreCommands.PONG.id() ? "PONG" : c.toString())
                .reduce((a, b) -> a + " " + b).orElse("");
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static void step(String s) {
        System.out.println();
        System.out.println("== " + s);
    }

    private static void say(String s) {
        System.out.println("   " + s);
    }

}
