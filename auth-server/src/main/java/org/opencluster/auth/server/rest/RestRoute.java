package org.opencluster.auth.server.rest;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every route the HTTPS listener serves: the single table that the handler dispatches on and that the OpenAPI
 * document (resource {@code openapi.json}) must describe exactly (checked by a test, both ways).
 */
enum RestRoute {
    PAGE("GET", "/"),
    STATIC("GET", "/static/{file}"),
    OPENAPI("GET", "/api/v1/openapi.json"),
    CREATE_SESSION("POST", "/api/v1/sessions"),
    HANDSHAKE("POST", "/api/v1/sessions/{id}/handshake"),
    FRAMES("POST", "/api/v1/sessions/{id}/frames"),
    CLOSE_SESSION("DELETE", "/api/v1/sessions/{id}");

    /** Path parameters: session ids are 22 base64url characters, static file names a short safe set. */
    private static final String ID = "([A-Za-z0-9_-]{22})";
    private static final String FILE = "([a-z0-9-]{1,40}\\.(?:js|css))";

    private final String method;
    private final String template;
    private final Pattern pattern;

    RestRoute(String method, String template) {
        this.method = method;
        this.template = template;
        this.pattern = Pattern.compile(Pattern.quote(template).replace("{id}", "\\E" + ID + "\\Q")
                .replace("{file}", "\\E" + FILE + "\\Q"));
    }

    String method() {
        return method;
    }

    /** The path as OpenAPI writes it. */
    String template() {
        return template;
    }

    /** The path parameter (session id or file name) when {@code path} matches, else empty. */
    Optional<String> match(String path) {
        Matcher m = pattern.matcher(path);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(m.groupCount() > 0 ? m.group(1) : "");
    }

    /** True when some route, with any method, has this path (then a wrong method is 405, not 404). */
    static boolean knownPath(String path) {
        for (RestRoute r : values()) {
            if (r.match(path).isPresent()) {
                return true;
            }
        }
        return false;
    }
}
