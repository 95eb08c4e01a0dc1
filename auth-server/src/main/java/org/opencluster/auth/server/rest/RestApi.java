package org.opencluster.auth.server.rest;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.command.ErrorReply;
import org.opencluster.auth.protocol.frame.FrameError;
import org.opencluster.auth.protocol.handshake.HandshakeCommandIds;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.risp.RispProtocolException;
import org.opencluster.auth.protocol.suite.SuiteException;
import org.opencluster.auth.protocol.suite.SuitePolicy;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.server.config.PublicOrigins;

/**
 * The HTTP side of the REST transport, independent of Netty: request in, response out (docs/PROTOCOL.md section
 * 10). Control endpoints speak strict JSON around byte-exact RISP flights; command frames travel as
 * {@code application/x-risp}. Everything behind the session id is the same {@code ServerSession} as on TCP.
 */
final class RestApi {
    /** Largest JSON body of a control endpoint. */
    static final int MAX_JSON_BODY = 16 * 1024;
    static final String JSON = "application/json";
    static final String RISP = "application/x-risp";
    static final String PROBLEM = "application/problem+json";
    /** Seconds a client waits after a STORE_UNAVAILABLE: the store's outage back-off starts at 0.1 s, so one is ample. */
    static final String STORE_RETRY_AFTER_SECONDS = "1";

    /** An HTTP request, already read whole (the transport bounds its size). */
    record Request(String method, String path, Optional<String> contentType, Optional<String> origin,
            Optional<String> host, byte[] body, String remote) {
    }

