package org.opencluster.auth.server.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Fuzz target for the server configuration file: the input is the file's content, parsed from memory by
 * {@link ServerConfig#load(Path, byte[])}, the parser behind {@link ServerConfig#load(Path)} (writing and reading a
 * real file per input made this target the slowest but one, 2.7k exec/s).
 *
 * <p>Contract: {@link IllegalArgumentException} (a bad key or value) or {@link IOException} (unreadable file), each
 * with a message that names the file, so an operator can find the mistake; nothing else escapes.
 *
 * <p>Inputs whose {@code listen} or {@code https.listen} host is a name rather than an IP literal are skipped: the
 * address is resolved while loading, and a fuzzer must not send millions of DNS queries.
 */
class ServerConfigFuzzTest {
    private static final Pattern LITERAL_HOST = Pattern.compile("\\[?[0-9a-fA-F:.%]*\\]?");
    /** Never written: only named in the messages (and the base of a relative data.dir). */
    private static final Path FILE = Path.of(System.getProperty("java.io.tmpdir"), "oca-config-fuzz",
            "server.properties");

    @FuzzTest
    void load(byte[] content) throws IOException {
        if (needsNameResolution(content)) {
            return;
        }
        try {
            ServerConfig.load(FILE, content);
        } catch (IllegalArgumentException | IOException e) {
            String message = e.getMessage();
            assertTrue(message != null && message.contains(FILE.toString()),
                    () -> e.getClass().getName() + " does not name the file: " + message);
        } catch (RuntimeException | Error e) {
            throw new AssertionError("only IllegalArgumentException or IOException may escape ServerConfig.load", e);
        }
    }

    private static boolean needsNameResolution(byte[] content) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(content)).toString()));
        } catch (CharacterCodingException | IllegalArgumentException e) {
            return false; // load refuses such a file before any address is read
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String key : new String[] {"listen", "https.listen"}) {
            String v = p.getProperty(key);
            if (v != null) {
                v = v.strip();
                int colon = v.lastIndexOf(':');
                if (colon >= 0 && !LITERAL_HOST.matcher(v.substring(0, colon)).matches()) {
                    return true;
                }
            }
        }
        return false;
    }
}
