package org.opencluster.auth.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.risp.RispCommand;

/** The measured work, side by side: the same operation on our server, on JSSE TLS 1.3 and on plain TCP. */
final class Workloads {
    static final int BULK_MESSAGE = 16 * 1024;
    static final int RTT_MESSAGE = 64;
    /** Messages in flight on one connection during bulk runs (256 KiB), the same for every side. */
    static final int WINDOW = 16;

    /** Full TLS handshakes done, to compare with the chains the trust managers verified. */
    static final AtomicLong JSSE_HANDSHAKES = new AtomicLong();

    private Workloads() {
    }

    /** Full logins: connect, handshake, LOGIN_RESULT (the server verified the proof), close frame, close. */
    static Rates.PerThread oursLogins(OursFixture f, String user, LoginCredential credential) {
        return oursLogins(f, user, credential, f.options());
    }

    /** Logins that offer only {@code suite}. */
    static Rates.PerThread oursLogins(OursFixture f, String user, LoginCredential credential, int suite) {
        return oursLogins(f, user, credential, f.options(suite));
    }

    private static Rates.PerThread oursLogins(OursFixture f, String user, LoginCredential credential,
            OcaSession.Options options) {
        return () -> Rates.loop(() -> {
            try (OcaSession s = OcaSession.login(f.address(), user, credential, f.trust(), options)) {
                if (s.sessionId().length != 16) {
                    throw new IllegalStateException("no session id");
                }
            }
        });
    }

    /** Full TLS 1.3 handshakes with mutual authentication; READY means the server verified our certificate. */
    static Rates.PerThread jsseHandshakes(JsseFixture tls, InetSocketAddress server) {
        return () -> Rates.loop(() -> {
            try (SSLSocket s = JsseFixture.connect(tls.freshClient(), server)) {
                InputStream in = s.getInputStream();
                if (in.read() != PeerProtocol.READY) {
                    throw new IOException("the TLS server did not accept the handshake");
                }
                JSSE_HANDSHAKES.incrementAndGet();
                JsseFixture.forget(s);
            }
        });
    }

    /** One session, 16 KiB sink commands, {@link #WINDOW} in flight; counts acknowledged commands. */
    static Rates.PerThread oursBulk(OursFixture f, int suite) {
        return () -> {
            OcaConnection c = OcaConnection.login(f.address(), OursFixture.SERVICE_ED25519, f.ed25519Service(),
                    f.trust(), suite, 64 * 1024);
            RispCommand sink = RispCommand.string(OursFixture.SINK.id(), new byte[BULK_MESSAGE]);
            return stop -> {
                try (c) {
                    long n = 0;
                    for (int i = 0; i < WINDOW; i++) {
                        c.send(sink);
                    }
                    while (!stop.get()) {
                        expectOneReply(c.receiveFrame());
                        n++;
                        c.send(sink);
                    }
                    for (int i = 0; i < WINDOW; i++) {
                        expectOneReply(c.receiveFrame());
                        n++;
                    }
                    return n;
                }
            };
        };
    }

    static Rates.PerThread peerBulk(SSLContext tls, InetSocketAddress server) {
        return peerBulk(tls, server, JsseFixture.SUITE);
    }

    /** Bulk over JSSE with {@code suite} (or plain TCP when {@code tls} is null). */
    static Rates.PerThread peerBulk(SSLContext tls, InetSocketAddress server, String suite) {
        return () -> {
            PeerProtocol.Client c = peer(tls, server, suite);
            byte[] payload = new byte[BULK_MESSAGE];
            return stop -> {
                try (c) {
                    long n = 0;
                    for (int i = 0; i < WINDOW; i++) {
                        c.sink(payload);
                    }
                    while (!stop.get()) {
                        c.awaitAck();
                        n++;
                        c.sink(payload);
                    }
                    for (int i = 0; i < WINDOW; i++) {
                        c.awaitAck();
                        n++;
                    }
                    return n;
                }
            };
        };
    }

    /** 64-byte ECHO round trips through the client library's {@link OcaSession#exec}. */
    static Rates.PerThread oursRoundTrips(OursFixture f) {
        return () -> {
            OcaSession s = OcaSession.login(f.address(), OursFixture.SERVICE_ED25519, f.ed25519Service(), f.trust(),
                    f.options());
            RispCommand echo = RispCommand.string(CoreCommands.ECHO.id(), new byte[RTT_MESSAGE]);
            return stop -> {
                try (s) {
                    long n = 0;
                    while (!stop.get()) {
                        if (s.exec(echo).get(0).length() != RTT_MESSAGE) {
                            throw new IOException("short echo");
                        }
                        n++;
                    }
                    return n;
                }
            };
        };
    }

    static Rates.PerThread peerRoundTrips(SSLContext tls, InetSocketAddress server) {
        return () -> {
            PeerProtocol.Client c = peer(tls, server);
            byte[] payload = new byte[RTT_MESSAGE];
            return stop -> {
                try (c) {
                    long n = 0;
                    while (!stop.get()) {
                        c.echo(payload);
                        n++;
                    }
                    return n;
                }
            };
        };
    }

    /** A connected baseline client: TLS when {@code tls} is set, plain TCP otherwise. */
    static PeerProtocol.Client peer(SSLContext tls, InetSocketAddress server) throws IOException {
        return peer(tls, server, JsseFixture.SUITE);
    }

    static PeerProtocol.Client peer(SSLContext tls, InetSocketAddress server, String suite) throws IOException {
        Socket s;
        if (tls != null) {
            s = JsseFixture.connect(tls, server, suite);
            JSSE_HANDSHAKES.incrementAndGet();
        } else {
            s = new Socket();
            s.setTcpNoDelay(true);
            s.connect(server, 10_000);
        }
        PeerProtocol.Client c = new PeerProtocol.Client(s);
        c.awaitReady();
        return c;
    }

    private static void expectOneReply(int commands) throws IOException {
        if (commands != 1) {
            throw new IOException("the sink answered with " + commands + " commands");
        }
    }
}
