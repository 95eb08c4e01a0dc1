package org.opencluster.auth.server.config;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every refusal of a configuration file names the file (and the key, when one is at fault), so an operator can find
 * the mistake. Found by ServerConfigFuzzTest: range checks, addresses, a malformed backslash-u escape, repeated
 * WebAuthn origins and non-UTF-8 bytes used to escape with a bare message such as "must be at least 1: 0".
 */
class ServerConfigFileErrorsTest {
    @TempDir
    Path dir;

    private <T extends Exception> String refusal(Class<T> type, byte[] content) throws IOException {
        Path file = dir.resolve("server.properties");
        Files.write(file, content);
        String message = assertThrows(type, () -> ServerConfig.load(file)).getMessage();
        assertTrue(message.contains(file.toString()), () -> "the message does not name the file: " + message);
        return message;
    }

    @Test
    void aCountOutOfRangeNamesTheFileAndTheKey() throws IOException {
        String m = refusal(IllegalArgumentException.class, "connections.max=0\n".getBytes());
        assertTrue(m.contains("connections.max"), m);
    }

    @Test
    void anAddressWithoutPortNamesTheFileAndTheKey() throws IOException {
        String m = refusal(IllegalArgumentException.class, "https.listen=127.0.0.1\n".getBytes());
        assertTrue(m.contains("https.listen"), m);
    }

    @Test
    void aRepeatedWebAuthnOriginNamesTheFileAndTheKey() throws IOException {
        String m = refusal(IllegalArgumentException.class,
                "webauthn.origins=https://a.example, https://a.example\n".getBytes());
        assertTrue(m.contains("webauthn.origins"), m);
    }

    @Test
    void aMalformedUnicodeEscapeNamesTheFile() throws IOException {
        refusal(IllegalArgumentException.class, "db.password=\\u00zz\n".getBytes());
    }

    @Test
    void aFileThatIsNotUtf8NamesTheFile() throws IOException {
        refusal(IOException.class, new byte[] {'d', 'b', '.', 'u', 's', 'e', 'r', '=', (byte) 0xff, '\n'});
    }
}
