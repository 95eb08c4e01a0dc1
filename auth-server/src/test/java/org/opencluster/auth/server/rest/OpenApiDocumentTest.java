package org.opencluster.auth.server.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.RecordComponent;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.suite.SuiteRegistry;

/** The served OpenAPI document describes exactly the routes the server dispatches, and the JSON it speaks. */
class OpenApiDocumentTest {
    private final RestApi api = new RestApi(new RestSessions(remote -> {
        throw new AssertionError("no session is opened by these requests");
    }, System::nanoTime, new SecureRandom(), Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofSeconds(10), 4, 4, 4,
            1 << 20),
            SuiteRegistry.standard());

    private RestApi.Response get(String method, String path) {
        return api.handle(new RestApi.Request(method, path, Optional.of("text/plain"), Optional.empty(),
                Optional.of("localhost:1"), new byte[0], "127.0.0.1"));
    }

    private JsonNode document() throws Exception {
        RestApi.Response r = get("GET", "/api/v1/openapi.json");
        assertEquals(200, r.status());
        assertEquals("application/json", r.contentType());
        return new ObjectMapper().readTree(r.body());
    }

    @Test
    void documentedOperationsAreExactlyTheRoutesTable() throws Exception {
        JsonNode doc = document();
        assertEquals("3.1.0", doc.get("openapi").asText());
        Set<String> documented = new TreeSet<>();
        for (Iterator<String> paths = doc.get("paths").fieldNames(); paths.hasNext();) {
            String path = paths.next();
            for (Iterator<String> methods = doc.get("paths").get(path).fieldNames(); methods.hasNext();) {
                String m = methods.next();
                if (!m.equals("parameters")) {
                    documented.add(m.toUpperCase(Locale.ROOT) + " " + path);
                }
            }
        }
        Set<String> routes = new TreeSet<>();
        for (RestRoute r : RestRoute.values()) {
            routes.add(r.method() + " " + r.template());
        }
        assertEquals(routes, documented);
    }

    @Test
    void everyDocumentedOperationIsDispatchedAndNothingElseIs() throws Exception {
        JsonNode doc = document();
        Set<String> seen = new HashSet<>();
        for (Iterator<String> paths = doc.get("paths").fieldNames(); paths.hasNext();) {
            String template = paths.next();
            String path = template.replace("{id}", "AAAAAAAAAAAAAAAAAAAAAA").replace("{file}", "app.js");
            for (Iterator<String> methods = doc.get("paths").get(template).fieldNames(); methods.hasNext();) {
                String method = methods.next().toUpperCase(Locale.ROOT);
                int status = get(method, path).status();
                // Routed: the handler ran (200, or it refused the empty/plain body or the unknown session itself).
                assertTrue(status == 200 || status == 415 || status == 404 && isSessionProblem(method, path),
                        method + " " + path + " answered " + status);
                seen.add(method + " " + path);
                for (String other : new String[] {"GET", "POST", "PUT", "DELETE", "PATCH"}) {
                    if (!doc.get("paths").get(template).has(other.toLowerCase(Locale.ROOT))) {
                        assertEquals(405, get(other, path).status(), other + " " + path);
                    }
                }
            }
        }
        assertEquals(RestRoute.values().length, seen.size());
        assertEquals(404, get("GET", "/api/v2/sessions").status());
    }

    private boolean isSessionProblem(String method, String path) {
        String body = new String(get(method, path).body(), java.nio.charset.StandardCharsets.UTF_8);
        return body.contains("unknown or ended session");
    }

    @Test
    void schemasMatchTheJsonRecords() throws Exception {
        JsonNode schemas = document().get("components").get("schemas");
        check(schemas.get("CreateSession"), RestJson.CreateSession.class, true);
        check(schemas.get("Flight"), RestJson.Flight.class, true);
        check(schemas.get("FlightAnswer"), RestJson.FlightAnswer.class, true);
        check(schemas.get("SessionCreated"), RestJson.SessionCreated.class, true);
        check(schemas.get("HelloRetry"), RestJson.HelloRetry.class, true);
        check(schemas.get("Suite"), RestJson.Suite.class, true);
        check(schemas.get("Problem"), RestJson.Problem.class, false);
    }

    /**
     * Issue 13, item 9: the request schemas had no bounds, so a schema-driven client (Schemathesis) could not know
     * what the server refuses. Now each base64url member states minLength, maxLength and pattern, and the server
     * refuses exactly what they forbid: probed at each bound and with each shape the pattern forbids.
     */
    @Test
    void requestSchemasStateExactlyWhatTheServerRefuses() throws Exception {
        JsonNode schemas = document().get("components").get("schemas");
        bounds(schemas.get("CreateSession").get("properties").get("clientHello"), RestJson.CLIENT_HELLO);
        bounds(schemas.get("Flight").get("properties").get("flight"), RestJson.FLIGHT);
        assertEquals(1024, RestJson.CLIENT_HELLO.maxBytes(), "section 10.2: CLIENT_HELLO at most 1024 bytes");
        assertEquals(12_000, RestJson.FLIGHT.maxBytes(), "section 10.2: a flight at most 12000 bytes");
    }

    private static void bounds(JsonNode member, RestJson.Base64urlField field) {
        assertNotEquals(null, member.get("maxLength"), field.name() + " has no maxLength");
        int min = member.get("minLength").asInt();
        int max = member.get("maxLength").asInt();
        java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(member.get("pattern").asText());
        assertEquals(field.maxChars(), max, field.name());
        List<String> probes = new java.util.ArrayList<>(List.of("", "A", "AA", "AAA", "AAAA", "AAAAA", "AA==", "AA=",
                "AAA=", "AAA==", "AAAA=", "=AAA", "A===", "AA+/", "AA/A", "AA A", "AA.A", "AA\u00e9A", "-_-_", "AA==AA"));
        for (int length : new int[] {min - 1, min, max - 2, max - 1, max, max + 1, max + 2}) {
            if (length >= 0) {
                probes.add("A".repeat(length));
                if (length >= 2) {
                    probes.add("A".repeat(length - 2) + "==");
                    probes.add("A".repeat(length - 1) + "=");
                }
            }
        }
        for (String probe : probes) {
            boolean schemaAllows = probe.length() >= min && probe.length() <= max && pattern.matcher(probe).matches();
            boolean serverAccepts;
            try {
                byte[] decoded = field.decode(probe);
                assertTrue(decoded.length <= field.maxBytes(), field.name() + " decoded past its maximum");
                serverAccepts = true;
            } catch (RestProblem p) {
                assertEquals(400, p.status());
                serverAccepts = false;
            }
            assertEquals(schemaAllows, serverAccepts, field.name() + " of " + probe.length() + " characters ending "
                    + probe.substring(Math.max(0, probe.length() - 4)));
        }
    }

    private static void check(JsonNode schema, Class<? extends Record> type, boolean closed) {
        Set<String> fields = new TreeSet<>();
        Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).forEach(fields::add);
        Set<String> properties = new TreeSet<>();
        schema.get("properties").fieldNames().forEachRemaining(properties::add);
        Set<String> required = new TreeSet<>();
        schema.get("required").forEach(n -> required.add(n.asText()));
        assertEquals(fields, properties, type.getSimpleName());
        assertEquals(fields, required, type.getSimpleName());
        if (closed) {
            assertNotEquals(null, schema.get("additionalProperties"), type.getSimpleName());
            assertEquals(false, schema.get("additionalProperties").asBoolean(), type.getSimpleName());
        }
    }
}