    /** An HTTP response; {@code headers} are extra headers besides the content type. */
    record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
        static Response of(int status, String contentType, byte[] body) {
            return new Response(status, contentType, body, Map.of());
        }
    }

    private final RestSessions sessions;
    private final SuiteRegistry suites;
    private final Map<String, Resource> resources;
    /** The public origins (normalised); set once the listener's address is known, before the first request. */
    private volatile Set<String> origins = Set.of();

    private record Resource(String contentType, byte[] bytes) {
    }

    RestApi(RestSessions sessions, SuiteRegistry suites) {
        this.sessions = sessions;
        this.suites = suites;
        Map<String, Resource> r = new LinkedHashMap<>();
        r.put("/", new Resource("text/html; charset=utf-8", resource("static/index.html")));
        r.put("/static/app.js", new Resource("text/javascript; charset=utf-8", resource("static/app.js")));
        r.put("/static/style.css", new Resource("text/css; charset=utf-8", resource("static/style.css")));
        r.put("/api/v1/openapi.json", new Resource(JSON, resource("openapi.json")));
        this.resources = Map.copyOf(r);
    }

    private static byte[] resource(String name) {
        try (InputStream in = RestApi.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("resource " + name + " is unreadable", e);
        }
    }

    Response handle(Request r) {
        try {
            return route(r);
        } catch (RestProblem p) {
            return problem(p);
        }
    }

    static Response problem(RestProblem p) {
        byte[] body = RestJson.write(new RestJson.Problem(p.type(), p.title(), p.status(), p.getMessage(), p.code()));
        Map<String, String> headers = p.status() == 405 ? Map.of("Allow", allowed(p.getMessage()))
                : p.code() == ErrorCode.STORE_UNAVAILABLE.code() ? Map.of("Retry-After", STORE_RETRY_AFTER_SECONDS)
                : Map.of();
        return new Response(p.status(), PROBLEM, body, headers);
    }

    private Response route(Request r) throws RestProblem {
        if (r.method().equals("OPTIONS")) {
            // No CORS: a preflight gets no Access-Control-* header, so browsers refuse cross-origin calls.
            throw RestProblem.of(405, ErrorCode.UNSUPPORTED_COMMAND, "OPTIONS (CORS preflight) is not served; allowed: "
                    + allowedFor(r.path()));
        }
        r.host().orElseThrow(() -> RestProblem.of(400, ErrorCode.BAD_PARAMETER, "Host header missing"));
        // Compared with the configured public origins, never with the request's own Host header (the client's word).
        if (r.origin().isPresent() && !isPublicOrigin(r.origin().get())) {
            throw RestProblem.of(403, ErrorCode.FORBIDDEN, "cross-origin requests are refused");
        }
        RestRoute route = null;
        String param = null;
        for (RestRoute candidate : RestRoute.values()) {
            Optional<String> m = candidate.match(r.path());
            if (m.isPresent() && candidate.method().equals(r.method())) {
                route = candidate;
                param = m.get();
            }
        }
        if (route == null) {
            if (RestRoute.knownPath(r.path())) {
                throw RestProblem.of(405, ErrorCode.UNSUPPORTED_COMMAND, r.method() + " is not allowed here; allowed: "
                        + allowedFor(r.path()));
            }
            throw RestProblem.of(404, ErrorCode.NOT_FOUND, "no such resource");
        }
        if (r.method().equals("GET") && r.body().length > 0) {
            throw RestProblem.of(400, ErrorCode.BAD_PARAMETER, "GET takes no body");
        }
        switch (route) {
            case PAGE:
            case STATIC:
            case OPENAPI:
                Resource res = resources.get(r.path());
                if (res == null) {
                    throw RestProblem.of(404, ErrorCode.NOT_FOUND, "no such resource");
                }
                return Response.of(200, res.contentType(), res.bytes());
            case CREATE_SESSION:
                return createSession(r);
            case HANDSHAKE:
                return handshake(r, param);
            case FRAMES:
                return frames(r, param);
            default:
                return closeSession(r, param);
        }
    }

    void origins(Set<String> publicOrigins) {
        this.origins = Set.copyOf(publicOrigins);
    }

    private boolean isPublicOrigin(String origin) {
        try {
            return origins.contains(PublicOrigins.normalize(origin));
        } catch (IllegalArgumentException e) {
            return false; // "null", another scheme, a path: not one of ours
        }
    }

    private Response createSession(Request r) throws RestProblem {
        RestJson.CreateSession body = RestJson.parse(json(r), RestJson.CreateSession.class);
        byte[] hello = RestJson.CLIENT_HELLO.decode(body.clientHello());
        RestSession s = sessions.open(r.remote());
        RestSession.Exchange x = s.exchange(hello, true, sessions.now());
        loginFailure(s, x);
        if (isHelloRetry(x.output())) {
            // Stateless, as on TCP: the session ends before the answer leaves, so it holds no slot; the client's
            // next POST /sessions with the cookie opens a new one (section 10.4).
            sessions.end(s);
            return Response.of(200, JSON, RestJson.write(new RestJson.HelloRetry(RestJson.base64url(x.output()))));
        }
        SuitePolicy policy = offeredPolicy(x.output()).orElse(null);
        if (policy == null) {
            sessions.end(s);
            throw RestProblem.of(400, org.opencluster.auth.protocol.handshake.HandshakeError.MALFORMED_MESSAGE,
                    "clientHello must be exactly one whole CLIENT_HELLO message");
        }
        List<RestJson.Suite> list = new ArrayList<>();
        for (var suite : policy.enabledSuites()) {
            list.add(new RestJson.Suite(suite.id(), suite.name()));
        }
        byte[] answer = RestJson.write(new RestJson.SessionCreated(s.id(), RestJson.base64url(x.output()), list,
                policy.version()));
        return new Response(201, JSON, answer, Map.of("Location", "/api/v1/sessions/" + s.id()));
    }

    private Response handshake(Request r, String id) throws RestProblem {
        RestJson.Flight body = RestJson.parse(json(r), RestJson.Flight.class);
        byte[] flight = RestJson.FLIGHT.decode(body.flight());
        RestSession s = session(id);
        RestSession.Exchange x = s.exchange(flight, true, sessions.now());
        loginFailure(s, x);
        if (x.closed()) {
            sessions.end(s);
        }
        return Response.of(200, JSON, RestJson.write(new RestJson.FlightAnswer(RestJson.base64url(x.output()),
                x.closed())));
    }

    private Response frames(Request r, String id) throws RestProblem {
        requireType(r, RISP);
        if (r.body().length == 0) {
            throw RestProblem.of(400, ErrorCode.BAD_PARAMETER, "the body must hold at least one frame");
        }
        RestSession s = session(id);
        RestSession.Exchange x = s.exchange(r.body(), false, sessions.now());
        if (x.closed()) {
            sessions.end(s);
            if (x.frameError().isPresent()) {
                FrameError e = x.frameError().get();
                throw RestProblem.of(400, e, "the record layer refused a frame (" + e + "); the session is closed");
            }
            if (x.output().length == 0) {
                throw RestProblem.of(500, ErrorCode.INTERNAL, "the session failed and is closed");
            }
            return new Response(200, RISP, x.output(), Map.of("Oca-Session-Closed", "true"));
        }
        return Response.of(200, RISP, x.output());
    }

    /**
     * DELETE: the session ends only on the client's own sealed close frame (or, before the client has keys, an
     * empty body); the id alone, which routes requests and may show up in logs, cannot end it. A logged-in
     * session answers with the server's close frame.
     */
    private Response closeSession(Request r, String id) throws RestProblem {
        if (r.body().length > 0) {
            requireType(r, RISP);
        }
        RestSession s = session(id);
        RestSession.Exchange x = s.close(r.body(), sessions.now());
        sessions.end(s);
        if (x.output().length == 0) {
            return Response.of(204, null, new byte[0]);
        }
        return new Response(200, RISP, x.output(), Map.of("Oca-Session-Closed", "true"));
    }

    /**
     * A handshake answer that is a clear-text ERROR (before the keys exist: no common suite, a downgrade, a malformed
     * message) becomes a problem with that code; one that is empty but closed means a handshake frame did not open.
     * Errors under handshake keys (LOGIN_FAILED, RATE_LIMITED) stay inside the encrypted flight, as on TCP.
     */
    private void loginFailure(RestSession s, RestSession.Exchange x) throws RestProblem {
        if (x.closed() && x.output().length == 0) {
            sessions.end(s);
            FrameError e = x.frameError().orElse(FrameError.AUTHENTICATION_FAILED);
            throw RestProblem.of(400, e, "a handshake frame was refused by the record layer; the session is closed");
        }
        List<RispCommand> clear;
        try {
            clear = RispDecoder.builder().maxStringLength(x.output().length + 16).build().feed(x.output());
        } catch (RispProtocolException e) {
            return;
        }
        Optional<ErrorReply> refused = ErrorReply.read(clear);
        if (refused.isPresent()) {
            sessions.end(s);
            String text = refused.get().text().isEmpty() ? "the handshake failed" : refused.get().text();
            throw RestProblem.ofWireCode(refused.get().code(), text);
        }
    }

    private static boolean isHelloRetry(byte[] serverFlight) {
        return serverFlight.length >= 2
                && (((serverFlight[0] & 0xff) << 8) | (serverFlight[1] & 0xff)) == HandshakeCommandIds.HS_HELLO_RETRY;
    }

    private Optional<SuitePolicy> offeredPolicy(byte[] serverFlight) {
        for (RispCommand c : RispDecoder.framingOnly().feed(serverFlight)) {
            if (c.id() == HandshakeCommandIds.SUITE_POLICY) {
                try {
                    return Optional.of(SuitePolicy.parse(suites, c.copyBytes()));
                } catch (SuiteException e) {
                    throw new IllegalStateException("the server's own policy does not parse", e);
                }
            }
        }
        return Optional.empty();
    }

    private RestSession session(String id) throws RestProblem {
        return sessions.find(id).orElseThrow(() -> RestProblem.of(404, ErrorCode.NOT_FOUND,
                "unknown or ended session"));
    }

    private static byte[] json(Request r) throws RestProblem {
        requireType(r, JSON);
        if (r.body().length > MAX_JSON_BODY) {
            throw RestProblem.of(413, ErrorCode.BAD_PARAMETER, "JSON bodies are limited to " + MAX_JSON_BODY
                    + " bytes");
        }
        return r.body();
    }

    /** The media type must be exactly {@code expected}; JSON may say charset=utf-8, nothing else is accepted. */
    private static void requireType(Request r, String expected) throws RestProblem {
        String given = r.contentType().orElse("");
        String[] parts = given.split(";");
        boolean ok = parts[0].trim().toLowerCase(Locale.ROOT).equals(expected);
        for (int i = 1; i < parts.length && ok; i++) {
            ok = expected.equals(JSON) && parts[i].trim().toLowerCase(Locale.ROOT).replace("\"", "")
                    .equals("charset=utf-8");
        }
        if (!ok) {
            throw RestProblem.of(415, ErrorCode.BAD_PARAMETER, "Content-Type must be " + expected);
        }
    }

    private static String allowedFor(String path) {
        List<String> methods = new ArrayList<>();
        for (RestRoute route : RestRoute.values()) {
            if (route.match(path).isPresent()) {
                methods.add(route.method());
            }
        }
        return String.join(", ", methods);
    }

    /** The Allow header is the list after "allowed: " in a 405's detail. */
    private static String allowed(String detail) {
        int i = detail.lastIndexOf("allowed: ");
        return i < 0 ? "" : detail.substring(i + "allowed: ".length());
    }
}
