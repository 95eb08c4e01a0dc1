package org.opencluster.auth.server.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The origins ({@code https://host[:port]}) under which the web page and the REST API are reached: what the REST
 * Origin check compares a request with, and by default the only origins whose WebAuthn assertions count
 * (docs/PROTOCOL.md sections 10.1 and 5.5.5). Never derived from a request (its Host header is the client's word).
 */
public final class PublicOrigins {
    private PublicOrigins() {
    }

    /**
     * The listener's own origins: the relying-party host and the listen address's host (unless it is a wildcard),
     * each on the listener's port (omitted when 443, as browsers write it).
     */
    public static Set<String> ofListener(String rpId, InetSocketAddress listener) {
        Set<String> out = new LinkedHashSet<>();
        out.add(origin(rpId, listener.getPort()));
        InetAddress a = listener.getAddress();
        String host = listener.getHostString();
        if (a == null || !a.isAnyLocalAddress()) {
            out.add(origin(a != null && a.getAddress().length == 16 ? "[" + a.getHostAddress() + "]" : host,
                    listener.getPort()));
        }
        return Set.copyOf(out);
    }

    /**
     * {@code text} as browsers send it in an Origin header: lower-case scheme and host, the default port left out.
     *
     * @throws IllegalArgumentException unless it is {@code https://host[:port]} with nothing after
     */
    public static String normalize(String text) {
        URI u;
        try {
            u = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("an origin is https://host[:port], got '" + text + "'");
        }
        if (!"https".equalsIgnoreCase(u.getScheme()) || u.getHost() == null || u.getRawUserInfo() != null
                || !(u.getRawPath() == null || u.getRawPath().isEmpty()) || u.getRawQuery() != null
                || u.getRawFragment() != null) {
            throw new IllegalArgumentException("an origin is https://host[:port], got '" + text + "'");
        }
        return origin(u.getHost(), u.getPort() < 0 ? 443 : u.getPort());
    }

    private static String origin(String host, int port) {
        return "https://" + host.toLowerCase(Locale.ROOT) + (port == 443 ? "" : ":" + port);
    }
}
