package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.protocol.command.AdminCommands;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.EnrolCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.frame.FrameError;
import org.opencluster.auth.protocol.handshake.HandshakeCommandIds;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;

/** The REST transport over real HTTPS on loopback: every control endpoint, its refusals, and the frames. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestApiTest {
    static final char[] PASS = TestCluster.ALICE_PASS;
    static final CommandRegistry COMMANDS = CommandRegistry.builder().include(CoreCommands.registry())
            .include(AdminCommands.registry()).include(EnrolCommands.registry()).build();

    @TempDir
    static Path dir;
    private TestCluster cluster;
    private RestClient rest;

    @BeforeAll
    void start() throws Exception {
        cluster = TestCluster.https(dir, c -> c, LoginThrottle.builder().maxAccountFailures(2)
                .lockout(Duration.ofMinutes(5)).build());
        cluster.person("alice", PASS, Account.Role.USER, KeyType.EC_P256);
        cluster.person("mallory", PASS, Account.Role.USER, KeyType.EC_P256);
        cluster.person("carol", PASS, Account.Role.USER, KeyType.EC_P256);
        rest = new RestClient(cluster.server.httpsAddress().orElseThrow(), cluster.serverCert);
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    private RestClient.Session alice() throws Exception {
        return rest.login("alice", cluster.passphrase(PASS), cluster.pinned(), COMMANDS);
    }

    private static JsonNode problem(HttpResponse<byte[]> r, int status, int code) throws Exception {
        assertEquals(status, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode p = RestClient.json(r);
        assertEquals(status, p.get("status").asInt());
        assertEquals(code, p.get("code").asInt(), p.toString());
        assertTrue(p.get("type").asText().startsWith("urn:opencluster:auth:problem:"));
        assertFalse(p.get("title").asText().isEmpty());
        assertFalse(p.get("detail").asText().isEmpty());
        return p;
    }

    @Test
    void loginOverRestThenEncryptedCommandsReachTheDispatcher() throws Exception {
        RestClient.Session s = alice();
        assertEquals(22, s.id.length());
        assertEquals(cluster.policies.current().version(), s.created.get("policyVersion").asLong());
        List<Integer> offered = new java.util.ArrayList<>();
        s.created.get("suites").forEach(n -> offered.add(n.get("id").asInt()));
        assertEquals(cluster.policies.current().enabledIds(), offered);
        assertEquals("OCA_X25519MLKEM768_AES_256_GCM_SHA384", s.created.get("suites").get(0).get("name").asText());
        assertEquals(0x0105, s.handshake.suite().id(), "REST logins negotiate the post-quantum hybrid by default");
        assertEquals(List.of(RispCommand.none(CoreCommands.PONG.id())), s.exec(RispCommand.none(CoreCommands.PING.id())));
        List<RispCommand> who = s.exec(RispCommand.none(CoreCommands.WHOAMI.id()));
        assertEquals("alice", new String(who.get(0).copyBytes(), StandardCharsets.UTF_8));
        byte[] payload = new byte[50_000];
        new java.util.Random(7).nextBytes(payload);
        assertArrayEquals(payload, s.exec(RispCommand.string(CoreCommands.ECHO.id(), payload)).get(0).copyBytes());
        // The REST session is a session like any other: admins see it, named by the protocol's session id.
        assertTrue(cluster.sessions.list().stream().anyMatch(l -> l.username().equals("alice")));
        assertEquals(200, s.delete(), "a logged-in session answers the sealed close with its own");
        assertEquals(404, s.delete());
        problem(s.postFrames(new byte[] {0x73, 0x00}), 404, ErrorCode.NOT_FOUND.code());
    }

    @Test
    void twoCommandsInOneFrameAndTwoFramesInOneBody() throws Exception {
        RestClient.Session s = alice();
        byte[] a = s.seal(RispCommand.none(CoreCommands.PING.id()), RispCommand.none(CoreCommands.WHOAMI.id()));
        byte[] b = s.seal(RispCommand.string(CoreCommands.ECHO.id(), new byte[] {1, 2, 3}));
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        HttpResponse<byte[]> r = s.postFrames(both);
        assertEquals(200, r.statusCode());
        assertEquals("application/x-risp", r.headers().firstValue("Content-Type").orElse(""));
        List<RispCommand> replies = s.open(r.body());
        assertEquals(CoreCommands.PONG.id(), replies.get(0).id());
        assertEquals(CoreCommands.WHOAMI_IS.id(), replies.get(1).id());
        assertArrayEquals(new byte[] {1, 2, 3}, replies.get(2).copyBytes());
    }

    /**
     * Issue 13, item 7: a frame that does not authenticate (tampered, replayed, cut, or not RISP at all) can come
     * from anyone who knows the session id, so it ended the session. It is now dropped and counted: a 400 with the
     * record-layer code, and the session goes on, its sequence numbers untouched.
     */
    @Test
    void tamperedFrameIsDroppedAndTheSessionGoesOn() throws Exception {
        RestClient.Session s = alice();
        byte[] frame = s.seal(RispCommand.none(CoreCommands.PING.id()));
        byte[] tampered = frame.clone();
        tampered[tampered.length - 1] ^= 1;
        problem(s.postFrames(tampered), 400, FrameError.AUTHENTICATION_FAILED.code());
        HttpResponse<byte[]> r = s.postFrames(frame);
        assertEquals(200, r.statusCode());
        assertEquals(List.of(RispCommand.none(CoreCommands.PONG.id())), s.open(r.body()));
    }

    @Test
    void replayedFrameIsDroppedAndTheSessionGoesOn() throws Exception {
        RestClient.Session s = alice();
        byte[] frame = s.seal(RispCommand.none(CoreCommands.WHOAMI.id()));
        HttpResponse<byte[]> first = s.postFrames(frame);
        assertEquals(200, first.statusCode());
        assertEquals(CoreCommands.WHOAMI_IS.id(), s.open(first.body()).get(0).id());
        problem(s.postFrames(frame), 400, FrameError.AUTHENTICATION_FAILED.code());
        assertEquals(List.of(RispCommand.none(CoreCommands.PONG.id())), s.exec(RispCommand.none(CoreCommands.PING.id())));
    }

    @Test
    void cutFrameIsALengthMismatchAndDropped() throws Exception {
        RestClient.Session s = alice();
        byte[] frame = s.seal(RispCommand.string(CoreCommands.ECHO.id(), new byte[40]));
        byte[] cut = java.util.Arrays.copyOf(frame, frame.length - 1);
        // Shorten ENCRYPTED_STRING's declared length by one and drop the last byte: framing holds, n + 16 does not.
        cut[13] -= 1;
        problem(s.postFrames(cut), 400, FrameError.LENGTH_MISMATCH.code());
        assertArrayEquals(new byte[40], s.open(s.postFrames(frame).body()).get(0).copyBytes());
    }

    @Test
    void malformedRispBodyIsAProtocolErrorAndDropped() throws Exception {
        RestClient.Session s = alice();
        problem(s.postFrames(new byte[] {(byte) 0x73, 0x00, 0x23}), 400, ErrorCode.PROTOCOL_ERROR.code());
        assertEquals(List.of(RispCommand.none(CoreCommands.PONG.id())), s.exec(RispCommand.none(CoreCommands.PING.id())));
    }

    /** Issue 13, item 7: the session id routes requests; alone it ended the session (DELETE, one forged frame). */
    @Test
    void aStrangerWhoKnowsTheSessionIdCannotEndIt() throws Exception {
        RestClient.Session s = alice();
        RestClient stranger = new RestClient(cluster.server.httpsAddress().orElseThrow(), cluster.serverCert);
        String path = "/api/v1/sessions/" + s.id;
        problem(stranger.send("DELETE", path, null, null), 400, ErrorCode.BAD_PARAMETER.code());
        byte[] forgedClose = {0x73, 0x01, 0x23, 0x00, 0x00, 0x00, 0x00, 0x00, (byte) 0xa3, 0x00, 0x00, 0x00, 0x00, 0x10,
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
        problem(stranger.send("DELETE", path, "application/x-risp", forgedClose), 400,
                FrameError.AUTHENTICATION_FAILED.code());
        byte[] forgedData = forgedClose.clone();
        forgedData[1] = 0x00;
        problem(stranger.send("POST", path + "/frames", "application/x-risp", forgedData), 400,
                FrameError.AUTHENTICATION_FAILED.code());
        problem(stranger.send("POST", path + "/frames", "application/x-risp", new byte[] {0x71, 0x01}), 400,
                FrameError.MALFORMED_HEADER.code());
        // A DELETE must carry a close frame: alice's own data frame there is refused and consumes nothing.
        byte[] ping = s.seal(RispCommand.none(CoreCommands.PING.id()));
        problem(stranger.send("DELETE", path, "application/x-risp", ping), 400, ErrorCode.BAD_PARAMETER.code());
        assertEquals(List.of(RispCommand.none(CoreCommands.PONG.id())), s.open(s.postFrames(ping).body()));
        assertEquals(200, s.delete(), "the owner still ends the session with its sealed close frame");
        assertEquals(404, s.delete());
    }

    /**
     * Issue 13, item 7, mid-login: a forged handshake flight or a bare DELETE from whoever knows the id ended a
     * login in progress (and, after LOGIN_CHALLENGE, counted it as a failed login of the account). Both are now
     * dropped and the owner's login completes; the owner's own DELETE (close frame under its handshake keys) ends it.
     */
    @Test
    void aStrangerCannotEndALoginInProgress() throws Exception {
        RestClient stranger = new RestClient(cluster.server.httpsAddress().orElseThrow(), cluster.serverCert);
        for (String passphrase : new String[] {new String(PASS), "not carol's passphrase"}) {
            RestClient.Session pending = rest.new Session(new org.opencluster.auth.client.login.ClientHandshake(
                    "carol", cluster.passphrase(passphrase.toCharArray()), cluster.pinned(), java.util.Set.of(0x0101),
                    org.opencluster.auth.protocol.suite.SuiteRegistry.standard(), COMMANDS,
                    new java.security.SecureRandom()));
            pending.step(); // CLIENT_CHOICE + LOGIN_REQUEST -> LOGIN_CHALLENGE: the attempt now counts if abandoned
            String path = "/api/v1/sessions/" + pending.id;
            byte[] forged = {0x73, 0x00, 0x23, 0x00, 0x00, 0x00, 0x00, 0x00, (byte) 0xa3, 0x00, 0x00, 0x00, 0x00, 0x10,
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
            problem(stranger.postJson(path + "/handshake", Map.of("flight", RestClient.b64(java.nio.ByteBuffer.wrap(
                    forged)))), 400, FrameError.AUTHENTICATION_FAILED.code());
            problem(stranger.send("DELETE", path, null, null), 400, ErrorCode.BAD_PARAMETER.code());
            if (pending.handshake.state() != org.opencluster.auth.client.login.ClientHandshake.State.FAILED) {
                assertEquals(200, pending.login().delete());
            } else {
                // The envelope did not open with this passphrase: the client gives up before any proof, and proves
                // it is the one giving up with its close frame under the handshake keys.
                assertEquals(204, pending.delete());
                assertEquals(404, pending.delete());
            }
        }
    }

    @Test
    void wrongPhaseIsAConflict() throws Exception {
        RestClient.Session s = alice();
        problem(rest.postJson("/api/v1/sessions/" + s.id + "/handshake", Map.of("flight", "AAAA")), 409,
                ErrorCode.CONFLICT.code());
        RestClient.Session pending = new RestClient(cluster.server.httpsAddress().orElseThrow(), cluster.serverCert)
                .new Session(new org.opencluster.auth.client.login.ClientHandshake("alice", cluster.passphrase(PASS),
                        cluster.pinned(), java.util.Set.of(0x0101), org.opencluster.auth.protocol.suite.SuiteRegistry
                                .standard(), COMMANDS, new java.security.SecureRandom()));
        problem(pending.postFrames(new byte[] {0x71, 0x01}), 409, ErrorCode.NOT_AUTHENTICATED.code());
        assertEquals(204, pending.delete());
    }

    @Test
    void badJsonUnknownFieldsAndMissingFieldsAreRefused() throws Exception {
        String[] bodies = {"{", "[]", "{\"clientHello\":\"AAAA\",\"x\":1}", "{}", "{\"clientHello\":null}",
            "{\"clientHello\":\"AAAA\"} {}", "{\"clientHello\":\"AA\",\"clientHello\":\"AA\"}",
            "{\"clientHello\":\"!!!!\"}", "{\"clientHello\":7}"};
        for (String b : bodies) {
            problem(rest.send("POST", "/api/v1/sessions", "application/json", b.getBytes(StandardCharsets.UTF_8)),
                    400, ErrorCode.BAD_PARAMETER.code());
        }
    }

    /** Issue 13, item 9: {@code null} as the whole body was a 500 (NullPointerException) on both JSON routes. */
    @Test
    void nullBodyIsA400NotA500OnBothJsonRoutes() throws Exception {
        RestClient.Session pending = rest.new Session(new org.opencluster.auth.client.login.ClientHandshake("alice",
                cluster.passphrase(PASS), cluster.pinned(), java.util.Set.of(0x0101),
                org.opencluster.auth.protocol.suite.SuiteRegistry.standard(), COMMANDS, new java.security.SecureRandom()));
        for (String path : new String[] {"/api/v1/sessions", "/api/v1/sessions/" + pending.id + "/handshake"}) {
            for (String body : new String[] {"null", "[null]", "{\"flight\":12345678}", "{\"clientHello\":false}"}) {
                JsonNode p = problem(rest.send("POST", path, "application/json",
                        body.getBytes(StandardCharsets.UTF_8)), 400, ErrorCode.BAD_PARAMETER.code());
                assertFalse(p.get("detail").asText().contains("org.opencluster"), p.toString());
            }
        }
        // The pending session is untouched by the refused bodies: its login still completes.
        assertEquals(200, pending.login().delete());
    }

    /**
     * Issue 13, item 9 and section 10.1: a 413 says {@code Connection: close} and the connection then closes. The
     * old server answered a chunked JSON body between 16 KiB and 1 MiB with a 413 that kept the connection alive.
     */
    @Test
    void every413SaysConnectionCloseAndCloses() throws Exception {
        InetSocketAddress https = cluster.server.httpsAddress().orElseThrow();
        byte[] big = new byte[20 * 1024];
        java.util.Arrays.fill(big, (byte) ' ');
        String chunked = "POST /api/v1/sessions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(big.length) + "\r\n";
        String declared = "POST /api/v1/sessions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + big.length + "\r\n\r\n";
        for (String head : new String[] {chunked, declared}) {
            try (java.net.Socket s = SourceSockets.tls(https, "127.0.0.1", cluster.serverCert)) {
                s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().write(big);
                s.getOutputStream().write((head == chunked ? "\r\n0\r\n\r\n" : "").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                String answer = SourceSockets.readHead(s.getInputStream()).toLowerCase(java.util.Locale.ROOT);
                assertTrue(answer.startsWith("http/1.1 413"), answer);
                assertTrue(answer.contains("\r\nconnection: close\r\n"), answer);
                assertTrue(SourceSockets.closedWithin(s, 5_000), "the connection stayed open after a 413");
            }
        }
    }

    /**
     * Issue 12 leftover: a frames body sent before login (and any chunked body, which declares no length) was
     * accepted up to 1 MiB per connection and held until the body deadline. Before login every body is bounded by
     * the pre-login limit (16 KiB) while it is read: a 413 that closes, not a 409 after a whole MiB.
     */
    @Test
    void aBodyBeforeLoginIsBoundedWhileItIsReadChunkedOrNot() throws Exception {
        RestClient.Session pending = rest.new Session(new org.opencluster.auth.client.login.ClientHandshake("alice",
                cluster.passphrase(PASS), cluster.pinned(), java.util.Set.of(0x0101),
                org.opencluster.auth.protocol.suite.SuiteRegistry.standard(), COMMANDS, new java.security.SecureRandom()));
        InetSocketAddress https = cluster.server.httpsAddress().orElseThrow();
        byte[] chunk = new byte[8 * 1024];
        String path = "/api/v1/sessions/" + pending.id + "/frames";
        for (boolean chunked : new boolean[] {true, false}) {
            try (java.net.Socket s = SourceSockets.tls(https, "127.0.0.1", cluster.serverCert)) {
                String head = "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-risp\r\n"
                        + (chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + (64 * chunk.length)) + "\r\n\r\n";
                s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                try {
                    // At most 64 chunks of 8 KiB (512 KiB): the server answers after the third.
                    for (int i = 0; i < 64; i++) {
                        if (chunked) {
                            s.getOutputStream().write((Integer.toHexString(chunk.length) + "\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
                        }
                        s.getOutputStream().write(chunk);
                        if (chunked) {
                            s.getOutputStream().write("\r\n".getBytes(StandardCharsets.US_ASCII));
                        }
                        s.getOutputStream().flush();
                        if (s.getInputStream().available() > 0) {
                            break;
                        }
                    }
                } catch (java.io.IOException closed) {
                    // the server closed after its answer, while the rest was still being sent
                }
                String answer = SourceSockets.readHead(s.getInputStream()).toLowerCase(java.util.Locale.ROOT);
                assertTrue(answer.startsWith("http/1.1 413"), (chunked ? "chunked: " : "declared: ") + answer);
                assertTrue(answer.contains("\r\nconnection: close\r\n"), answer);
            }
        }
        assertEquals(200, pending.login().delete(), "the refused bodies did not touch the pending session");
    }

    @Test
    void wrongContentTypesAre415() throws Exception {
        byte[] json = "{\"clientHello\":\"AAAA\"}".getBytes(StandardCharsets.UTF_8);
        for (String type : new String[] {null, "text/plain", "application/json; charset=latin1",
            "application/x-www-form-urlencoded", "application/jsonx"}) {
            problem(rest.send("POST", "/api/v1/sessions", type, json), 415, ErrorCode.BAD_PARAMETER.code());
        }
        RestClient.Session s = alice();
        problem(rest.send("POST", "/api/v1/sessions/" + s.id + "/frames", "application/json",
                s.seal(RispCommand.none(CoreCommands.PING.id()))), 415, ErrorCode.BAD_PARAMETER.code());
        assertEquals(201, rest.send("POST", "/api/v1/sessions", "application/json; charset=utf-8",
                RestClient.JSON.writeValueAsBytes(Map.of("clientHello", helloB64()))).statusCode());
    }

    private static String helloB64() {
        return RestClient.b64(new org.opencluster.auth.client.login.ClientHandshake("x", (u, e) -> null,
                c -> { }, java.util.Set.of(0x0103), org.opencluster.auth.protocol.suite.SuiteRegistry.standard(),
                COMMANDS, new java.security.SecureRandom()).start());
    }

    @Test
    void oversizeBodiesAre413() throws Exception {
        byte[] big = new byte[20 * 1024];
        java.util.Arrays.fill(big, (byte) ' ');
        problem(rest.send("POST", "/api/v1/sessions", "application/json", big), 413, ErrorCode.BAD_PARAMETER.code());
        RestClient.Session s = alice();
        problem(rest.send("POST", "/api/v1/sessions/" + s.id + "/frames", "application/x-risp",
                new byte[(1 << 20) + 2048]), 413, ErrorCode.BAD_PARAMETER.code());
    }

    @Test
    void unknownSessionsRoutesAndMethods() throws Exception {
        String ghost = "AAAAAAAAAAAAAAAAAAAAAA";
        problem(rest.postJson("/api/v1/sessions/" + ghost + "/handshake", Map.of("flight", "AAAA")), 404,
                ErrorCode.NOT_FOUND.code());
        problem(rest.send("POST", "/api/v1/sessions/" + ghost + "/frames", "application/x-risp", new byte[] {1}),
                404, ErrorCode.NOT_FOUND.code());
        problem(rest.send("DELETE", "/api/v1/sessions/" + ghost, null, null), 404, ErrorCode.NOT_FOUND.code());
        problem(rest.send("GET", "/api/v1/nothing", null, null), 404, ErrorCode.NOT_FOUND.code());
        problem(rest.send("GET", "/static/../openapi.json", null, null), 404, ErrorCode.NOT_FOUND.code());
        problem(rest.send("GET", "/static/missing.js", null, null), 404, ErrorCode.NOT_FOUND.code());
        HttpResponse<byte[]> r = rest.send("GET", "/api/v1/sessions", null, null);
        problem(r, 405, ErrorCode.UNSUPPORTED_COMMAND.code());
        assertEquals("POST", r.headers().firstValue("Allow").orElse(""));
        problem(rest.send("PUT", "/api/v1/sessions/" + ghost, "application/json", new byte[] {'{', '}'}), 405,
                ErrorCode.UNSUPPORTED_COMMAND.code());
    }

    @Test
    void corsIsClosed() throws Exception {
        HttpResponse<byte[]> pre = rest.send("OPTIONS", "/api/v1/sessions", null, null, "https://evil.example");
        problem(pre, 405, ErrorCode.UNSUPPORTED_COMMAND.code());
        assertTrue(pre.headers().map().keySet().stream().noneMatch(h -> h.toLowerCase().startsWith("access-control")),
                pre.headers().map().toString());
        HttpResponse<byte[]> cross = rest.send("POST", "/api/v1/sessions", "application/json",
                RestClient.JSON.writeValueAsBytes(Map.of("clientHello", helloB64())), "https://evil.example");
        problem(cross, 403, ErrorCode.FORBIDDEN.code());
        assertTrue(cross.headers().map().keySet().stream().noneMatch(h -> h.toLowerCase().startsWith("access-control")));
        HttpResponse<byte[]> same = rest.send("POST", "/api/v1/sessions", "application/json",
                RestClient.JSON.writeValueAsBytes(Map.of("clientHello", helloB64())),
                "https://localhost:" + rest.base().getPort());
        assertEquals(201, same.statusCode());
    }

    @Test
    void pageAndDocumentsCarryTheSecurityHeadersAndNoCookies() throws Exception {
        for (String path : new String[] {"/", "/static/app.js", "/static/style.css", "/api/v1/openapi.json",
            "/api/v1/nothing"}) {
            HttpResponse<byte[]> r = rest.send("GET", path, null, null);
            var h = r.headers();
            assertTrue(h.firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'self'"), path);
            assertFalse(h.firstValue("Content-Security-Policy").orElse("").contains("unsafe-inline"), path);
            assertEquals("nosniff", h.firstValue("X-Content-Type-Options").orElse(""), path);
            assertEquals("no-referrer", h.firstValue("Referrer-Policy").orElse(""), path);
            assertEquals("no-store", h.firstValue("Cache-Control").orElse(""), path);
            assertTrue(h.firstValue("Set-Cookie").isEmpty(), path);
        }
        assertTrue(rest.send("GET", "/", null, null).headers().firstValue("Content-Type").orElse("")
                .startsWith("text/html"));
        assertTrue(rest.send("GET", "/static/app.js", null, null).headers().firstValue("Content-Type").orElse("")
                .startsWith("text/javascript"));
        problem(rest.send("GET", "/", "application/json", new byte[] {'{', '}'}), 400, ErrorCode.BAD_PARAMETER.code());
        problem(rest.send("DELETE", "/api/v1/sessions/AAAAAAAAAAAAAAAAAAAAAA", "application/json",
                new byte[] {'{', '}'}), 415, ErrorCode.BAD_PARAMETER.code());
    }

    @Test
    void handshakeErrorsInClearBecomeProblemsWithTheHandshakeCode() throws Exception {
        byte[] hello = HandshakeMessage.of(HandshakeCommandIds.HS_CLIENT_HELLO,
                RispCommand.integer(HandshakeCommandIds.PROTOCOL_VERSION, 1),
                RispCommand.fixed(HandshakeCommandIds.CLIENT_RANDOM, new byte[32]),
                RispCommand.string(HandshakeCommandIds.SUPPORTED_SUITES, new byte[] {0x09, (byte) 0x99}),
                RispCommand.string(HandshakeCommandIds.EXTENSIONS, new byte[0])).encode();
        problem(rest.postJson("/api/v1/sessions", Map.of("clientHello", RestClient.b64(java.nio.ByteBuffer.wrap(
                hello)))), 400, HandshakeError.NO_COMMON_SUITE.code());
        byte[] half = java.util.Arrays.copyOf(hello, 20);
        problem(rest.postJson("/api/v1/sessions", Map.of("clientHello", RestClient.b64(java.nio.ByteBuffer.wrap(
                half)))), 400, ErrorCode.PROTOCOL_ERROR.code());
    }

    @Test
    void wrongPassphraseFailsAndTheThrottleIsSharedWithTcp() throws Exception {
        char[] wrong = "wrong".toCharArray();
        for (int i = 0; i < 2; i++) {
            LoginException e = assertThrows(LoginException.class,
                    () -> rest.login("mallory", cluster.passphrase(wrong), cluster.pinned(), COMMANDS));
            assertTrue(e.getMessage().toLowerCase().contains("passphrase") || e.code()
                    == HandshakeError.LOGIN_FAILED.code(), e.getMessage());
        }
        // Two REST failures lock the account for TCP as well: one throttle for every transport.
        LoginException tcp = assertThrows(LoginException.class, () -> OcaSession.login(cluster.address(), "mallory",
                cluster.passphrase(PASS), cluster.pinned(), new OcaSession.Options()));
        assertEquals(ErrorCode.RATE_LIMITED.code(), tcp.code(), tcp.getMessage());
        LoginException viaRest = assertThrows(LoginException.class,
                () -> rest.login("mallory", cluster.passphrase(PASS), cluster.pinned(), COMMANDS));
        assertEquals(ErrorCode.RATE_LIMITED.code(), viaRest.code(), viaRest.getMessage());
    }

    @Test
    void tamperedHandshakeFrameEndsTheSession() throws Exception {
        RestClient.Session pending = rest.new Session(new org.opencluster.auth.client.login.ClientHandshake("alice",
                cluster.passphrase(PASS), cluster.pinned(), java.util.Set.of(0x0101),
                org.opencluster.auth.protocol.suite.SuiteRegistry.standard(), COMMANDS, new java.security.SecureRandom()));
        java.nio.ByteBuffer flight = pending.handshake.takeOutput();
        byte[] bytes = new byte[flight.remaining()];
        flight.get(bytes);
        bytes[bytes.length - 1] ^= 0x40; // the tag of the frame holding LOGIN_REQUEST
        problem(rest.postJson("/api/v1/sessions/" + pending.id + "/handshake",
                Map.of("flight", RestClient.b64(java.nio.ByteBuffer.wrap(bytes)))), 400,
                FrameError.AUTHENTICATION_FAILED.code());
        assertEquals(404, pending.delete());
    }
}
