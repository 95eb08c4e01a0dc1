package org.opencluster.auth.server.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.suite.SuiteRegistry;

/**
 * Issue 13, item 9: a JSON body of {@code null} on {@code POST /api/v1/sessions} or {@code .../handshake} was a 500
 * (NullPointerException), a number or a boolean where a string belongs was coerced into base64 that decoded, and
 * the problem's detail quoted Jackson's message with the server's class names. Every valid-JSON-but-wrong-shape
 * body is now a 400 {@code BAD_PARAMETER} whose detail names only the rule broken, and none reaches a session.
 */
class RestBodyShapeTest {
    /** Anything that gets past the body checks of POST /sessions opens a session: that must not happen here. */
    private final RestApi api = new RestApi(new RestSessions(remote -> {
        throw new AssertionError("a wrong-shaped body reached a session");
    }, System::nanoTime, new SecureRandom(), Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofSeconds(10), 4, 4, 4,
            1 << 20), SuiteRegistry.standard());

    private static final String[] WRONG_SHAPES = {
        "null", "[]", "[{\"%s\":\"AAAA\"}]", "7", "\"AAAA\"", "true", "{}", "{\"%s\":null}", "{\"%s\":7777}",
        "{\"%s\":true}", "{\"%s\":[\"AAAA\"]}", "{\"%s\":{}}", "{\"%s\":\"AAAA\",\"other\":\"AAAA\"}",
        "{\"%s\":\"AAAA\",\"%s\":\"AAAA\"}", "{\"%s\":\"AAAA\"} {}", "{\"%s\":\"AAAA\"} null", "{\"%s\":\"AAAA\"",
        "{\"%s\":\"AA\u00e9A\"}", "", " ", "{\"%s\":\"AAAA\",}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
        "{\"%s\":1e999999}", "{\"%s\":\"\"}", "{\"%s\":\"A\"}", "{\"%s\":\"AAAAA\"}", "{\"%s\":\"AA=\"}",
        "{\"%s\":\"AAAA=\"}", "{\"%s\":\"AA+/\"}",
    };

    private RestApi.Response post(String path, byte[] body) {
        return api.handle(new RestApi.Request("POST", path, Optional.of("application/json"), Optional.empty(),
                Optional.of("localhost:1"), body, "127.0.0.1"));
    }

    private static void assertCleanBadParameter(RestApi.Response r, String what) throws Exception {
        String text = new String(r.body(), StandardCharsets.UTF_8);
        assertEquals(400, r.status(), what + " -> " + text);
        JsonNode p = new ObjectMapper().readTree(r.body());
        assertEquals(ErrorCode.BAD_PARAMETER.code(), p.get("code").asInt(), what);
        String detail = p.get("detail").asText();
        for (String leak : new String[] {"org.", "java.", "jackson", "`", "$", "Exception", "RestJson", "Session",
            "Flight", "line:", "column:", "Source:"}) {
            assertFalse(detail.contains(leak), what + ": the detail leaks internals: " + detail);
        }
    }

    @Test
    void wrongShapedJsonBodiesOnCreateSessionAre400AndReachNoSession() throws Exception {
        for (String shape : WRONG_SHAPES) {
            String body = shape.replace("%s", "clientHello");
            assertCleanBadParameter(post("/api/v1/sessions", body.getBytes(StandardCharsets.UTF_8)), body);
        }
    }

    @Test
    void wrongShapedJsonBodiesOnHandshakeAre400BeforeTheSessionIsLookedUp() throws Exception {
        for (String shape : WRONG_SHAPES) {
            String body = shape.replace("%s", "flight");
            assertCleanBadParameter(post("/api/v1/sessions/AAAAAAAAAAAAAAAAAAAAAA/handshake",
                    body.getBytes(StandardCharsets.UTF_8)), body);
        }
    }

    @Test
    void bodiesThatAreNotUtf8AreRefused() throws Exception {
        byte[] latin1 = "{\"clientHello\":\"AA\u00e9A\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertCleanBadParameter(post("/api/v1/sessions", latin1), "latin-1");
        byte[] utf16 = "{\"clientHello\":\"AAAA\"}".getBytes(StandardCharsets.UTF_16);
        assertCleanBadParameter(post("/api/v1/sessions", utf16), "utf-16");
    }
}
