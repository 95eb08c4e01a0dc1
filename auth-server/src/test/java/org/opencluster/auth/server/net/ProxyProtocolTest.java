package org.opencluster.auth.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispEncoder;
import org.opencluster.auth.server.ca.ClusterCa;
import org.opencluster.auth.server.limit.TrustedProxies;
import org.opencluster.auth.server.rest.RestServer;

/**
 * {@code proxy.trusted}: a trusted balancer's connection starts with a PROXY header (v2, or v1) whose source is the
 * connection's source; a trusted peer without a valid header is closed; an untrusted peer's PROXY header is just
 * bytes of the protocol (garbage), never a source. On the TCP listener (the source the connection logic is given)
 * and on the HTTPS one (the per-source connection cap counts the header's source; TLS follows the header).
 * The trusted peer is 127.0.0.1 and the untrusted one 127.0.0.2 (Linux routes all of 127/8 locally).
 */
class ProxyProtocolTest {
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54,
        0x0A};
    private static final TrustedProxies LOOPBACK_ONE = TrustedProxies.parse("127.0.0.1/32, ::1");
    private static final InetAddress UNTRUSTED = loopback(2);

    private RispServer risp;
    private RestServer https;
    private final BlockingQueue<String> sources = new LinkedBlockingQueue<>();
    private final List<String> rejections = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (risp != null) {
            risp.close();
        }
        if (https != null) {
            https.close();
        }
    }

    private static InetAddress loopback(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A TCP listener whose connections echo and report the source they were opened for. */
    private void startRisp(Duration handshake) throws InterruptedException {
        risp = RispServer.builder(source -> {
            sources.add(source);
            return new Connection() {
                @Override
                public void onCommand(RispCommand command, Outbound out) {
                    out.send(command);
                }
            };
        }).strictUntilLogin(false).trustedProxies(LOOPBACK_ONE).handshakeTimeout(handshake)
                .rejections(rejections::add).bind(new InetSocketAddress("0.0.0.0", 0)).start();
    }

    private InetSocketAddress rispAt() {
        return new InetSocketAddress("127.0.0.1", risp.address().getPort());
    }

    private static Socket connect(InetAddress from, InetSocketAddress to) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(to, 2000);
        s.setSoTimeout(5000);
        return s;
    }

    /** A v2 PROXY header, TCP over IPv4 or IPv6, from {@code source}:{@code port}, with {@code tlv} bytes after. */
    static byte[] v2(InetAddress source, int port, int tlvBytes) {
        boolean v6 = source.getAddress().length == 16;
        int addresses = v6 ? 36 : 12;
        ByteBuffer b = ByteBuffer.allocate(16 + addresses + tlvBytes);
        b.put(V2_SIGNATURE).put((byte) 0x21).put((byte) (v6 ? 0x21 : 0x11)).putShort((short) (addresses + tlvBytes));
        b.put(source.getAddress()).put(v6 ? new byte[16] : new byte[] {127, 0, 0, 1});
        b.putShort((short) port).putShort((short) 4700);
        if (tlvBytes > 0) {
            // one NOOP TLV filling the rest
            b.put((byte) 0x04).putShort((short) (tlvBytes - 3)).put(new byte[tlvBytes - 3]);
        }
        return b.array();
    }

    /** The v2 LOCAL command (a balancer's own connection, e.g. a health check): no addresses. */
    static byte[] v2Local() {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.put(V2_SIGNATURE).put((byte) 0x20).put((byte) 0x00).putShort((short) 0);
        return b.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Reads until the peer closes; true when it closed within the socket's timeout. */
    private static boolean closedByPeer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[256];
        try {
            while (true) {
                if (in.read(buf) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private static RispCommand echoed(Socket s) throws IOException {
        return RispServerTest.read(s, 1).get(0);
    }

    @Test
    void trustedPeersV2HeaderNamesTheSourceAndTheBytesAfterItAreRisp() throws Exception {
        startRisp(Duration.ofSeconds(5));
        InetAddress client = InetAddress.getByName("203.0.113.7");
        try (Socket s = connect(loopback(1), rispAt())) {
            // header and the first command in one write: the bytes after the header reach the RISP decoder
            s.getOutputStream().write(concat(v2(client, 50123, 0), RispEncoder.toBytes(RispCommand.none(0x7101))));
            assertEquals(0x7101, echoed(s).id());
        }
        assertEquals("203.0.113.7", sources.poll(5, TimeUnit.SECONDS));
        InetAddress v6 = InetAddress.getByName("2001:db8::1");
        try (Socket s = connect(loopback(1), rispAt())) {
            s.getOutputStream().write(v2(v6, 1, 0));
            s.getOutputStream().flush();
            Thread.sleep(50); // the command in a later read
            s.getOutputStream().write(RispEncoder.toBytes(RispCommand.none(0x7102)));
            assertEquals(0x7102, echoed(s).id());
        }
        assertEquals(new org.opencluster.auth.server.limit.SourcePrefix(32, 64).key(v6), sources.poll(5,
                TimeUnit.SECONDS));
        assertEquals(List.of(), rejections);
    }

    @Test
    void v1TextHeaderAndLocalCommand() throws Exception {
        startRisp(Duration.ofSeconds(5));
        try (Socket s = connect(loopback(1), rispAt())) {
            s.getOutputStream().write(concat("PROXY TCP4 198.51.100.9 127.0.0.1 40000 4700\r\n"
                    .getBytes(StandardCharsets.US_ASCII), RispEncoder.toBytes(RispCommand.none(0x7101))));
            assertEquals(0x7101, echoed(s).id());
        }
        assertEquals("198.51.100.9", sources.poll(5, TimeUnit.SECONDS));
        // LOCAL: the balancer's own connection, served with its own address
        try (Socket s = connect(loopback(1), rispAt())) {
            s.getOutputStream().write(concat(v2Local(), RispEncoder.toBytes(RispCommand.none(0x7101))));
            assertEquals(0x7101, echoed(s).id());
        }
        assertEquals("127.0.0.1", sources.poll(5, TimeUnit.SECONDS));
    }

    @Test
    void trustedPeerWithoutHeaderIsClosed() throws Exception {
        startRisp(Duration.ofMillis(500));
        // RISP bytes instead of a header: invalid, closed at once
        try (Socket s = connect(loopback(1), rispAt())) {
            for (int i = 0; i < 100; i++) { // more than a v1 line's 108 bytes, no CRLF
                s.getOutputStream().write(RispEncoder.toBytes(RispCommand.none(0x7101)));
            }
            assertTrue(closedByPeer(s), "a trusted peer's connection without a PROXY header stays open");
        }
        // nothing at all: closed at the handshake deadline
        long start = System.nanoTime();
        try (Socket s = connect(loopback(1), rispAt())) {
            assertTrue(closedByPeer(s), "a silent trusted peer is not closed");
        }
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(took >= 400 && took < 4000, "closed after " + took + " ms");
        assertTrue(sources.isEmpty(), "a connection was opened: " + sources);
        waitFor(() -> rejections.equals(List.of("proxy_header_invalid", "proxy_header_timeout")));
        // a connect and close without a byte (a health check) is neither counted nor opened
        connect(loopback(1), rispAt()).close();
        Thread.sleep(200);
        assertEquals(List.of("proxy_header_invalid", "proxy_header_timeout"), rejections);
    }

    @Test
    void oversizeAndMalformedHeadersAreClosed() throws Exception {
        startRisp(Duration.ofSeconds(5));
        byte[] oversize = v2(InetAddress.getByName("203.0.113.7"), 1, ProxyProtocol.MAX_HEADER_BYTES);
        byte[] badVersion = v2(InetAddress.getByName("203.0.113.7"), 1, 0);
        badVersion[12] = 0x31; // version 3
        byte[] longLine = ("PROXY TCP4 " + "1".repeat(200) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] badV1 = "PROXY TCP4 not.an.address 127.0.0.1 1 2\r\n".getBytes(StandardCharsets.US_ASCII);
        for (byte[] header : List.of(oversize, badVersion, longLine, badV1)) {
            try (Socket s = connect(loopback(1), rispAt())) {
                s.getOutputStream().write(concat(header, RispEncoder.toBytes(RispCommand.none(0x7101))));
                assertTrue(closedByPeer(s), "not closed after " + header.length + " header bytes");
            }
        }
        assertTrue(sources.isEmpty(), "a connection was opened: " + sources);
        waitFor(() -> rejections.size() == 4);
        assertTrue(rejections.stream().allMatch("proxy_header_invalid"::equals), rejections.toString());
    }

    @Test
    void untrustedPeersProxyHeaderIsGarbageNotASource() throws Exception {
        startRisp(Duration.ofSeconds(1));
        try (Socket s = connect(UNTRUSTED, rispAt())) {
            s.getOutputStream().write(concat(v2(InetAddress.getByName("203.0.113.7"), 1, 0),
                    RispEncoder.toBytes(RispCommand.none(0x7101))));
            // The connection was opened for the peer's own address and the header's bytes went to RISP.
            assertEquals("127.0.0.2", sources.poll(5, TimeUnit.SECONDS));
            List<RispCommand> got = readUntilClosed(s);
            assertFalse(got.stream().anyMatch(c -> c.id() == 0x7101), "the command after the header was run: " + got);
        }
        // ... and its RISP bytes are served as RISP, without a header
        try (Socket s = connect(UNTRUSTED, rispAt())) {
            s.getOutputStream().write(RispEncoder.toBytes(RispCommand.none(0x7103)));
            assertEquals(0x7103, echoed(s).id());
        }
        assertEquals("127.0.0.2", sources.poll(5, TimeUnit.SECONDS));
    }

    private static List<RispCommand> readUntilClosed(Socket s) throws IOException {
        try {
            return RispServerTest.read(s, Integer.MAX_VALUE);
        } catch (IOException e) {
            return List.of();
        }
    }

    // ---- HTTPS ----

    private void startHttps(int perSource) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair k = g.generateKeyPair();
        X509Certificate cert = ClusterCa.selfSign("proxy-test", k.getPublic(),
                new JcaContentSignerBuilder("SHA256withECDSA").build(k.getPrivate()), Duration.ofDays(1),
                Clock.systemUTC(), new SecureRandom());
        https = RestServer.builder(source -> {
            throw new AssertionError("no session in this test");
        }, k.getPrivate(), List.of(cert)).bind(new InetSocketAddress("0.0.0.0", 0)).trustedProxies(LOOPBACK_ONE)
                .connectionsPerSource(perSource).handshakeTimeout(Duration.ofSeconds(2)).rejections(rejections::add)
                .start();
    }

    private InetSocketAddress httpsAt() {
        return new InetSocketAddress("127.0.0.1", https.address().getPort());
    }

    /** TLS over {@code s} after whatever was written on it; the TLS handshake's outcome. */
    private static SSLSocket tls(Socket s) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, new SecureRandom());
        SSLSocket t = (SSLSocket) ctx.getSocketFactory().createSocket(s, "localhost", s.getPort(), true);
        t.setSoTimeout(5000);
        t.startHandshake();
        return t;
    }

    @Test
    void httpsTrustedHeaderIsTheSourceOfThePerSourceCap() throws Exception {
        startHttps(1);
        InetAddress a = InetAddress.getByName("203.0.113.7");
        try (Socket first = connect(loopback(1), httpsAt())) {
            first.getOutputStream().write(v2(a, 1, 0));
            SSLSocket t1 = tls(first); // the TLS handshake runs after the header
            assertTrue(t1.getSession().isValid());
            // a second connection of the same client (per the header) is over the cap of 1...
            try (Socket second = connect(loopback(1), httpsAt())) {
                second.getOutputStream().write(v2(a, 2, 0));
                assertThrows(IOException.class, () -> tls(second));
            }
            // ... one of another client, through the same balancer, is not
            try (Socket third = connect(loopback(1), httpsAt())) {
                third.getOutputStream().write(v2(InetAddress.getByName("203.0.113.8"), 3, 0));
                assertTrue(tls(third).getSession().isValid());
            }
        }
        waitFor(() -> rejections.equals(List.of("https_source_connection_cap")));
    }

    @Test
    void httpsTrustedPeerWithoutHeaderAndUntrustedPeerWithOne() throws Exception {
        startHttps(8);
        // a trusted peer's TLS hello where the header should be: closed, counted
        try (Socket s = connect(loopback(1), httpsAt())) {
            assertThrows(IOException.class, () -> tls(s));
        }
        // an untrusted peer's PROXY header is bytes of TLS: the handshake fails, nothing is taken as a source
        try (Socket s = connect(UNTRUSTED, httpsAt())) {
            s.getOutputStream().write(v2(InetAddress.getByName("203.0.113.7"), 1, 0));
            assertThrows(IOException.class, () -> tls(s));
        }
        // while its plain TLS works
        try (Socket s = connect(UNTRUSTED, httpsAt())) {
            assertTrue(tls(s).getSession().isValid());
        }
        waitFor(() -> rejections.equals(List.of("proxy_header_invalid")));
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < until, "condition not met within 5 s");
            Thread.sleep(20);
        }
    }
}
