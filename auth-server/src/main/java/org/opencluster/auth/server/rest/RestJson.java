package org.opencluster.auth.server.rest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Base64;
import java.util.List;
import org.opencluster.auth.protocol.command.ErrorCode;

/**
 * The JSON of the control endpoints (docs/PROTOCOL.md section 10): strict parsing (unknown, duplicate or missing
 * fields and trailing data are refused) and the bodies as records.
 */
final class RestJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private RestJson() {
    }

    /** POST /sessions. */
    record CreateSession(String clientHello) {
    }

    /** POST /sessions/{id}/handshake. */
    record Flight(String flight) {
    }

    record Suite(int id, String name) {
    }

    /** Answer of POST /sessions. */
    record SessionCreated(String sessionId, String serverFlight, List<Suite> suites, long policyVersion) {
    }

    /** Answer of POST /sessions when the server asks for the hello again with a cookie (no session exists). */
    record HelloRetry(String helloRetry) {
    }

    /** Answer of POST /sessions/{id}/handshake. */
    record FlightAnswer(String flight, boolean closed) {
    }

    record Problem(String type, String title, int status, String detail, int code) {
    }

    static <T> T parse(byte[] body, Class<T> type) throws RestProblem {
        try {
            return MAPPER.readValue(body, type);
        } catch (java.io.IOException e) {
            String why = e instanceof JsonProcessingException
                    ? ((JsonProcessingException) e).getOriginalMessage() : "unreadable";
            throw RestProblem.of(400, ErrorCode.BAD_PARAMETER, "bad JSON body: " + truncate(why));
        }
    }

    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
        }
    }

    /** Strict base64url (padding optional), for a RISP field of at most {@code max} decoded bytes. */
    static byte[] base64url(String field, String value, int max) throws RestProblem {
        if (value == null || value.isEmpty() || value.length() > (max + 2) / 3 * 4) {
            throw RestProblem.of(400, ErrorCode.BAD_PARAMETER, field + " must be 1.." + max + " bytes, base64url");
        }
        try {
            return Base64.getUrlDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw RestProblem.of(400, ErrorCode.BAD_PARAMETER, field + " is not base64url");
        }
    }

    static String base64url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String truncate(String s) {
        String one = s == null ? "" : s.replaceAll("[\\r\\n]+", " ");
        return one.length() > 200 ? one.substring(0, 200) + "..." : one;
    }
}
