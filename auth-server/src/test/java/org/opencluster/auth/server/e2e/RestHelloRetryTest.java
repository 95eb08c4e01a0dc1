package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.handshake.HandshakeCommandIds;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.server.login.HelloGate;

/**
 * HELLO_RETRY over REST (docs/PROTOCOL.md sections 5.3.11 and 10.4), with {@code hello.cookies=always}: the retry
 * is answered without creating a session, so a bare hello holds no slot; the client's next POST creates it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestHelloRetryTest {
    @TempDir
    static Path dir;
    private TestCluster cluster;
    private RestClient rest;

    @BeforeAll
    void start() throws Exception {
        cluster = TestCluster.httpsWithAlice(dir, c -> c.hello(new HelloGate.Settings(HelloGate.Mode.ALWAYS, 100,
                500)));
        rest = new RestClient(cluster.server.httpsAddress().orElseThrow(), cluster.serverCert);
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    private static String hello(int version) {
        return RestClient.b64(ByteBuffer.wrap(HandshakeMessage.of(HandshakeCommandIds.HS_CLIENT_HELLO,
                RispCommand.integer(HandshakeCommandIds.PROTOCOL_VERSION, version),
                RispCommand.fixed(HandshakeCommandIds.CLIENT_RANDOM, new byte[32]),
                RispCommand.string(HandshakeCommandIds.SUPPORTED_SUITES, new byte[] {1, 3}),
                RispCommand.string(HandshakeCommandIds.EXTENSIONS, new byte[0])).encode()));
    }

    @Test
    void aLoginAnswersTheRetryAndSucceeds() throws Exception {
        RestClient.Session s = rest.login("alice", cluster.passphrase(TestCluster.ALICE_PASS), cluster.pinned(),
                RestApiTest.COMMANDS);
        assertEquals(List.of(RispCommand.none(CoreCommands.PONG.id())), s.exec(RispCommand.none(CoreCommands.PING.id())));
        assertEquals(200, s.delete());
    }

    @Test
    void bareHellosGetStatelessRetriesAndHoldNoSession() throws Exception {
        // Far more bare hellos than the pending-session cap: none is refused with 503, none creates a session.
        for (int i = 0; i < 80; i++) {
            HttpResponse<byte[]> r = rest.postJson("/api/v1/sessions", Map.of("clientHello", hello(2)));
            assertEquals(200, r.statusCode());
            assertFalse(r.headers().firstValue("Location").isPresent());
            JsonNode body = RestClient.json(r);
            assertFalse(body.has("sessionId"));
            List<RispCommand> retry = RispDecoder.framingOnly().feed(RestClient.unb64(body.get("helloRetry").asText()));
            assertEquals(HandshakeCommandIds.HS_HELLO_RETRY, retry.get(0).id());
            assertEquals(HandshakeCommandIds.COOKIE, retry.get(1).id());
        }
        assertTrue(cluster.sessions.list().isEmpty());
    }

    @Test
    void aVersionOneClientThatWouldNeedACookieIsRateLimited() throws Exception {
        HttpResponse<byte[]> r = rest.postJson("/api/v1/sessions", Map.of("clientHello", hello(1)));
        assertEquals(429, r.statusCode());
        assertEquals(ErrorCode.RATE_LIMITED.code(), RestClient.json(r).get("code").asInt());
    }
}
