package org.opencluster.auth.bench.load;

import java.io.IOException;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The JSSE side of the comparison: a P-256 CA, a server and a client certificate (ECDSA P-256, made in-process
 * with Bouncy Castle), and TLS 1.3 contexts for mutual authentication with TLS_AES_256_GCM_SHA384 over X25519.
 * The trust managers count the certificate chains they verify, so a run can prove that every handshake was a full
 * one (a resumed TLS 1.3 handshake verifies no chain).
 */
final class JsseFixture {
    static final String PROTOCOL = "TLSv1.3";
    static final String SUITE = "TLS_AES_256_GCM_SHA384";
    /** Only for the bulk rows that compare our ChaCha20-Poly1305 suites with the same cipher in JSSE. */
    static final String CHACHA_SUITE = "TLS_CHACHA20_POLY1305_SHA256";
    private static final char[] STORE_PASSWORD = "bench".toCharArray();

    /** Must run before the first JSSE use in the JVM: JDK 17 has no API for the named groups. */
    static void configureJvm() {
        System.setProperty("jdk.tls.namedGroups", "x25519");
        // No stateless tickets; the client also drops every session after use (see clientSocket).
        System.setProperty("jdk.tls.server.enableSessionTicketExtension", "false");
        System.setProperty("jdk.tls.client.enableSessionTicketExtension", "false");
    }

    final KeyStore serverKeys;
    final KeyStore clientKeys;
    final KeyStore trust;
    final AtomicLong serverVerifiedChains = new AtomicLong();
    final AtomicLong clientVerifiedChains = new AtomicLong();
    final SSLContext server;
    final SSLContext client;
    private final javax.net.ssl.KeyManager[] clientKeyManagers;
    private final TrustManager[] clientTrustManagers;

    private JsseFixture(KeyStore serverKeys, KeyStore clientKeys, KeyStore trust) throws GeneralSecurityException {
        this.serverKeys = serverKeys;
        this.clientKeys = clientKeys;
        this.trust = trust;
        this.server = context(serverKeys, trust, serverVerifiedChains);
        this.client = context(clientKeys, trust, clientVerifiedChains);
        server.getServerSessionContext().setSessionCacheSize(1);
        client.getClientSessionContext().setSessionCacheSize(1);
        this.clientKeyManagers = keyManagers(clientKeys);
        this.clientTrustManagers = trustManagers(trust, clientVerifiedChains);
    }

    /**
     * A client context with an empty session cache, for one connection: nothing to resume, even when two client
     * threads race (a shared cache of size 1 let about 2 % of handshakes resume). The key and trust managers are
     * reused, so the cost is the context object alone.
     */
    SSLContext freshClient() throws GeneralSecurityException {
        SSLContext c = SSLContext.getInstance(PROTOCOL);
        c.init(clientKeyManagers, clientTrustManagers, RANDOM);
        return c;
    }

    static JsseFixture generate() throws Exception {
        SecureRandom random = new SecureRandom();
        KeyPair ca = p256(random);
        X509Certificate caCert = certificate("CN=bench TLS CA", ca, "CN=bench TLS CA", ca, true, random);
        KeyPair serverPair = p256(random);
        X509Certificate serverCert = certificate("CN=localhost", serverPair, "CN=bench TLS CA", ca, false, random);
        KeyPair clientPair = p256(random);
        X509Certificate clientCert = certificate("CN=bench-client", clientPair, "CN=bench TLS CA", ca, false, random);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", caCert);
        return new JsseFixture(keyStore(serverPair, serverCert, caCert), keyStore(clientPair, clientCert, caCert),
                trust);
    }

    /** The client half, for a child JVM: its key store and the trust store as PKCS#12 files. */
    void writeClientFiles(Path dir) throws Exception {
        try (var out = Files.newOutputStream(dir.resolve("tls-client.p12"))) {
            clientKeys.store(out, STORE_PASSWORD);
        }
        try (var out = Files.newOutputStream(dir.resolve("tls-trust.p12"))) {
            trust.store(out, STORE_PASSWORD);
        }
    }

