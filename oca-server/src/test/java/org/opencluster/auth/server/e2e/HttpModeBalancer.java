package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * HAProxy in HTTP mode in front of the cluster's HTTPS listeners, run from the README's "Routing REST by session
 * id" sample (frontend and backend, with the test's addresses and files put in): HAProxy ends TLS with a certificate
 * of its own, made here, and speaks TLS to the nodes, verified with their TLS root. Every request HAProxy answers is
 * logged (a line the test adds to the frontend) with the server it went to, its status, method, path and the
 * {@code Location} it got back, so a test sees where each request of each REST session went.
 */
final class HttpModeBalancer implements AutoCloseable {
    private static final String HAPROXY = "/usr/sbin/haproxy";
    private static final String README_MARK = "**Routing REST by session id**";
    /** What the test adds after the frontend's bind line: one log line per request (HAProxy 2.6 log variables). */
    private static final String ROUTE_LOG = "    capture response header Location len 64\n"
            + "    log-format \"oca-route %s %ST %HM %HP %hs\"\n";
    private static final Pattern ROUTE = Pattern.compile(
            "oca-route (\\S+) (\\d+) (\\S+) (\\S+) \\{([^}]*)\\}");
    private static final Pattern SESSION = Pattern.compile("^/api/v1/sessions/([A-Za-z0-9_-]{22})");

    /** One request as HAProxy logged it: the server it went to, its status and the session it belongs to. */
    record Route(String server, int status, String method, String path, String session) {
    }

    private final Process process;
    private final Path log;
    private final InetSocketAddress address;
    private final X509Certificate certificate;

    private HttpModeBalancer(Process process, Path log, InetSocketAddress address, X509Certificate certificate) {
        this.process = process;
        this.log = log;
        this.address = address;
        this.certificate = certificate;
    }

    /** The README's HTTP-mode sample (frontend and backend), as it stands. */
    static String readmeSample() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        int at = readme.indexOf(README_MARK);
        assertTrue(at > 0, "the README's session-id routing is gone");
        int start = readme.indexOf("```\n", at) + 4;
        return readme.substring(start, readme.indexOf("```\n", start));
    }

    /**
     * Starts HAProxy on {@code sample} (the README's, or a variant of it) with the README's TCP sample's
     * {@code defaults}, listening on a free loopback port, the nodes' HTTPS ports for {@code 10.0.0.N:8443} and the
     * nodes' TLS root (DER, as a node keeps it) converted to the PEM file the sample names.
     */
    static HttpModeBalancer start(Path dir, String name, String sample, Path tlsRootDer, List<Integer> httpsPorts)
            throws Exception {
        Path root = dir.resolve(name + "-tls-root.pem");
        Files.writeString(root, pem("CERTIFICATE", Files.readAllBytes(tlsRootDer)));
        KeyPair key = ecKey();
        X509Certificate cert = selfSigned(key);
        Path crt = dir.resolve(name + ".pem");
        Files.writeString(crt, pem("CERTIFICATE", cert.getEncoded())
                + pem("PRIVATE KEY", key.getPrivate().getEncoded()));
        int port = LoadBalancedClusterTest.freePort();
        String tcpSample = LoadBalancedClusterTest.readmeHaproxySample();
        String defaults = LoadBalancedClusterTest.fromBalancerSource(tcpSample.substring(0,
                tcpSample.indexOf("frontend ")));
        String http = sample.replace("bind :443 ssl crt /etc/oca/haproxy.pem", "bind 127.0.0.1:" + port
                + " ssl crt " + crt + "\n" + ROUTE_LOG).replace("/etc/oca/tls-root.pem", root.toString());
        for (int n = 1; n <= httpsPorts.size(); n++) {
            http = http.replace("10.0.0." + n + ":8443", "127.0.0.1:" + httpsPorts.get(n - 1));
        }
        assertTrue(http.contains(ROUTE_LOG) && http.contains(root.toString()) && !http.contains("10.0.0."),
                "the README's HTTP-mode sample no longer has the bind, ca-file and servers this test fills in:\n"
                        + sample);
        Path cfg = dir.resolve(name + ".cfg");
        Files.writeString(cfg, "global\n    maxconn 4000\n    log stdout format raw local0\n" + defaults
                + "    log global\n" + http);
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder(HAPROXY, "-db", "-f", cfg.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        HttpModeBalancer b = new HttpModeBalancer(p, log, new InetSocketAddress("127.0.0.1", port), cert);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!LoadBalancedClusterTest.accepts(b.address)) {
            if (System.nanoTime() > until || !p.isAlive()) {
                b.close();
                throw new AssertionError("HAProxy did not listen: " + b.output());
            }
            Thread.sleep(50);
        }
        return b;
    }

    InetSocketAddress address() {
        return address;
    }

    /** HAProxy's own certificate, the one its clients see (and the test's REST client trusts, alone). */
    X509Certificate certificate() {
        return certificate;
    }

    /** Every request logged so far, in order. */
    List<Route> routes() throws IOException {
        List<Route> out = new ArrayList<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            Matcher m = ROUTE.matcher(line);
            if (m.find()) {
                Matcher path = SESSION.matcher(m.group(4));
                Matcher location = SESSION.matcher(m.group(5));
                String session = path.find() ? path.group(1) : location.find() ? location.group(1) : null;
                out.add(new Route(m.group(1), Integer.parseInt(m.group(2)), m.group(3), m.group(4), session));
            }
        }
        return out;
    }

    /** The routes once HAProxy has logged at least {@code count} requests (it logs each as it ends); 10 s at most. */
    List<Route> routes(int count) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<Route> r = routes();
        while (r.size() < count && System.nanoTime() < until) {
            Thread.sleep(50);
            r = routes();
        }
        assertTrue(r.size() >= count, "HAProxy logged " + r.size() + " requests, expected " + count + ":\n"
                + output());
        return r;
    }

    /** Waits (10 s at most) until HAProxy has taken {@code server} out after a failed health check. */
    void awaitDown(String server) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!output().contains("https_nodes/" + server + " is DOWN")) {
            assertTrue(System.nanoTime() < until, "HAProxy did not take " + server + " out:\n" + output());
            Thread.sleep(50);
        }
    }

    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(HAProxy's output unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    private static KeyPair ecKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** A certificate for the public name (here localhost), as an operator gets one for HAProxy's {@code ssl crt}. */
    private static X509Certificate selfSigned(KeyPair key) throws Exception {
        long now = System.currentTimeMillis();
        X500Name name = new X500Name("CN=localhost");
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                BigInteger.valueOf(now), new Date(now - 60_000), new Date(now + 86_400_000L), name, key.getPublic())
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost")}))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
