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
    /** RestApi's limit on a handshake flight (private there; the check below only needs an upper bound). */
    private static final int MAX_FLIGHT = 12 * 1024;

    @FuzzTest
    void parse(byte[] input) {
        if (input.length < 1) {
            return;
        }
        byte[] body = Arrays.copyOfRange(input, 1, input.length);
        try {
            if ((input[0] & 1) == 0) {
                RestJson.CreateSession s = RestJson.parse(body, RestJson.CreateSession.class);
                byte[] hello = RestJson.base64url("clientHello", s.clientHello(), MAX_HELLO);
                assertTrue(hello.length <= MAX_HELLO, "clientHello longer than its maximum");
            } else {
                RestJson.Flight f = RestJson.parse(body, RestJson.Flight.class);
                byte[] flight = RestJson.base64url("flight", f.flight(), MAX_FLIGHT);
                assertTrue(flight.length <= MAX_FLIGHT, "flight longer than its maximum");
            }
        } catch (RestProblem p) {
            assertEquals(400, p.status(), "a bad body is the client's error");
        } catch (RuntimeException | Error e) {
            throw new AssertionError("only RestProblem may escape the body parser", e);
        }
    }
}
