package org.opencluster.auth.client.cli;

import java.io.PrintWriter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A line on stderr for a step that takes more than a second (Argon2id sealing, key generation on a card), so a
 * person does not take a working CLI for a hung one; a quick step prints nothing.
 */
final class Progress implements AutoCloseable {
    static final long AFTER_MILLIS = 1000;

    private final ScheduledExecutorService timer;
    private final ScheduledFuture<?> line;

    private Progress(PrintWriter err, String what, long afterMillis) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "oca-progress");
            t.setDaemon(true);
            return t;
        });
        line = timer.schedule(() -> {
            err.println(what + "...");
            err.flush();
        }, afterMillis, TimeUnit.MILLISECONDS);
    }

    /** Starts the step: {@code what} is printed if it is still running after a second. */
    static Progress of(PrintWriter err, String what) {
        return new Progress(err, what, AFTER_MILLIS);
    }

    static Progress of(PrintWriter err, String what, long afterMillis) {
        return new Progress(err, what, afterMillis);
    }

    @Override
    public void close() {
        line.cancel(false);
        timer.shutdownNow();
    }
}
