package org.opencluster.auth.server.webauthn;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * The relying party: its id (a registrable domain the browser checks against the page's origin), the origins
 * whose assertions are accepted (exactly: scheme, host and port; an assertion made for another port of the same
 * host is refused), and the ceremony timeout.
 */
public record WebAuthnSettings(String rpId, String rpName, Set<String> origins, Duration timeout) {
    public WebAuthnSettings {
        Objects.requireNonNull(rpId, "rpId");
        if (rpId.isEmpty() || rpId.length() > 253 || rpId.contains("/") || rpId.contains(":")) {
            throw new IllegalArgumentException("the WebAuthn RP id is a host name such as example.com, got '"
                    + rpId + "'");
        }
        Objects.requireNonNull(rpName, "rpName");
        origins = Set.copyOf(origins);
        if (origins.isEmpty()) {
            throw new IllegalArgumentException("WebAuthn needs at least one allowed origin");
        }
        for (String o : origins) {
            if (!o.startsWith("https://") && !o.startsWith("http://localhost")) {
                throw new IllegalArgumentException("a WebAuthn origin is https://host[:port], got '" + o + "'");
            }
        }
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("the WebAuthn timeout is between 1 ms and 10 minutes");
        }
    }

    /** RP id {@code rpId}; the one origin {@code https://<rpId>} (port 443); 60 s timeout. */
    public static WebAuthnSettings defaults(String rpId) {
        return new WebAuthnSettings(rpId, "OpenCluster Auth", Set.of("https://" + rpId), Duration.ofSeconds(60));
    }

    /** Exactly these origins. */
    public WebAuthnSettings withOrigins(Set<String> exactOrigins) {
        return new WebAuthnSettings(rpId, rpName, exactOrigins, timeout);
    }
}
