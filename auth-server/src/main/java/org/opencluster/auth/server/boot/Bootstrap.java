package org.opencluster.auth.server.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.opencluster.auth.server.ca.ClusterCa;
import org.opencluster.auth.server.ca.TlsCa;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.login.EnrolmentCodeKey;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.store.AccountStore;
import org.opencluster.auth.server.store.EnrolmentCode;
import org.opencluster.auth.server.store.JdbcAccountStore;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.enrol.TokenContentSigner;

/**
 * {@code init} on the server host: creates what a fresh server needs, idempotently. Keys are generated only where
 * they are missing key files (token keys are made with the token's tools); certificates are public and live in the
 * data directory; the decoy secret (for unknown-username answers) and the OPRF seed are 32-byte owner-only files,
 * sealed by the server key's token when it is in one ({@link ServerSecrets}). While the cluster
 * has no admin, {@code oca-server init} then asks {@link #issueFirstAdminCode} for the first admin's one-time code.
 */
public final class Bootstrap {
    /** Purpose recorded with the first admin's enrolment code. */
    public static final String BOOTSTRAP_ADMIN = EnrolmentCode.BOOTSTRAP_ADMIN;
    /** How long the first admin's enrolment code stays valid. */
    public static final Duration ENROLMENT_CODE_LIFETIME = Duration.ofHours(1);

    private final ServerConfig config;
    private final ServerKeys keys;
    private final Clock clock;
    private final SecureRandom random;

    /**
     * What {@link #init} made or found.
     *
     * @param httpsChain the HTTPS listener's certificate for the server key and the TLS CA's certificate
     */
    public record Result(X509Certificate caCertificate, X509Certificate serverCertificate,
            java.util.List<X509Certificate> httpsChain) {
    }

    /** Validity of the TLS CA certificate, and of the HTTPS certificate (renewed at start 30 days before it ends). */
    static final Duration TLS_CA_VALIDITY = Duration.ofDays(3650);
    static final Duration HTTPS_VALIDITY = Duration.ofDays(397);
    private static final Duration HTTPS_RENEWAL = Duration.ofDays(30);

    /** A first-admin enrolment code, to be shown once (the store keeps only its verifier). */
    public record FirstAdminCode(String code, Instant expires) {
    }

    public Bootstrap(ServerConfig config, ServerKeys keys, Clock clock, SecureRandom random) {
        this.config = config;
        this.keys = keys;
        this.clock = clock;
        this.random = random;
    }

    public static Path caCertificateFile(ServerConfig c) {
        return c.dataDir().resolve("ca.crt");
    }

    public static Path serverCertificateFile(ServerConfig c) {
        return c.dataDir().resolve("server.crt");
    }

    /** The TLS root's certificate: the one certificate operators import into browsers. */
    public static Path tlsRootCertificateFile(ServerConfig c) {
        return c.dataDir().resolve("tls-root.crt");
    }

    /** The TLS CA's certificate (below the TLS root; served in the HTTPS chain). */
    public static Path tlsCaCertificateFile(ServerConfig c) {
        return c.dataDir().resolve("tls-ca.crt");
    }

    /** The HTTPS listener's certificate (names: {@code https.names}), issued by the TLS CA. */
    public static Path httpsCertificateFile(ServerConfig c) {
        return c.dataDir().resolve("https.crt");
    }

    public static Path decoySecretFile(ServerConfig c) {
        return c.dataDir().resolve("decoy.secret");
    }

