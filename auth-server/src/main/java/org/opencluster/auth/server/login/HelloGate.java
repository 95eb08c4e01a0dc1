package org.opencluster.auth.server.login;

import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Decides, before any key generation or signature, what a CLIENT_HELLO gets (docs/PROTOCOL.md section 5.3.11):
 * the full signed answer, a HELLO_RETRY with a cookie (an HMAC, microseconds), or RATE_LIMITED. Shared by every
 * connection of the node, TCP and REST.
 *
 * <ul>
 * <li>{@code off}: every hello is answered in full (version-1 behaviour, no accounting).
 * <li>{@code always}: a hello without a valid cookie gets a retry.
 * <li>{@code auto}: a hello without a valid cookie gets a retry when the node is under load (at least
 *     {@code loadThreshold} hellos signed in the last second, all sources) or its source is above its rate (more
 *     than {@code perSourceRate} hellos, with or without cookie, in the last second).
 * </ul>
 * In every mode but off, a hello with a valid cookie is signed only while its source has had fewer than
 * {@code perSourceRate} hellos signed in the last second, else it is RATE_LIMITED: echoing cookies does not buy
 * signatures beyond the source's rate, and a flood that does not echo them gets none once it is above the rate.
 * "The last second" is a sliding estimate over two one-second slots of the monotonic clock.
 */
public final class HelloGate {
    /** {@code hello.cookies}. */
    public enum Mode { AUTO, ALWAYS, OFF }

    /** What to answer. */
    public enum Verdict { SIGN, RETRY, RATE_LIMITED }

    /** Sources tracked at most; past it the least recently seen is forgotten (its counts start at zero again). */
    static final int MAX_SOURCES = 65_536;
    private static final long SECOND = 1_000_000_000L;

    private final Mode mode;
    private final int perSourceRate;
    private final int loadThreshold;
    private final HelloCookies cookies;
    private final LongSupplier nanoTime;
    private final Map<String, Source> sources = new LinkedHashMap<>(1024, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Source> eldest) {
            return size() > MAX_SOURCES;
        }
    };
    private final LastSecond signedByNode = new LastSecond();

    /** Events of the last second: this slot's count plus the unexpired share of the previous slot's. */
    private static final class LastSecond {
        private long slot = Long.MIN_VALUE;
        private long inSlot;
        private long inPreviousSlot;

        long count(long now) {
            long s = Math.floorDiv(now, SECOND);
            if (s != slot) {
                inPreviousSlot = s == slot + 1 ? inSlot : 0;
                inSlot = 0;
                slot = s;
            }
            double elapsed = (double) Math.floorMod(now, SECOND) / SECOND;
            return inSlot + (long) Math.ceil(inPreviousSlot * (1 - elapsed));
        }

        void add(long now) {
            count(now);
            inSlot++;
        }
    }

    private static final class Source {
        final LastSecond hellos = new LastSecond();
        final LastSecond signed = new LastSecond();
    }

    public HelloGate(Mode mode, int perSourceRate, int loadThreshold, HelloCookies cookies, LongSupplier nanoTime) {
        this.mode = Objects.requireNonNull(mode);
        if (perSourceRate < 1 || loadThreshold < 1) {
            throw new IllegalArgumentException("hello.per-source-rate and hello.load-threshold must be at least 1");
        }
        this.perSourceRate = perSourceRate;
        this.loadThreshold = loadThreshold;
        this.cookies = Objects.requireNonNull(cookies);
        this.nanoTime = Objects.requireNonNull(nanoTime);
    }

    /** The gate of a node with these settings, on the system's monotonic clock. */
    public static HelloGate of(Mode mode, int perSourceRate, int loadThreshold, SecureRandom random) {
        return new HelloGate(mode, perSourceRate, loadThreshold, new HelloCookies(random), System::nanoTime);
    }

    /** No cookies and no hello accounting: every hello is signed (the behaviour of version 1 servers). */
    public static HelloGate off() {
        return of(Mode.OFF, 1, 1, new SecureRandom());
    }

    public Mode mode() {
        return mode;
    }

    /**
     * The verdict for one CLIENT_HELLO; {@link Verdict#SIGN} counts as a signature of its source and of the node.
     *
     * @param helloWithoutCookie the hello's bytes without its cookie extension ({@link HelloCookies})
     */
    public Verdict decide(String source, byte[] helloWithoutCookie, Optional<byte[]> cookie) {
        if (mode == Mode.OFF) {
            return Verdict.SIGN;
        }
        boolean cookieValid = cookie.isPresent()
                && cookies.check(cookie.get(), source, helloWithoutCookie) == HelloCookies.Check.VALID;
        long now = nanoTime.getAsLong();
        synchronized (this) {
            Source src = sources.computeIfAbsent(source, s -> new Source());
            src.hellos.add(now);
            if (!cookieValid && (mode == Mode.ALWAYS || src.hellos.count(now) > perSourceRate
                    || signedByNode.count(now) >= loadThreshold)) {
                return Verdict.RETRY;
            }
            if (src.signed.count(now) >= perSourceRate) {
                return Verdict.RATE_LIMITED;
            }
            src.signed.add(now);
            signedByNode.add(now);
            return Verdict.SIGN;
        }
    }

    /** A cookie for a retry (minted only when {@link #decide} said so). */
    public byte[] cookie(String source, byte[] helloWithoutCookie) {
        return cookies.mint(source, helloWithoutCookie);
    }

    /** Settings of {@code hello.*} as read from the configuration (see ServerConfig). */
    public record Settings(Mode mode, int perSourceRate, int loadThreshold) {
        public static final Settings DEFAULT = new Settings(Mode.AUTO, 100, 500);

        public Settings {
            Objects.requireNonNull(mode);
            if (perSourceRate < 1 || loadThreshold < 1) {
                throw new IllegalArgumentException("hello.per-source-rate and hello.load-threshold must be >= 1");
            }
        }

        public HelloGate gate(SecureRandom random) {
            return of(mode, perSourceRate, loadThreshold, random);
        }
    }
}
