package org.opencluster.auth.server.rest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.lang.reflect.RecordComponent;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.opencluster.auth.protocol.command.ErrorCode;

/**
 * The JSON of the control endpoints (docs/PROTOCOL.md section 10): strict parsing of the request bodies (one object
 * of exactly the listed string members, nothing else) token by token, so no shape of valid JSON reaches the
 * handlers as a null or a coerced value; the bodies as records; the bounds of their base64url members.
 */
final class RestJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

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

    /**
     * Reads {@code body} as one JSON object whose members are exactly the components of {@code type} (records of
     * strings only), each a string: anything else (another JSON value such as {@code null}, an array or a number
     * at the top; unknown, duplicate, missing or non-string members; trailing data; bytes that are not UTF-8) is a
     * 400 whose detail names only the rule broken, never a Java type or a parser's message.
     */
    static <T extends Record> T parse(byte[] body, Class<T> type) throws RestProblem {
        RecordComponent[] members = type.getRecordComponents();
        String[] values = new String[members.length];
        try (JsonParser p = MAPPER.getFactory().createParser(strictUtf8(body))) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw badBody("the body must be one JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                int i = indexOf(members, p.currentName());
                if (i < 0) {
                    throw badBody("unknown member; the members are " + names(members));
                }
                if (values[i] != null) {
                    throw badBody("member " + members[i].getName() + " appears twice");
                }
                if (p.nextToken() != JsonToken.VALUE_STRING) {
                    throw badBody("member " + members[i].getName() + " must be a string");
                }
                values[i] = p.getText();
            }
            if (t != JsonToken.END_OBJECT) {
                throw badBody("the body is not well-formed JSON");
            }
            if (p.nextToken() != null) {
                throw badBody("data after the JSON object");
            }
        } catch (JsonProcessingException e) {
            throw badBody("the body is not well-formed JSON");
        } catch (IOException e) {
            throw badBody("the body is not UTF-8 JSON");
        }
        for (int i = 0; i < members.length; i++) {
            if (values[i] == null) {
                throw badBody("member " + members[i].getName() + " is missing");
            }
        }
        return construct(type, members, values);
    }

    private static Reader strictUtf8(byte[] body) {
        return new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
    }

    private static int indexOf(RecordComponent[] members, String name) {
        for (int i = 0; i < members.length; i++) {
            if (members[i].getName().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static String names(RecordComponent[] members) {
        StringBuilder b = new StringBuilder();
        for (RecordComponent m : members) {
            b.append(b.length() == 0 ? "" : ", ").append(m.getName());
        }
        return b.toString();
    }

    private static <T extends Record> T construct(Class<T> type, RecordComponent[] members, String[] values) {
        Class<?>[] types = new Class<?>[members.length];
        for (int i = 0; i < members.length; i++) {
            if (members[i].getType() != String.class) {
                throw new IllegalArgumentException(type.getSimpleName() + " is not a record of strings");
            }
            types[i] = String.class;
        }
        try {
            return type.getDeclaredConstructor(types).newInstance((Object[]) values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
        }
    }

    private static RestProblem badBody(String why) {
        return RestProblem.of(400, ErrorCode.BAD_PARAMETER, "bad JSON body: " + why);
    }

    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
        }
    }

    /**
     * A base64url member of a request body (padding optional) and its bounds in characters, padding included:
     * what the OpenAPI document states as {@code minLength}, {@code maxLength} and {@link #PATTERN}, and exactly
     * what {@link #decode} refuses. {@code maxChars} is the unpadded length of {@code maxChars * 3 / 4} bytes.
     */
    record Base64urlField(String name, int maxChars) {
        /** The shortest base64url text of one byte. */
        static final int MIN_CHARS = 2;
        /** Base64url with optional padding, as OpenAPI states it (the decoder refuses exactly what it does not match). */
        static final String PATTERN = "^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}(?:==)?|[A-Za-z0-9_-]{3}=?)?$";

        /** The largest decoded value. */
        int maxBytes() {
            return maxChars * 3 / 4;
        }

        /** The decoded bytes of {@code value}, or 400 when it is out of bounds or not base64url. */
        byte[] decode(String value) throws RestProblem {
            if (value.length() < MIN_CHARS || value.length() > maxChars) {
                throw RestProblem.of(400, ErrorCode.BAD_PARAMETER, name + " must be " + MIN_CHARS + ".." + maxChars
                        + " base64url characters");
            }
            try {
                return Base64.getUrlDecoder().decode(value);
            } catch (IllegalArgumentException e) {
                throw RestProblem.of(400, ErrorCode.BAD_PARAMETER, name + " is not base64url");
            }
        }
    }

    /** CLIENT_HELLO: at most 1 024 bytes (docs/PROTOCOL.md section 10.2). */
    static final Base64urlField CLIENT_HELLO = new Base64urlField("clientHello", 1366);
    /**
     * A client handshake flight, at most 12 000 bytes (a WebAuthn proof flight is about 9 KiB): 16 000 characters,
     * so that the body around it stays within the 16 KiB JSON limit.
     */
    static final Base64urlField FLIGHT = new Base64urlField("flight", 16_000);

    static String base64url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
