package org.opencluster.auth.server.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.X509ExtendedTrustManager;
import org.opencluster.auth.client.login.ClientHandshake;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.client.login.ServerTrust;
import org.opencluster.auth.protocol.frame.FrameException;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.session.SecureChannel;
import org.opencluster.auth.protocol.suite.SuiteRegistry;

/**
 * A Java client of the REST transport for tests: java.net.http over TLS pinned to the server's key, and the
 * protocol module's own handshake and record classes (the same ones the TCP client uses) inside the JSON.
 */
final class RestClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http;
    private final URI base;

    RestClient(InetSocketAddress address, X509Certificate serverCert) throws Exception {
        SSLContext tls = SSLContext.getInstance("TLSv1.3");
        tls.init(null, new javax.net.ssl.TrustManager[] {pinned(serverCert.getPublicKey().getEncoded())},
                new SecureRandom());
        SSLParameters params = new SSLParameters();
        params.setProtocols(new String[] {"TLSv1.3"});
        http = HttpClient.newBuilder().sslContext(tls).sslParameters(params).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        base = URI.create("https://localhost:" + address.getPort());
    }

    URI base() {
        return base;
    }

    /** A raw request; {@code contentType} null sends none. */
    HttpResponse<byte[]> send(String method, String path, String contentType, byte[] body) throws Exception {
        return send(method, path, contentType, body, null);
    }

    HttpResponse<byte[]> send(String method, String path, String contentType, byte[] body, String origin)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (origin != null) {
            b.header("Origin", origin);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<byte[]> postJson(String path, Object body) throws Exception {
        return send("POST", path, "application/json", JSON.writeValueAsBytes(body));
    }

    static JsonNode json(HttpResponse<byte[]> r) throws IOException {
        return JSON.readTree(r.body());
    }

    static String b64(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(a);
    }

    static byte[] unb64(String s) {
        return Base64.getUrlDecoder().decode(s);
    }

    /** A logged-in (or failed) REST session driven by {@link ClientHandshake}. */
    final class Session {
        final String id;
        final ClientHandshake handshake;
        final JsonNode created;
        SecureChannel channel;
        /** The close frame, once sealed (a channel seals one only). */
        private byte[] sentClose;
        /** The last flight answer (handshake), for tests that look at the bytes. */
        JsonNode lastAnswer;
        /** The size in bytes of every handshake flight the server answered, in order (what an eavesdropper sees). */
        final List<Integer> answerSizes = new ArrayList<>();

        Session(ClientHandshake hs) throws Exception {
            this.handshake = hs;
            HttpResponse<byte[]> r = postJson("/api/v1/sessions", java.util.Map.of("clientHello", b64(hs.start())));
            if (r.statusCode() == 200 && json(r).has("helloRetry")) {
                // HELLO_RETRY (section 5.3.11): no session yet; the same hello again, with the cookie.
                feed(unb64(json(r).get("helloRetry").asText()));
                r = postJson("/api/v1/sessions", java.util.Map.of("clientHello", b64(hs.takeOutput())));
            }
            if (r.statusCode() != 201) {
                throw new IllegalStateException("create session: " + r.statusCode() + " "
                        + new String(r.body(), StandardCharsets.UTF_8));
            }
            created = json(r);
            id = created.get("sessionId").asText();
            feed(unb64(created.get("serverFlight").asText()));
        }

        /** Runs the handshake to its end; throws the client's LoginException when it fails. */
        Session login() throws Exception {
            while (handshake.state() != ClientHandshake.State.ESTABLISHED) {
                if (handshake.state() == ClientHandshake.State.FAILED) {
                    // As a TCP client closes its socket: the server counts an abandoned login as a failure.
                    delete();
                    throw handshake.failure();
                }
                step();
            }
            channel = handshake.applicationChannel();
            return this;
        }

        /** Sends the client's next flight and feeds the server's answer to the handshake. */
        void step() throws Exception {
            ByteBuffer out = handshake.takeOutput();
            HttpResponse<byte[]> r = postJson("/api/v1/sessions/" + id + "/handshake",
                    java.util.Map.of("flight", b64(out)));
            if (r.statusCode() != 200) {
                throw new LoginException(json(r).get("code").asInt(), "REST " + r.statusCode() + ": "
                        + json(r).get("detail").asText());
            }
            lastAnswer = json(r);
            byte[] flight = unb64(lastAnswer.get("flight").asText());
            answerSizes.add(flight.length);
            feed(flight);
            if (handshake.state() != ClientHandshake.State.ESTABLISHED && lastAnswer.get("closed").asBoolean()
                    && handshake.state() != ClientHandshake.State.FAILED) {
                throw new LoginException(-1, "the server closed the session during login");
            }
        }

        private void feed(byte[] flight) {
            for (RispCommand c : RispDecoder.framingOnly().feed(flight)) {
                if (handshake.state() == ClientHandshake.State.FAILED
                        || handshake.state() == ClientHandshake.State.ESTABLISHED) {
                    break;
                }
                handshake.onCommand(c);
            }
        }

        /** The sealed frame bytes of {@code commands} (advances the channel's send counter). */
        byte[] seal(RispCommand... commands) throws FrameException {
            ByteBuffer b = channel.send(List.of(commands), ByteBuffer.allocate(256)).flip();
            byte[] a = new byte[b.remaining()];
            b.get(a);
            return a;
        }

        HttpResponse<byte[]> postFrames(byte[] frames) throws Exception {
            return send("POST", "/api/v1/sessions/" + id + "/frames", "application/x-risp", frames);
        }

        /** This logged-in session as {@link org.opencluster.auth.client.CommandChannel} (what client code drives). */
        org.opencluster.auth.client.CommandChannel asChannel() {
            return new org.opencluster.auth.client.CommandChannel() {
                @Override
                public List<RispCommand> exec(RispCommand... commands) throws java.io.IOException {
                    try {
                        return Session.this.exec(commands);
                    } catch (java.io.IOException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new java.io.IOException(e);
                    }
                }

                @Override
                public byte[] sessionId() {
                    return handshake.sessionId();
                }
            };
        }

        /** Sends {@code commands} in one frame and opens the reply frame(s). */
        List<RispCommand> exec(RispCommand... commands) throws Exception {
            HttpResponse<byte[]> r = postFrames(seal(commands));
            if (r.statusCode() != 200) {
                throw new IllegalStateException("frames: " + r.statusCode() + " "
                        + new String(r.body(), StandardCharsets.UTF_8));
            }
            return open(r.body());
        }

        List<RispCommand> open(byte[] frames) throws FrameException {
            List<RispCommand> replies = new ArrayList<>();
            openInto(frames, replies);
            return replies;
        }

        /** Opens {@code frames} into {@code replies}; true when they end with the server's authentic close frame. */
        boolean openInto(byte[] frames, List<RispCommand> replies) throws FrameException {
            boolean closed = false;
            for (RispCommand outer : RispDecoder.framingOnly().feed(frames)) {
                closed = channel.receive(outer, c -> replies.addAll(RispDecoder.framingOnly().feed(
                        org.opencluster.auth.protocol.risp.RispEncoder.toBytes(c))));
            }
            return closed;
        }

        /**
         * Ends the session as section 10.2 asks: DELETE carrying this client's close frame sealed under its current
         * keys (application keys once logged in, handshake keys mid-login), or nothing before it has keys.
         */
        int delete() throws Exception {
            return deleteResponse().statusCode();
        }

        /** {@link #delete()}, whole answer. */
        HttpResponse<byte[]> deleteResponse() throws Exception {
            byte[] close = closeFrame();
            return send("DELETE", "/api/v1/sessions/" + id, close.length == 0 ? null : "application/x-risp",
                    close.length == 0 ? null : close);
        }

        /** This client's close frame under its current sending keys (advances them); empty without keys. */
        byte[] closeFrame() throws FrameException {
            if (sentClose == null) {
                ByteBuffer b = channel != null ? channel.sendClose(ByteBuffer.allocate(64)).flip()
                        : handshake.handshakeCloseFrame().orElse(ByteBuffer.allocate(0));
                sentClose = new byte[b.remaining()];
                b.get(sentClose);
            }
            return sentClose;
        }
    }

    Session login(String user, LoginCredential credential, ServerTrust trust, CommandRegistry commands)
            throws Exception {
        return new Session(new ClientHandshake(user, credential, trust, SuiteRegistry.standard().all().stream()
                .map(s -> s.id()).collect(java.util.stream.Collectors.toSet()), SuiteRegistry.standard(), commands,
                new SecureRandom())).login();
    }

    Session enrol(String user, String code, ServerTrust trust, CommandRegistry commands) throws Exception {
        LoginCredential none = (u, env) -> {
            throw new IllegalStateException("an enrolment proves the code");
        };
        return new Session(new ClientHandshake(user, none, trust, Set.of(0x0101, 0x0102, 0x0103, 0x0104),
                SuiteRegistry.standard(), commands, new SecureRandom()).enrolWith(
                        org.opencluster.auth.protocol.handshake.EnrolmentCodes.hash(code))).login();
    }

    /** Trusts exactly the server key (the same pin as the RISP client), no host-name check. */
    static X509ExtendedTrustManager pinned(byte[] spki) {
        return new X509ExtendedTrustManager() {
            private void check(X509Certificate[] chain) throws CertificateException {
                if (chain.length == 0 || !MessageDigest.isEqual(chain[0].getPublicKey().getEncoded(), spki)) {
                    throw new CertificateException("not the pinned server key");
                }
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                check(chain);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws CertificateException {
                check(chain);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws CertificateException {
                check(chain);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("client side only");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws CertificateException {
                throw new CertificateException("client side only");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws CertificateException {
                throw new CertificateException("client side only");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
    }
}
