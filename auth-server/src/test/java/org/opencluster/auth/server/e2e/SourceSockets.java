package org.opencluster.auth.server.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Sockets from a chosen loopback address (127.0.0.2, 127.0.0.3, ...), so a test can be several sources: plain TCP,
 * TLS pinned to the server's key, and a minimal HTTP/1.1 exchange over it. Every read has a timeout.
 */
final class SourceSockets {
    private SourceSockets() {
    }

    static Socket tcp(InetSocketAddress server, String localIp) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(localIp), 0));
        s.connect(server, 5000);
        s.setSoTimeout(5000);
        return s;
    }

    /** A TLS 1.3 socket from {@code localIp}, handshake done. */
    static SSLSocket tls(InetSocketAddress server, String localIp, X509Certificate serverCert) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(null, new javax.net.ssl.TrustManager[] {RestClient.pinned(serverCert.getPublicKey().getEncoded())},
                new SecureRandom());
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(tcp(server, localIp), "localhost",
                server.getPort(), true);
        SSLParameters p = s.getSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3"});
        s.setSSLParameters(p);
        s.setSoTimeout(5000);
        s.startHandshake();
        return s;
    }

    /** Sends one keep-alive POST of JSON and returns the status code (the body is read and dropped). */
    static int postJson(Socket s, String path, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().write(body);
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        String headers = readHead(in);
        int status = Integer.parseInt(headers.substring(9, 12));
        int length = 0;
        for (String line : headers.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.readNBytes(length);
        return status;
    }

    /** The status line and headers of an answer (at most 16 KiB). */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (b.size() < 16384) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed before the answer's headers");
            }
            b.write(c);
            byte[] a = b.toByteArray();
            int n = a.length;
            if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') {
                return new String(a, StandardCharsets.US_ASCII);
            }
        }
        throw new IOException("answer headers too long");
    }

    /** True when the peer closed {@code s} within {@code millis} (EOF or reset), false when it is still open. */
    static boolean closedWithin(Socket s, long millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        byte[] buf = new byte[256];
        while (System.nanoTime() < deadline) {
            s.setSoTimeout((int) Math.max(1, Math.min(200, (deadline - System.nanoTime()) / 1_000_000)));
            try {
                if (s.getInputStream().read(buf) < 0) {
                    return true;
                }
            } catch (java.net.SocketTimeoutException e) {
                // still open
            } catch (IOException e) {
                return true;
            }
        }
        return false;
    }
}
