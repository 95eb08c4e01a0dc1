package org.opencluster.auth.server.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Fuzz target for the JSON bodies the REST API reads from anonymous clients: byte 0 even is a {@code POST
 * /sessions} body ({@code clientHello}), odd a {@code POST /sessions/{id}/handshake} body ({@code flight}); the rest
 * is the body. Each is read as {@link RestApi} reads it: strict JSON into the record, then the base64url field.
 *
 * <p>Contract: {@link RestProblem} with status 400 and nothing else; a decoded field is never longer than its
 * maximum.
 */
class RestJsonFuzzTest {
    private static final int MAX_HELLO = 1024;
    private static final int MAX_FLIGHT = 12_000;

    @FuzzTest
    void parse(byte[] input) {
        if (input.length < 1) {
            return;
        }
        byte[] body = Arrays.copyOfRange(input, 1, input.length);
        try {
            if ((input[0] & 1) == 0) {
                RestJson.CreateSession s = RestJson.parse(body, RestJson.CreateSession.class);
                byte[] hello = RestJson.CLIENT_HELLO.decode(s.clientHello());
                assertTrue(hello.length <= MAX_HELLO, "clientHello longer than its maximum");
            } else {
                RestJson.Flight f = RestJson.parse(body, RestJson.Flight.class);
                byte[] flight = RestJson.FLIGHT.decode(f.flight());
                assertTrue(flight.length <= MAX_FLIGHT, "flight longer than its maximum");
            }
        } catch (RestProblem p) {
            assertEquals(400, p.status(), "a bad body is the client's error");
            assertTrue(!p.getMessage().contains("org.") && !p.getMessage().contains("`"),
                    "the detail leaks internals: " + p.getMessage());
        } catch (RuntimeException | Error e) {
            throw new AssertionError("only RestProblem may escape the body parser", e);
        }
    }
}