    /** Loads the client files once; each call of the result is a fresh context (empty session cache). */
    static java.util.concurrent.Callable<SSLContext> clientContextsFrom(Path dir) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(dir.resolve("tls-client.p12"))) {
            keys.load(in, STORE_PASSWORD);
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(dir.resolve("tls-trust.p12"))) {
            trust.load(in, STORE_PASSWORD);
        }
        javax.net.ssl.KeyManager[] km = keyManagers(keys);
        TrustManager[] tm = trustManagers(trust, new AtomicLong());
        return () -> {
            SSLContext c = SSLContext.getInstance(PROTOCOL);
            c.init(km, tm, RANDOM);
            return c;
        };
    }

    /**
     * Applies the compared configuration: TLS 1.3 only, mutual authentication on the server. The server accepts
     * {@link #SUITE} and {@link #CHACHA_SUITE}; a client offers one, so it gets what it offers.
     */
    static void configure(SSLSocket s, boolean serverSide) {
        s.setEnabledProtocols(new String[] {PROTOCOL});
        if (serverSide) {
            s.setEnabledCipherSuites(new String[] {SUITE, CHACHA_SUITE});
            s.setNeedClientAuth(true);
        } else {
            s.setEnabledCipherSuites(new String[] {SUITE});
        }
    }

    static void configure(SSLEngine e, boolean serverSide) {
        SSLParameters p = e.getSSLParameters();
        p.setProtocols(new String[] {PROTOCOL});
        p.setCipherSuites(new String[] {SUITE});
        p.setNeedClientAuth(serverSide);
        e.setSSLParameters(p);
    }

    /** Connects with {@link #SUITE} and runs a full handshake. */
    static SSLSocket connect(SSLContext context, java.net.InetSocketAddress server) throws IOException {
        return connect(context, server, SUITE);
    }

    /** Connects offering only {@code suite}, runs a full handshake and checks that it was negotiated. */
    static SSLSocket connect(SSLContext context, java.net.InetSocketAddress server, String suite) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket();
        s.setTcpNoDelay(true);
        configure(s, false);
        s.setEnabledCipherSuites(new String[] {suite});
        s.connect(server, 10_000);
        s.startHandshake();
        String negotiated = s.getSession().getCipherSuite();
        if (!negotiated.equals(suite)) {
            s.close();
            throw new IOException("JSSE negotiated " + negotiated + " instead of " + suite);
        }
        return s;
    }

    /** Drops the session so that the next connection cannot resume it. */
    static void forget(SSLSocket s) {
        s.getSession().invalidate();
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private static SSLContext context(KeyStore keys, KeyStore trust, AtomicLong verified)
            throws GeneralSecurityException {
        SSLContext c = SSLContext.getInstance(PROTOCOL);
        c.init(keyManagers(keys), trustManagers(trust, verified), RANDOM);
        return c;
    }

    private static javax.net.ssl.KeyManager[] keyManagers(KeyStore keys) throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, STORE_PASSWORD);
        return kmf.getKeyManagers();
    }

    private static TrustManager[] trustManagers(KeyStore trust, AtomicLong verified) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        X509ExtendedTrustManager delegate = null;
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager) {
                delegate = (X509ExtendedTrustManager) tm;
            }
        }
        return new TrustManager[] {new Counting(delegate, verified)};
    }

    private static KeyStore keyStore(KeyPair pair, X509Certificate cert, X509Certificate ca) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("key", pair.getPrivate(), STORE_PASSWORD, new X509Certificate[] {cert, ca});
        return ks;
    }

    private static KeyPair p256(SecureRandom random) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), random);
        return g.generateKeyPair();
    }

    private static X509Certificate certificate(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys,
            boolean ca, SecureRandom random) throws Exception {
        Date from = new Date(System.currentTimeMillis() - 3_600_000L);
        Date to = new Date(System.currentTimeMillis() + 86_400_000L * 30);
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                new BigInteger(64, random), from, to, new X500Name(subject), subjectKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                : KeyUsage.digitalSignature));
        if (!ca) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                    new GeneralName(GeneralName.dNSName, "localhost")));
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    }

    /** Counts verified chains; everything else is the JDK's PKIX trust manager. */
    private static final class Counting extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager d;
        private final AtomicLong count;

        Counting(X509ExtendedTrustManager d, AtomicLong count) {
            this.d = d;
            this.count = count;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException {
            d.checkClientTrusted(c, a, s);
            count.incrementAndGet();
        }

        @Override
        public void checkServerTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException {
            d.checkServerTrusted(c, a, s);
            count.incrementAndGet();
        }

        @Override
        public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException {
            d.checkClientTrusted(c, a, e);
            count.incrementAndGet();
        }

        @Override
        public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException {
            d.checkServerTrusted(c, a, e);
            count.incrementAndGet();
        }

        @Override
        public void checkClientTrusted(X509Certificate[] c, String a) throws CertificateException {
            d.checkClientTrusted(c, a);
            count.incrementAndGet();
        }

        @Override
        public void checkServerTrusted(X509Certificate[] c, String a) throws CertificateException {
            d.checkServerTrusted(c, a);
            count.incrementAndGet();
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return d.getAcceptedIssuers();
        }
    }
}
