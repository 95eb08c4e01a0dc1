package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.server.AuthServer;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.ca.TlsCa;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.enrol.TokenContentSigner;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;
import org.opencluster.auth.token.software.SoftwareToken;

/**
 * Issue 13 item 9 (certificates): the HTTPS listener's certificate names every configured name in its
 * subjectAltName and is issued by a TLS CA whose name constraints permit those names only, so the CA operators
 * import into browsers cannot vouch for any other site, even for whoever copied its key; the cluster CA (people's
 * certificates, no constraints) is not in the HTTPS chain.
 */
class TlsCaTest {
    private static final List<String> NAMES = List.of("localhost", "127.0.0.1", "auth.example.test");

    @TempDir
    Path dir;
    private AuthServer server;
    private ServerConfig config;

    @BeforeEach
    void start() throws Exception {
        config = ServerConfig.builder().dataDir(dir.resolve("data")).listen(new InetSocketAddress("127.0.0.1", 0))
                .httpsListen(new InetSocketAddress("127.0.0.1", 0)).httpsNames(NAMES).build();
        server = AuthServer.start(config, Pkcs11Tokens.builder().build(), Clock.systemUTC(), new SecureRandom(),
                ProofKind.KEY_AGREEMENT);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private X509Certificate read(String file) throws Exception {
        try (InputStream in = Files.newInputStream(config.dataDir().resolve(file))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /** PKIX validation (the JDK's) of {@code leaf} and the TLS CA under the TLS root as the only trust anchor. */
    private static void validate(X509Certificate leaf, X509Certificate tlsCa, X509Certificate root)
            throws Exception {
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(
                CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf, tlsCa)), params);
    }

    @Test
    void theTlsCaNameConstraintsRejectACertificateForAnotherSiteEvenSignedWithItsOwnKey() throws Exception {
        X509Certificate root = read("tls-root.crt");
        X509Certificate tlsCa = read("tls-ca.crt");
        X509Certificate https = read("https.crt");
        for (X509Certificate ca : List.of(root, tlsCa)) {
            assertTrue(ca.getBasicConstraints() >= 0 && ca.getCriticalExtensionOIDs().contains("2.5.29.30"),
                    "a CA certificate with critical name constraints: " + ca.getSubjectX500Principal());
        }
        assertEquals(List.of("tls-ca.crt", "https.crt"), Files.list(config.dataDir()).map(p -> p.getFileName()
                .toString()).filter(n -> n.startsWith("tls-ca") || n.startsWith("https")).sorted(
                        java.util.Comparator.reverseOrder()).filter(n -> n.endsWith(".crt")).toList());
        assertTrue(Files.list(config.dataDir()).noneMatch(p -> p.getFileName().toString().startsWith("tls-root")
                && !p.getFileName().toString().equals("tls-root.crt")), "the TLS root's key is never stored");
        validate(https, tlsCa, root);
        assertEquals(NAMES, TlsCa.altNames(https));

        // Whoever copied the data directory holds the TLS CA's key and signs for www.bank.example with it.
        byte[] pkcs8 = Files.readAllBytes(config.dataDir().resolve("tls-ca-key.pk8"));
        X509Certificate bank;
        try (SoftwareToken key = SoftwareToken.fromPkcs8("stolen", pkcs8, List.of())) {
            bank = TlsCa.issueHttps(tlsCa, new TokenContentSigner(key, SignatureScheme.ECDSA_P256_SHA256),
                    server.serverCertificate().getPublicKey(), List.of("www.bank.example"), Duration.ofDays(30),
                    Clock.systemUTC(), new SecureRandom());
        }
        bank.verify(tlsCa.getPublicKey()); // a properly signed certificate: only the name constraints refuse it
        CertPathValidatorException e = assertThrows(CertPathValidatorException.class,
                () -> validate(bank, tlsCa, root));
        assertTrue(String.valueOf(e.getMessage()).toLowerCase().contains("name"), e.getMessage());
    }

    /** A client whose only trusted authority is {@code ca} (as a browser with it imported). */
    private SSLContext trustingOnly(X509Certificate ca) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("tls-ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
        return ctx;
    }

    /** A TLS handshake to the HTTPS listener as a client that asked for {@code name} (SNI, host-name check). */
    private void handshakeAs(SSLContext ctx, String name) throws Exception {
        InetSocketAddress at = server.httpsAddress().orElseThrow();
        try (Socket plain = new Socket()) {
            plain.connect(at, 10_000);
            plain.setSoTimeout(10_000);
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, name, at.getPort(), false)) {
                SSLParameters p = s.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                s.setSSLParameters(p);
                s.startHandshake();
            }
        }
    }

    @Test
    void aClientTrustingOnlyTheTlsCaConnectsForEveryConfiguredNameAndNoOther() throws Exception {
        SSLContext onlyTlsCa = trustingOnly(read("tls-root.crt"));
        for (String name : NAMES) {
            handshakeAs(onlyTlsCa, name);
        }
        assertThrows(SSLHandshakeException.class, () -> handshakeAs(onlyTlsCa, "www.bank.example"));
        assertThrows(SSLHandshakeException.class, () -> handshakeAs(trustingOnly(read("ca.crt")), "localhost"),
                "the cluster CA does not vouch for the HTTPS listener");

        HttpClient client = HttpClient.newBuilder().sslContext(onlyTlsCa).connectTimeout(Duration.ofSeconds(10))
                .build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://localhost:"
                + server.httpsAddress().orElseThrow().getPort() + "/api/v1/openapi.json"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertFalse(r.body().isEmpty());
    }
}
