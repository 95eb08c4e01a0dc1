package org.opencluster.auth.server.e2e;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Captures what the server logs (slf4j-simple writes to the current {@code System.err} at each call) while still
 * printing it, so a test can check that the server said why it ended a session.
 */
final class ServerLog implements AutoCloseable {
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    ServerLog() {
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (captured) {
                    captured.write(b);
                }
                original.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (captured) {
                    captured.write(b, off, len);
                }
                original.write(b, off, len);
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    String text() {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    /** Waits up to 5 s for a line containing every fragment; returns it, or null. */
    String await(String... fragments) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        do {
            for (String line : text().split("\n")) {
                boolean all = true;
                for (String f : fragments) {
                    all &= line.contains(f);
                }
                if (all) {
                    return line;
                }
            }
            MitmProxy.sleep(20);
        } while (System.nanoTime() < deadline);
        return null;
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}
