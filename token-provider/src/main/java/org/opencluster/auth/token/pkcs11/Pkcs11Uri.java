package org.opencluster.auth.token.pkcs11;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;

/**
 * A PKCS#11 URI (RFC 7512) naming a token and a key on it, e.g.
 * {@code pkcs11:token=svc-a;object=login-key;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/pin},
 * or exactly what {@code p11tool --list-privkeys} prints for a key.
 *
 * <p>Path attributes: {@code token}, {@code serial}, {@code manufacturer}, {@code model}, {@code slot-id} (token
 * selection; the fixed-size CK_TOKEN_INFO fields are blank-padded, so trailing blanks in these values do not
 * count, as in p11-kit); {@code object} (the CKA_LABEL, matched byte for byte as UTF-8) and {@code id} (the
 * CKA_ID, raw bytes), and {@code type} ({@code private} or {@code cert}; both name the key/certificate pair). An
 * unknown path attribute is refused: RFC 7512 section 3.3 (and p11-kit) let it match nothing, and a clear error
 * is kinder than "no key found". Query attributes: {@code module-path}, {@code module-name}, {@code pin-source};
 * RFC 7512 section 2.4 and p11-kit and OpenSSH ignore unknown ones, and so does this class
 * ({@link #ignoredQueryAttributes()}); {@code pin-value} alone is refused, since URIs end up in logs.
 * Values are percent-decoded as UTF-8 ({@code id} as bytes).
 */
public final class Pkcs11Uri {
    private static final int MAX_LENGTH = 4096;
    private static final Set<String> PATH = Set.of("token", "serial", "manufacturer", "model", "slot-id", "object",
            "id", "type");
    private static final Set<String> QUERY = Set.of("module-path", "module-name", "pin-source");

    private final String text;
    private final Map<String, String> path;
    private final Map<String, String> query;
    private final byte[] id;
    private final Set<String> ignoredQuery;

    private Pkcs11Uri(String text, Map<String, String> path, Map<String, String> query, byte[] id,
            Set<String> ignoredQuery) {
        this.text = text;
        this.path = Collections.unmodifiableMap(path);
        this.query = Collections.unmodifiableMap(query);
        this.id = id;
        this.ignoredQuery = Collections.unmodifiableSet(ignoredQuery);
    }

