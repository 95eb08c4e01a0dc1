package org.opencluster.auth.server.limit;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.opencluster.auth.protocol.time.MonotonicClock;
import org.opencluster.auth.server.log.LogValues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limits failed logins, shared by every transport (TCP and REST), in three kinds of bucket (docs/PROTOCOL.md
 * section 5.14):
 * <ul>
 * <li><b>source</b> (an opaque key: the caller's address prefix): every failure counts, whatever the account;</li>
 * <li><b>account</b>: failures from devices the server does not know, and only for accounts that can be guessed
 * online (a passphrase envelope, an enrolment code, or an unknown name, which must look like one);</li>
 * <li><b>device</b> (an account's device token, {@link DeviceTokens}): a device that logged in to that account
 * before is exempt from the account and source locks and has its own small limit instead, so strangers cannot
 * lock the owner out.</li>
 * </ul>
 *
 * <p>Each bucket has a failure count that decays: every {@code decay} one failure is forgiven, nothing while locked.
 * When a bucket reaches its limit it is locked, for {@code lockout} the first time and twice as long at each lock
 * after that, up to {@code maxLockout}; its count stays one below the limit, so the next failure locks again. The
 * doubling is forgotten once the count has decayed to zero. A success clears the account (unknown device) or the
 * device bucket, never the source's (one good account must not launder a scanning source).
 *
 * <p>Time is measured with a monotonic ticker (nanoseconds, {@link MonotonicClock#system()} by default), never the
 * wall clock. Each kind keeps at most {@code maxTrackedKeys} buckets, least recently used evicted first, in O(1).
 */
public final class LoginThrottle {
    private static final Logger LOG = LoggerFactory.getLogger(LoginThrottle.class);
    private final Buckets sources;
    private final Buckets accounts;
    private final Buckets devices;
    private final long decayNanos;
    private final long lockoutNanos;
    private final long maxLockoutNanos;
    private final LongSupplier ticker;
    private final DeviceTokens deviceTokens;
    /** Runs before every check: throws when no login may proceed on this node at all (see the builder). */
    private final Runnable admission;
    /** Told the kind (source, account, device) of each lock that starts: the server's metrics. */
    private final java.util.List<java.util.function.Consumer<String>> lockoutListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * One login attempt as the throttle sees it.
     *
     * @param device    the device id of a valid device token for this very account, if the client presented one
     * @param guessable whether a stranger could guess this account's credential online (passphrase envelope,
     *                  enrolment code, unknown name); false for accounts whose login needs a private key
     */
    public record Attempt(String account, String source, Optional<String> device, boolean guessable) {
        public Attempt {
            Objects.requireNonNull(account);
            Objects.requireNonNull(source);
            Objects.requireNonNull(device);
        }

        /** An attempt from an unknown device at a guessable account (how an unknown name is treated). */
        public static Attempt unknownDevice(String account, String source) {
            return new Attempt(account, source, Optional.empty(), true);
        }

        private String deviceKey() {
            // The device id is fixed-length hex, so the pair cannot be confused with another.
            return device.orElseThrow() + ":" + account;
        }
    }

    /** Why a login may not proceed now, or {@link Verdict#ALLOWED}. */
    public enum Verdict { ALLOWED, ACCOUNT_LOCKED, SOURCE_LOCKED, DEVICE_LOCKED }

    /** The buckets live in the database: recording an outcome is a transaction, which may wait. */
    private final boolean settlingMayBlock;
    /**
     * Records failures of logins whose connection is gone (a hang-up, a deadline) off the thread that noticed it,
     * an I/O thread that serves many connections; made on first use. One thread, so one slow database holds up one
     * thread only; a bounded queue, and when it is full the caller records the failure itself (a count is never
     * dropped: an attacker must not gain guesses by hanging up while the database is slow).
     */
    private volatile ThreadPoolExecutor detached;

    private LoginThrottle(Builder b) {
        this.sources = buckets(b, "source", b.maxSourceFailures);
        this.accounts = buckets(b, "account", b.maxAccountFailures);
        this.devices = buckets(b, "device", b.maxDeviceFailures);
        this.decayNanos = b.decay.toNanos();
        this.lockoutNanos = b.lockout.toNanos();
        this.maxLockoutNanos = Math.max(b.lockout.toNanos(), b.maxLockout.toNanos());
        this.ticker = b.ticker;
        this.admission = b.admission;
        this.deviceTokens = b.deviceTokens != null ? b.deviceTokens : DeviceTokens.ephemeral();
        this.settlingMayBlock = b.shared != null;
    }

    /**
     * Whether {@link #recordSuccess(Attempt)} and {@link #recordFailure(Attempt)} may wait on something besides this
     * CPU (the database the nodes share): then a login step that settles the login's outcome must not run on an I/O
     * thread (ServerHandshake's {@code nextStepMayBlock}).
     */
    public boolean settlingMayBlock() {
        return settlingMayBlock;
    }

    /**
     * {@link #recordFailure(Attempt)} for a login whose connection is gone, called where waiting is not allowed (the
     * I/O thread that saw the hang-up or the deadline): at once when settling cannot block, else on the throttle's
     * own thread. A failure that cannot be stored is logged (the database is down: every check fails meanwhile).
     */
    public void recordFailureDetached(Attempt a) {
        if (!settlingMayBlock) {
            recordFailure(a);
            return;
        }
        detachedSettler().execute(() -> {
            try {
                recordFailure(a);
            } catch (RuntimeException e) {
                LOG.warn("event=login.failure_not_counted user={} error={}", LogValues.quote(a.account()),
                        LogValues.quote(e.getClass().getSimpleName()));
            }
        });
    }

    private ThreadPoolExecutor detachedSettler() {
        ThreadPoolExecutor e = detached;
        if (e == null) {
            synchronized (this) {
                e = detached;
                if (e == null) {
                    e = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
                            new ArrayBlockingQueue<>(DETACHED_QUEUE), r -> {
                                Thread t = new Thread(r, "oca-throttle-settle");
                                t.setDaemon(true);
                                return t;
                            }, new ThreadPoolExecutor.CallerRunsPolicy());
                    e.allowCoreThreadTimeOut(true);
                    detached = e;
                }
            }
        }
        return e;
    }

    /** Failures waiting for the database at most, before the callers record their own (back-pressure). */
    private static final int DETACHED_QUEUE = 10_000;

    private Buckets buckets(Builder b, String kind, int max) {
        return b.shared != null ? new SharedBucketKind(kind, max, b.shared) : new BucketMap(kind, max, b.maxTrackedKeys);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code listener} is told the kind (source, account, device) of every lock that starts from now on. */
    public void onLockout(java.util.function.Consumer<String> listener) {
        lockoutListeners.add(Objects.requireNonNull(listener));
    }

    /** The tokens that name known devices (issued and verified by the handshake). */
    public DeviceTokens deviceTokens() {
        return deviceTokens;
    }

    public Verdict check(Attempt a) {
        admission.run();
        long now = ticker.getAsLong();
        if (a.device().isPresent()) {
            return devices.lockedFor(a.deviceKey(), now) > 0 ? Verdict.DEVICE_LOCKED : Verdict.ALLOWED;
        }
        if (sources.lockedFor(a.source(), now) > 0) {
            return Verdict.SOURCE_LOCKED;
        }
        if (a.guessable() && accounts.lockedFor(a.account(), now) > 0) {
            return Verdict.ACCOUNT_LOCKED;
        }
        return Verdict.ALLOWED;
    }

    /** Time until this attempt may be made (zero when it may now). */
    public Duration retryAfter(Attempt a) {
        long now = ticker.getAsLong();
        long wait;
        if (a.device().isPresent()) {
            wait = devices.lockedFor(a.deviceKey(), now);
        } else {
            wait = Math.max(sources.lockedFor(a.source(), now),
                    a.guessable() ? accounts.lockedFor(a.account(), now) : 0);
        }
        return Duration.ofNanos(wait);
    }

    public void recordFailure(Attempt a) {
        long now = ticker.getAsLong();
        sources.fail(a.source(), now);
        if (a.device().isPresent()) {
            devices.fail(a.deviceKey(), now);
        } else if (a.guessable()) {
            accounts.fail(a.account(), now);
        }
    }

    /**
     * A login succeeded. From a known device it clears that device's bucket only: the owner logging in must not
     * hand strangers a fresh set of guesses at the account.
     */
    public void recordSuccess(Attempt a) {
        if (a.device().isPresent()) {
            devices.clear(a.deviceKey());
        } else {
            accounts.clear(a.account());
        }
    }

    public Verdict check(String account, String source) {
        return check(Attempt.unknownDevice(account, source));
    }

    public void recordFailure(String account, String source) {
        recordFailure(Attempt.unknownDevice(account, source));
    }

    public void recordSuccess(String account) {
        accounts.clear(account);
    }

    public Duration retryAfter(String account, String source) {
        return retryAfter(Attempt.unknownDevice(account, source));
    }

    /** Buckets held now, all kinds together (for tests of the bound). */
    int trackedKeys() {
        return sources.size() + accounts.size() + devices.size();
    }

    /** Failure count and lock of one key in memory; guarded by its {@link BucketMap}. */
    private static final class Bucket {
        BucketState state;
        /** A lock was logged as started and its end not yet (it is logged when the bucket is next looked at). */
        boolean lockLogged;

        Bucket(long now) {
            this.state = BucketState.fresh(now);
        }
    }

    /** Where one kind of bucket lives: this process's memory, or the database the nodes share. */
    private interface Buckets {
        long lockedFor(String key, long now);

        void fail(String key, long now);

        void clear(String key);

        int size();
    }

    /** Buckets of one kind in the database ({@link SharedBuckets}): every node sees the same counts. */
    private final class SharedBucketKind implements Buckets {
        private final String kind;
        private final int max;
        private final SharedBuckets shared;

        SharedBucketKind(String kind, int max, SharedBuckets shared) {
            this.kind = kind;
            this.max = max;
            this.shared = shared;
        }

        @Override
        public long lockedFor(String key, long now) {
            return shared.read(kind, key).map(b -> Math.max(0, b.lockedUntil() - now)).orElse(0L);
        }

        @Override
        public void fail(String key, long now) {
            SharedBuckets.Change c = shared.update(kind, key,
                    old -> failed(old.orElseGet(() -> BucketState.fresh(now)), now, max));
            if (c.after().lockedUntil() != c.before().map(BucketState::lockedUntil).orElse(now)) {
                logLockStart(kind, key, c.after());
            }
        }

        @Override
        public void clear(String key) {
            shared.clear(kind, key);
        }

        @Override
        public int size() {
            return 0;
        }
    }

    private void logLockStart(String kind, String key, BucketState b) {
        LOG.warn("event=login.lockout_started kind={} {}={} duration_s={} strike={}", kind, field(kind),
                subject(kind, key), Math.max(1, Duration.ofNanos(lockFor(b.strikes())).toSeconds()), b.strikes());
        lockoutListeners.forEach(l -> l.accept(kind));
    }

    /** The field a line names the locked thing in: source, or account (a device's lock is on one account). */
    private static String field(String kind) {
        return kind.equals("source") ? "source" : "account";
    }

    /** What a line names: the account or source; for a device only its account (the device id stays out). */
    private static String subject(String kind, String key) {
        return LogValues.quote(kind.equals("device") ? key.substring(key.indexOf(':') + 1) : key);
    }

    /**
     * The buckets of one kind in memory: an access-ordered map under one lock, so a lookup, an insert and the
     * eviction of the least recently used bucket past the cap are each O(1). The work under the lock is a few
     * arithmetic steps.
     */
    private final class BucketMap implements Buckets {
        /** The kind in log lines: source, account or device. */
        private final String kind;
        private final int max;
        private final LinkedHashMap<String, Bucket> map;

        BucketMap(String kind, int max, int cap) {
            this.kind = kind;
            this.max = max;
            this.map = new LinkedHashMap<>(Math.min(cap, 1 << 16), 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
                    return size() > cap;
                }
            };
        }

        @Override
        public synchronized long lockedFor(String key, long now) {
            Bucket b = map.get(key);
            if (b == null) {
                return 0;
            }
            noteEnd(key, b, now);
            return Math.max(0, b.state.lockedUntil() - now);
        }

        @Override
        public synchronized void fail(String key, long now) {
            Bucket b = map.computeIfAbsent(key, k -> new Bucket(now));
            noteEnd(key, b, now);
            BucketState next = failed(b.state, now, max);
            boolean locked = next.lockedUntil() != b.state.lockedUntil();
            b.state = next;
            if (locked) {
                b.lockLogged = true;
                logLockStart(kind, key, next);
            }
        }

        @Override
        public synchronized void clear(String key) {
            Bucket b = map.remove(key);
            if (b != null && b.lockLogged) {
                LOG.info("event=login.lockout_ended kind={} {}={} by=successful_login", kind, field(kind),
                        subject(kind, key));
            }
        }

        /**
         * Logs the end of a lock the first time the bucket is looked at after it (the throttle has no timer of its
         * own; the start line says how long the lock lasts).
         */
        private void noteEnd(String key, Bucket b, long now) {
            if (b.lockLogged && b.state.lockedUntil() - now <= 0) {
                b.lockLogged = false;
                LOG.info("event=login.lockout_ended kind={} {}={}", kind, field(kind), subject(kind, key));
            }
        }

        @Override
        public synchronized int size() {
            return map.size();
        }
    }

    /**
     * One more failure on {@code b} at {@code now}: decayed first, then counted; at {@code max} the bucket locks
     * (the first lock {@code lockout}, doubling per lock in a row) and its count stays one below the limit.
     */
    private BucketState failed(BucketState b, long now, int max) {
        BucketState d = decayed(b, now);
        long failures = d.failures() + 1;
        if (failures < max) {
            return new BucketState(failures, d.updated(), d.lockedUntil(), d.strikes());
        }
        int strikes = Math.min(d.strikes() + 1, 62);
        return new BucketState(max - 1, d.updated(), now + lockFor(strikes), strikes);
    }

    /** The lock after {@code strikes} locks in a row: lockout, doubled each time, at most maxLockout. */
    private long lockFor(int strikes) {
        long d = lockoutNanos;
        for (int i = 1; i < strikes && d < maxLockoutNanos; i++) {
            d = d > maxLockoutNanos / 2 ? maxLockoutNanos : d * 2;
        }
        return Math.min(d, maxLockoutNanos);
    }

    private BucketState decayed(BucketState b, long now) {
        // Nothing is forgiven while locked, so the first failure after a lock locks again. Ticker values are compared
        // by difference only (System.nanoTime may be negative or wrap).
        long from = b.updated() - b.lockedUntil() > 0 ? b.updated() : b.lockedUntil();
        long elapsed = now - from;
        if (elapsed <= 0) {
            return b;
        }
        long steps = elapsed / decayNanos;
        if (steps <= 0) {
            return b;
        }
        long failures = Math.max(0, b.failures() - steps);
        return new BucketState(failures, from + steps * decayNanos, b.lockedUntil(), failures == 0 ? 0 : b.strikes());
    }

    /**
     * Defaults: 5 failures per account, 50 per source, 5 per known device, one forgiven every 60 s, a 5-minute lock
     * doubling up to 1 hour, 100 000 keys tracked per kind, {@link System#nanoTime}.
     */
    /** Buckets kept per kind (sources, accounts, devices) by default: {@code login.max-tracked-keys}. */
    public static final int DEFAULT_MAX_TRACKED_KEYS = 100_000;

    public static final class Builder {
        private int maxAccountFailures = 5;
        private int maxSourceFailures = 50;
        private int maxDeviceFailures = 5;
        private Duration decay = Duration.ofSeconds(60);
        private Duration lockout = Duration.ofMinutes(5);
        private Duration maxLockout = Duration.ofHours(1);
        private LongSupplier ticker = MonotonicClock.system();
        private int maxTrackedKeys = DEFAULT_MAX_TRACKED_KEYS;
        private DeviceTokens deviceTokens;
        private SharedBuckets shared;
        private Runnable admission = () -> { };

        public Builder maxAccountFailures(int n) {
            this.maxAccountFailures = positive(n);
            return this;
        }

        public Builder maxSourceFailures(int n) {
            this.maxSourceFailures = positive(n);
            return this;
        }

        public Builder maxDeviceFailures(int n) {
            this.maxDeviceFailures = positive(n);
            return this;
        }

        public Builder decay(Duration perFailure) {
            this.decay = positive(perFailure, "decay");
            return this;
        }

        public Builder lockout(Duration lockout) {
            this.lockout = positive(lockout, "lockout");
            return this;
        }

        /** The longest lock the doubling reaches (a value below {@code lockout} means: no doubling). */
        public Builder maxLockout(Duration maxLockout) {
            this.maxLockout = positive(maxLockout, "maxLockout");
            return this;
        }

        /**
         * A monotonic clock in nanoseconds (tests inject one they move), guarded by {@link MonotonicClock} so a
         * source that steps back (libfaketime fakes CLOCK_MONOTONIC too) never lengthens a lock.
         */
        public Builder ticker(LongSupplier nanoTime) {
            this.ticker = MonotonicClock.of(nanoTime);
            return this;
        }

        public Builder maxTrackedKeys(int n) {
            this.maxTrackedKeys = positive(n);
            return this;
        }

        /** The device tokens (default: a fresh random key, so tokens last as long as this throttle). */
        public Builder deviceTokens(DeviceTokens tokens) {
            this.deviceTokens = Objects.requireNonNull(tokens);
            return this;
        }

        /**
         * Keeps the buckets in {@code shared} (the database several nodes share) instead of this process's memory.
         * The ticker must then mean the same on every node: give {@link #ticker} the wall clock in Unix-epoch
         * nanoseconds. {@code maxTrackedKeys} does not apply (the table is pruned by the store).
         */
        public Builder shared(SharedBuckets shared) {
            this.shared = Objects.requireNonNull(shared);
            return this;
        }

        /**
         * A condition of every login on this node, checked first by {@link #check}: it throws when none may proceed
         * (a cluster node whose view of the suite policy and accounts is too old, issue 16).
         */
        public Builder admission(Runnable admission) {
            this.admission = Objects.requireNonNull(admission);
            return this;
        }

        private static int positive(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("must be at least 1: " + n);
            }
            return n;
        }

        private static Duration positive(Duration d, String what) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive");
            }
            return d;
        }

        /** {@code step} applied to this builder (a step that depends on where the server keeps its data). */
        public Builder apply(java.util.function.UnaryOperator<Builder> step) {
            return step.apply(this);
        }

        public LoginThrottle build() {
            return new LoginThrottle(this);
        }
    }
}
