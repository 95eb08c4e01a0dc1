package org.opencluster.auth.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.opencluster.auth.token.Token;

/**
 * The server's meters, in one place so their names and labels stay few and fixed. Every label value comes from a
 * closed set (a result class, a proof kind, a suite name of the registry, a reason the code names): never a user
 * name, an address or free text, so a flood of odd clients cannot grow the number of series.
 *
 * <p>The meters are plain Micrometer: the application gives a Prometheus registry (served by the
 * {@link AdminListener}), an embedder any registry; {@link #none()} records into nothing.
 */
public final class ServerMetrics {
    /** Logins ended, by {@code result}, {@code proof} and {@code suite}. */
    public static final String LOGINS = "oca.logins";
    /** Lockouts started by the login throttle, by {@code kind} (account, source, device). */
    public static final String LOCKOUTS = "oca.lockouts";
    /** Established sessions (TCP and REST) right now. */
    public static final String LIVE_SESSIONS = "oca.sessions.live";
    /** From a connection's (or REST session's) start to the end of its login, by {@code result}. */
    public static final String HANDSHAKE_DURATION = "oca.handshake.duration";
    /** One operation of one of the server's own key tokens, by {@code role}, {@code operation}, {@code outcome}. */
    public static final String TOKEN_OPERATION_DURATION = "oca.token.operation.duration";
    /** Frames the server could not open (tampered, replayed, reordered, cut), by {@code error}. */
    public static final String FRAME_FAILURES = "oca.frame.failures";
    /** The store's connection pool, by {@code state} (active, idle, pending). */
    public static final String STORE_POOL = "oca.store.pool.connections";
    /** Statements the store ran on the database (what a login costs it, with {@link #LOGINS}: issue 16). */
    public static final String STORE_STATEMENTS = "oca.store.statements";
    /** Connections and logins refused before authentication, by {@code reason}. */
    public static final String PRE_AUTH_REJECTIONS = "oca.preauth.rejections";

    /** The proof and suite label of a login that failed before it got that far. */
    public static final String NONE = "none";

    private final MeterRegistry registry;

    public ServerMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry);
    }

    /** Meters that record into nothing (an embedder that did not ask for metrics). */
    public static ServerMetrics none() {
        return new ServerMetrics(new CompositeMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    /**
     * One login ended.
     *
     * @param result   {@code ok}, or the class of the failure ({@code negotiation}, {@code request_refused},
     *                 {@code proof_refused}, {@code abandoned})
     * @param proof    the proof kind asked, lower case, or {@link #NONE}
     * @param suite    the negotiated suite's name, or {@link #NONE}
     * @param nanos    how long the handshake took
     */
    public void loginEnded(String result, String proof, String suite, long nanos) {
        Counter.builder(LOGINS).description("Logins ended, by result, proof kind and suite")
                .tag("result", result).tag("proof", proof).tag("suite", suite).register(registry).increment();
        Timer.builder(HANDSHAKE_DURATION).description("Connection start to the end of its login")
                .tag("result", "ok".equals(result) ? "ok" : "failed").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The throttle locked an account, a source or a device ({@code kind}). */
    public void lockoutStarted(String kind) {
        Counter.builder(LOCKOUTS).description("Lockouts started by the login throttle").tag("kind", kind)
                .register(registry).increment();
    }

    /** A frame the server could not open ({@code error}: the frame error's name). */
    public void frameFailed(String error) {
        Counter.builder(FRAME_FAILURES).description("Frames that could not be opened").tag("error", error)
                .register(registry).increment();
    }

    /** A connection, hello or login refused before authentication ({@code reason}: a fixed word of the code). */
    public void preAuthRejected(String reason) {
        Counter.builder(PRE_AUTH_REJECTIONS).description("Refusals before authentication, by reason")
                .tag("reason", reason).register(registry).increment();
    }

    /** {@link #LIVE_SESSIONS} reads {@code live} of {@code source} at each scrape. */
    public <T> void liveSessions(T source, ToDoubleFunction<T> live) {
        Gauge.builder(LIVE_SESSIONS, source, live).description("Established sessions").strongReference(true)
                .register(registry);
    }

    /** {@link #STORE_POOL} reads the pool's state at each scrape (empty once the pool is closed). */
    public void storePool(Supplier<PoolState> pool) {
        gaugePool("active", pool, PoolState::active);
        gaugePool("idle", pool, PoolState::idle);
        gaugePool("pending", pool, PoolState::pending);
    }

    /**
     * {@link #STORE_STATEMENTS} reads {@code count} of {@code store} at each scrape (a count that only grows). The
     * meter holds {@code store} weakly: pass the store itself (its owner holds it), never a lambda or method
     * reference, which nothing else holds and which would read NaN after the next collection.
     */
    public <T> void storeStatements(T store, ToDoubleFunction<T> count) {
        io.micrometer.core.instrument.FunctionCounter.builder(STORE_STATEMENTS, store, count)
                .description("Statements the store ran on its database").register(registry);
    }

    private void gaugePool(String state, Supplier<PoolState> pool, ToDoubleFunction<PoolState> value) {
        Gauge.builder(STORE_POOL, pool, p -> value.applyAsDouble(p.get())).tag("state", state)
                .description("The store's connection pool").strongReference(true).register(registry);
    }

    /** The store's pool at one moment: connections in use, idle, and threads waiting for one. */
    public record PoolState(int active, int idle, int pending) {
        public static final PoolState CLOSED = new PoolState(0, 0, 0);
    }

    /** {@code token} with each operation timed under {@link #TOKEN_OPERATION_DURATION} with {@code role}. */
    public Token timed(String role, Token token) {
        return new TimedToken(token, (operation, outcome, nanos) -> Timer.builder(TOKEN_OPERATION_DURATION)
                .description("Operations of the server's own key tokens").tag("role", role)
                .tag("operation", operation).tag("outcome", outcome).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry).record(nanos, TimeUnit.NANOSECONDS));
    }
}