    /**
     * Prepares the data directory (created owner-only, or checked to be so) and opens the store: the directory must
     * have its mode before the embedded database creates its files in it, and those files get 0600 once they exist.
     */
    public static JdbcAccountStore openStore(ServerConfig config) throws IOException {
        DataDirectory.prepare(config.dataDir());
        DataDirectory.checkWritable(config.dataDir());
        JdbcAccountStore store = JdbcAccountStore.open(config.dbUrl(), config.dbUser(), config.dbPassword(),
                config.dbTimeouts());
        try {
            DataDirectory.restrictFiles(config.dataDir());
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    /**
     * The OPRF seed of passphrase logins (docs/PROTOCOL.md 5.5.6): 32 random bytes, owner-only like the decoy
     * secret, and the same on every node of a cluster (copy it with decoy.secret). Whoever has it and a stored
     * registration record can guess passphrases offline; without it a record and an envelope are worthless.
     */
    public static Path oprfSecretFile(ServerConfig c) {
        return c.dataDir().resolve("oprf.secret");
    }

    /**
     * The OPRF step as configured: the seed from {@link #oprfSecretFile}, as {@code secrets} read it (missing: run
     * {@code init}, which creates it in a data directory made before it existed).
     */
    public static org.opencluster.auth.server.login.OprfLogins readOprfLogins(ServerConfig c, ServerSecrets secrets,
            java.security.SecureRandom random) throws IOException {
        byte[] seed = secrets.oprfSecret().orElseThrow(() -> new IOException(oprfSecretFile(c) + " is missing: run"
                + " init (it creates the OPRF seed) and copy the file to every node of the cluster, as decoy.secret"));
        try {
            return org.opencluster.auth.server.login.OprfLogins.fromSeed(seed, c.requireOprf(), random);
        } finally {
            java.util.Arrays.fill(seed, (byte) 0);
        }
    }

    /**
     * The decoy secret of a data directory whose secrets are plain files (server.key a key file), after checking
     * that no one but the owner can read its file; a sealed one is read with {@link ServerSecrets#read}.
     */
    public static byte[] readDecoySecret(ServerConfig c) throws IOException {
        return ServerSecrets.readPlain(decoySecretFile(c));
    }

    public Result init(AccountStore store) throws IOException, TokenException {
        DataDirectory.prepare(config.dataDir());
        for (String spec : new String[] {config.caKey(), config.serverKey()}) {
            if (ServerKeys.missingKeyFile(spec)) {
                ServerKeys.generate(spec, random);
            }
        }
        X509Certificate caCert;
        Path caFile = caCertificateFile(config);
        try (Token caKey = keys.open("cluster-ca", config.caKey())) {
            TokenContentSigner signer = new TokenContentSigner(caKey, SignatureScheme.ECDSA_P256_SHA256);
            if (Files.exists(caFile)) {
                caCert = ServerKeys.readCertificate(caFile);
            } else {
                caCert = ClusterCa.selfSign("OpenCluster", caKey.publicKey(), signer, Duration.ofDays(3650), clock,
                        random);
                write(caFile, caCert);
            }
            Path serverFile = serverCertificateFile(config);
            X509Certificate serverCert;
            java.util.List<X509Certificate> httpsChain;
            // The server key may live in a token (server.key = pkcs11:...): then nothing is generated here and the
            // certificate is issued for the public key the token reports.
            try (Token serverKey = keys.open("server", config.serverKey())) {
                if (Files.exists(serverFile)) {
                    serverCert = ServerKeys.readCertificate(serverFile);
                    if (!java.security.MessageDigest.isEqual(serverCert.getPublicKey().getEncoded(),
                            serverKey.publicKey().getEncoded())) {
                        // Fail here, not at every client: a server signing with a key its certificate does not name
                        // would be refused by each client as a changed or forged server key.
                        throw new IOException(serverFile + " certifies another key than server.key ("
                                + config.serverKey() + "); if the key was replaced on purpose, delete " + serverFile
                                + " and run init again (clients that pinned the old key will refuse the new one)");
                    }
                } else {
                    serverCert = new ClusterCa(caCert, signer, clock, random).issue(
                            config.listen().getHostString(), ClusterCa.Subject.SERVER, serverKey.publicKey(),
                            Duration.ofDays(825));
                    write(serverFile, serverCert);
                }
                httpsChain = httpsChain(serverKey.publicKey());
            }
            // Plain owner-only files, or sealed by the server key's token when server.key is pkcs11: (ServerSecrets).
            ServerSecrets.createMissing(config, keys, random);
            DataDirectory.restrictFiles(config.dataDir());
            return new Result(caCert, serverCert, httpsChain);
        }
    }

    /**
     * While the cluster has no admin, issues a new first-admin code (any name, role admin, a person), valid for
     * {@link #ENROLMENT_CODE_LIFETIME}, and ends every earlier one: only the code shown last works. Only
     * {@code oca-server init} calls this; a running server never issues one by itself. Empty once an admin exists.
     */
    public static Optional<FirstAdminCode> issueFirstAdminCode(AccountStore store, EnrolmentCodeKey codes,
            Clock clock) {
        if (store.countAdmins() > 0) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        store.revokeEnrolmentCodes(BOOTSTRAP_ADMIN, now);
        Instant expires = now.plus(ENROLMENT_CODE_LIFETIME);
        return Optional.of(new FirstAdminCode(codes.issue(store, BOOTSTRAP_ADMIN, Optional.empty(),
                Account.Role.ADMIN, Account.Kind.PERSON, expires), expires));
    }

    /**
     * The TLS root and CA (name-constrained to {@code https.names}) and the HTTPS certificate the CA issues for the
     * server key: made when missing, made again when the names or a key changed, and the HTTPS certificate also
     * when it ends within 30 days. A new TLS root must be imported again where the old one was.
     */
    private java.util.List<X509Certificate> httpsChain(java.security.PublicKey serverKey)
            throws IOException, TokenException {
        java.util.List<String> names = config.httpsNames();
        String keySpec = config.tlsCaKey();
        if (ServerKeys.missingKeyFile(keySpec)) {
            ServerKeys.generate(keySpec, random);
        }
        Path rootFile = tlsRootCertificateFile(config);
        Path caFile = tlsCaCertificateFile(config);
        Path httpsFile = httpsCertificateFile(config);
        try (Token tlsCaKey = keys.open("tls-ca", keySpec)) {
            X509Certificate root = Files.exists(rootFile) ? ServerKeys.readCertificate(rootFile) : null;
            X509Certificate tlsCa = Files.exists(caFile) ? ServerKeys.readCertificate(caFile) : null;
            X509Certificate https = Files.exists(httpsFile) ? ServerKeys.readCertificate(httpsFile) : null;
            // A node that joined a cluster (ClusterJoin) has the cluster's TLS root and CA but no HTTPS certificate
            // yet: it keeps them (one root for every node behind the balancer) and issues its own certificate.
            boolean caCurrent = root != null && tlsCa != null && sameKey(tlsCa.getPublicKey(), tlsCaKey.publicKey())
                    && TlsCa.constrainedTo(root, names) && TlsCa.constrainedTo(tlsCa, names);
            if (!caCurrent) {
                TlsCa.Authorities made = TlsCa.create(names, tlsCaKey.publicKey(), TLS_CA_VALIDITY, clock, random);
                root = made.root();
                tlsCa = made.tlsCa();
                write(rootFile, root);
                write(caFile, tlsCa);
            }
            if (!caCurrent || https == null || !TlsCa.altNames(https).equals(names)
                    || !sameKey(https.getPublicKey(), serverKey)
                    || https.getNotAfter().toInstant().isBefore(clock.instant().plus(HTTPS_RENEWAL))) {
                TokenContentSigner signer = new TokenContentSigner(tlsCaKey,
                        tlsCaKey.signatureSchemes().iterator().next());
                https = TlsCa.issueHttps(tlsCa, signer, serverKey, names, HTTPS_VALIDITY, clock, random);
                write(httpsFile, https);
            }
            return java.util.List.of(https, tlsCa);
        }
    }

    private static boolean sameKey(java.security.PublicKey a, java.security.PublicKey b) {
        return java.security.MessageDigest.isEqual(a.getEncoded(), b.getEncoded());
    }

    private static void write(Path file, X509Certificate cert) throws IOException {
        try {
            Files.write(file, cert.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IOException("cannot encode " + file, e);
        }
    }
}
