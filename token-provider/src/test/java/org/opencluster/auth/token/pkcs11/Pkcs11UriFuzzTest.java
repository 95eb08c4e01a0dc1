package org.opencluster.auth.token.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;

/**
 * Fuzz target for the PKCS#11 URI parser (RFC 7512 subset) that reads URIs from configuration and the command line.
 * The input is the URI as UTF-8.
 *
 * <p>Contract: {@link TokenException} with {@link TokenError#INVALID_URI} and nothing else; a parsed URI never holds
 * a PIN attribute ({@code pin-value} is refused), gives its slot id as a non-negative number, and names at most
 * one module.
 */
class Pkcs11UriFuzzTest {

    @FuzzTest
    void parse(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        Pkcs11Uri uri;
        try {
            uri = Pkcs11Uri.parse(text);
        } catch (TokenException e) {
            assertEquals(TokenError.INVALID_URI, e.error());
            return;
        } catch (RuntimeException | Error e) {
            throw new AssertionError("only TokenException may escape the URI parser", e);
        }
        assertNoPinAttribute(text);
        uri.slotId().ifPresent(id -> assertTrue(id >= 0, "negative slot id"));
        assertFalse(uri.modulePath().isPresent() && uri.moduleName().isPresent(), "two modules named");
        uri.tokenLabel();
        uri.serial();
        uri.object();
        uri.pinSource();
        assertEquals(text, uri.toString());
    }

    /**
     * No attribute of the path (before the first '?', split at ';') or of the query (after it, split at '&') is
     * named pin-value. Text such as "?pin-value=" or ";pin-value=" inside a query value ('?' and ';' may appear
     * there unencoded) is part of that value, not an attribute.
     */
    private static void assertNoPinAttribute(String text) {
        int q = text.indexOf('?');
        String path = text.substring(7, q < 0 ? text.length() : q);
        String query = q < 0 ? "" : text.substring(q + 1);
        for (String attribute : path.split(";", -1)) {
            assertNotPin(attribute);
        }
        for (String attribute : query.split("&", -1)) {
            assertNotPin(attribute);
        }
    }

    private static void assertNotPin(String attribute) {
        int eq = attribute.indexOf('=');
        String name = eq < 0 ? attribute : attribute.substring(0, eq);
        assertFalse(name.toLowerCase(Locale.ROOT).equals("pin-value"), "a URI with a PIN attribute parsed");
    }
}
