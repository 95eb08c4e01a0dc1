package org.opencluster.auth.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** What the CLI tests share: {@code oca} run in this process with its output kept, and the checks of its messages. */
abstract class CliRunTest {
    @TempDir
    Path dir;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int oca(String... args) {
        return OcaCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    /** stderr is one line holding every fragment: no stack trace, no usage screen. */
    void assertOneLine(String... fragments) {
        String text = err.toString();
        assertEquals(1, text.lines().count(), "one line: " + text);
        for (String fragment : fragments) {
            assertTrue(text.contains(fragment), text);
        }
        assertFalse(text.contains("Exception") || text.contains("\tat ") || text.contains("Usage:"), text);
    }

    /** Nothing connected to {@code server} (whose accept times out). */
    static void assertThrowsTimeout(ServerSocket server) throws Exception {
        try (java.net.Socket s = server.accept()) {
            throw new AssertionError("the CLI connected: " + s);
        } catch (java.net.SocketTimeoutException expected) {
            // nothing connected
        }
    }
}
