package org.opencluster.auth.server.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.SessionEndedException;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.risp.RispCommand;

/**
 * A steady login load for the cluster tests: each client thread logs in, sends one PING and logs in again, without
 * pause, until closed; every attempt is recorded with its times (ms since the load began) and outcome.
 */
final class ClusterLoginLoad implements AutoCloseable {
    /** Opens a logged-in session for client {@code client} (its own account, its own node or the balancer). */
    interface Login {
        OcaSession open(int client) throws Exception;
    }

    /** One attempt: when it began and ended, which client, "ok" or what went wrong, and the wire error code if any. */
    record Attempt(long began, long ended, int client, String outcome, Integer code) {
        boolean ok() {
            return outcome.equals("ok");
        }
    }

    private final long start = System.nanoTime();
    private final ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    /**
     * @param pauseAfterRefusalMs how long a client waits after a refusal before it tries again (a person pressing
     *     again), 0 for none
     */
    ClusterLoginLoad(int clients, Login login, long pauseAfterRefusalMs) {
        for (int i = 0; i < clients; i++) {
            int client = i;
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    long began = nowMs();
                    String outcome = "ok";
                    Integer code = null;
                    try (OcaSession s = login.open(client)) {
                        s.exec(RispCommand.none(CoreCommands.PING.id()));
                    } catch (LoginException e) {
                        code = e.code();
                        outcome = "login refused 0x" + Integer.toHexString(e.code()) + " " + e.getMessage();
                    } catch (SessionEndedException e) {
                        code = e.serverCode();
                        outcome = "session ended 0x" + Integer.toHexString(e.serverCode());
                    } catch (Exception e) {
                        outcome = e.getClass().getSimpleName() + ": " + e.getMessage();
                    }
                    attempts.add(new Attempt(began, nowMs(), client, outcome, code));
                    if (code != null && pauseAfterRefusalMs > 0) {
                        pause(pauseAfterRefusalMs);
                    }
                }
            }, "load-" + i);
            t.start();
            threads.add(t);
        }
    }

    long nowMs() {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Every attempt so far, in the order they ended. */
    List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    List<Attempt> failures() {
        return attempts.stream().filter(a -> !a.ok()).toList();
    }

    /** "start: ok/failed" per slot of {@code slotMs} (by when the attempt ended): the dip a reader looks for. */
    String profile(long slotMs) {
        List<Attempt> all = attempts();
        long last = all.stream().mapToLong(Attempt::ended).max().orElse(0) / slotMs;
        StringBuilder b = new StringBuilder();
        for (long s = 0; s <= last; s++) {
            long slot = s;
            long ok = all.stream().filter(a -> a.ended() / slotMs == slot && a.ok()).count();
            long failed = all.stream().filter(a -> a.ended() / slotMs == slot && !a.ok()).count();
            b.append(s * slotMs).append("ms=").append(ok).append('/').append(failed).append(' ');
        }
        return b.toString();
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join(30_000);
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