    public static Pkcs11Uri parse(String uri) throws TokenException {
        if (uri == null || uri.length() > MAX_LENGTH || !uri.regionMatches(true, 0, "pkcs11:", 0, 7)) {
            throw invalid("a PKCS#11 URI starts with 'pkcs11:' and is at most " + MAX_LENGTH + " characters");
        }
        String rest = uri.substring(7);
        int q = rest.indexOf('?');
        String pathPart = q < 0 ? rest : rest.substring(0, q);
        String queryPart = q < 0 ? "" : rest.substring(q + 1);
        Map<String, String> path = attributes(pathPart, ';', PATH, null);
        Set<String> ignoredQuery = new java.util.TreeSet<>();
        Map<String, String> query = attributes(queryPart, '&', QUERY, ignoredQuery);
        byte[] id = null;
        if (path.containsKey("id")) {
            id = path.remove("id").getBytes(StandardCharsets.ISO_8859_1);
            if (id.length == 0) {
                throw invalid("id must not be empty");
            }
        }
        String type = path.get("type");
        if (type != null && !type.equals("private") && !type.equals("cert")) {
            throw invalid("type=" + type + " is not supported; use type=private (or cert)");
        }
        if (path.containsKey("slot-id")) {
            try {
                if (Long.parseLong(path.get("slot-id")) < 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw invalid("slot-id must be a decimal number");
            }
        }
        if (query.containsKey("module-path") && query.containsKey("module-name")) {
            throw invalid("give module-path or module-name, not both");
        }
        return new Pkcs11Uri(uri, path, query, id, ignoredQuery);
    }

    /**
     * @param ignored where unknown attributes go (query), or null to refuse them (path)
     */
    private static Map<String, String> attributes(String part, char separator, Set<String> allowed,
            Set<String> ignored) throws TokenException {
        Map<String, String> out = new LinkedHashMap<>();
        if (part.isEmpty()) {
            return out;
        }
        for (String attr : part.split(java.util.regex.Pattern.quote(String.valueOf(separator)), -1)) {
            int eq = attr.indexOf('=');
            if (eq <= 0) {
                throw invalid("attribute '" + safe(attr) + "' has no name=value form");
            }
            String name = attr.substring(0, eq).toLowerCase(java.util.Locale.ROOT);
            if (name.equals("pin-value")) {
                throw invalid("pin-value is refused (URIs get logged); use pin-source=file:/path or env:NAME");
            }
            if (!allowed.contains(name)) {
                if (ignored == null) {
                    throw invalid("attribute '" + safe(name) + "' is not supported here; supported: " + allowed);
                }
                decode(attr.substring(eq + 1)); // still well-formed
                ignored.add(safe(name));
                continue;
            }
            // The id is binary: kept byte for byte (as Latin-1 chars) until parse() takes it out.
            String value = attr.substring(eq + 1);
            if (out.put(name, name.equals("id") ? new String(bytes(value), StandardCharsets.ISO_8859_1)
                    : decode(value)) != null) {
                throw invalid("attribute '" + name + "' appears twice");
            }
        }
        return out;
    }

    private static String decode(String s) throws TokenException {
        return new String(bytes(s), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) throws TokenException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw invalid("truncated percent-encoding");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw invalid("bad percent-encoding");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c < 0x21 || c > 0x7e) {
                throw invalid("characters outside printable ASCII must be percent-encoded");
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    private static String safe(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    private static TokenException invalid(String why) {
        return new TokenException(TokenError.INVALID_URI, "invalid PKCS#11 URI: " + why);
    }

    public Optional<String> tokenLabel() {
        return Optional.ofNullable(path.get("token"));
    }

    public Optional<String> serial() {
        return Optional.ofNullable(path.get("serial"));
    }

    public Optional<String> manufacturer() {
        return Optional.ofNullable(path.get("manufacturer"));
    }

    public Optional<String> model() {
        return Optional.ofNullable(path.get("model"));
    }

    public Optional<Long> slotId() {
        return Optional.ofNullable(path.get("slot-id")).map(Long::parseLong);
    }

    /** The key's CKA_ID, a copy. */
    public Optional<byte[]> id() {
        return Optional.ofNullable(id).map(byte[]::clone);
    }

    /** Query attributes this URI carries that are not used here (ignored, as RFC 7512 and p11-kit do). */
    public Set<String> ignoredQueryAttributes() {
        return ignoredQuery;
    }

    /** The key (and certificate) label. */
    public Optional<String> object() {
        return Optional.ofNullable(path.get("object"));
    }

    public Optional<String> modulePath() {
        return Optional.ofNullable(query.get("module-path"));
    }

    public Optional<String> moduleName() {
        return Optional.ofNullable(query.get("module-name"));
    }

    public Optional<String> pinSource() {
        return Optional.ofNullable(query.get("pin-source"));
    }

    /** True when {@code token} satisfies every token-selection attribute of this URI. */
    boolean selects(CryptokiTokenInfo token) {
        return tokenLabel().map(Pkcs11Uri::unpadded).map(token.label()::equals).orElse(true)
                && serial().map(Pkcs11Uri::unpadded).map(token.serial()::equals).orElse(true)
                && manufacturer().map(Pkcs11Uri::unpadded).map(token.manufacturer()::equals).orElse(true)
                && model().map(Pkcs11Uri::unpadded).map(token.model()::equals).orElse(true)
                && slotId().map(id -> id == token.slotId()).orElse(true);
    }

    /**
     * A CK_TOKEN_INFO text field as the module pads it and {@link CryptokiTokenInfo} reads it: trailing blanks
     * are padding, so a value with trailing blanks names the same token (as p11-kit compares padded fields).
     */
    private static String unpadded(String value) {
        int end = value.length();
        while (end > 0 && value.charAt(end - 1) == ' ') {
            end--;
        }
        return value.substring(0, end);
    }

    /** The URI as given (it cannot contain a PIN: pin-value is refused). */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Pkcs11Uri && ((Pkcs11Uri) o).text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
