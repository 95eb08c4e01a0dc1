package org.opencluster.auth.client.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;

/**
 * Fuzz target for a key file's content ({@code --key-file}): the input is the file's bytes, parsed from memory by
 * {@link KeyFiles#parsePkcs8} (what {@link KeyFiles#readPkcs8} does after its bounded read) and checked as
 * {@link KeyFiles.Credential} checks it (a PKCS#8 key the software token accepts).
 *
 * <p>Contract: a usable key, or {@link CliErrors.InputFileException} (exit 78) whose one-line message names the
 * file; nothing else escapes.
 */
class KeyFilesFuzzTest {
    /** Never written: only named in the messages. */
    private static final Path FILE = Path.of("/nonexistent/oca-key-fuzz/key.pem");

    @FuzzTest
    void parse(byte[] content) {
        try {
            byte[] der = KeyFiles.parsePkcs8(content.clone(), FILE, "--key-file");
            new KeyFiles.Credential(der, FILE, "--key-file").close();
        } catch (CliErrors.InputFileException e) {
            String message = e.getMessage();
            assertTrue(message != null && message.contains(FILE.toString()) && message.indexOf('\n') < 0,
                    () -> "the refusal does not name the file in one line: " + message);
        } catch (RuntimeException | Error e) {
            throw new AssertionError("only InputFileException may escape a key file's parsing", e);
        }
    }
}
