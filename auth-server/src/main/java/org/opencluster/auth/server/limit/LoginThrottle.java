package org.opencluster.auth.server.limit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Limits failed logins per account and per source address, shared by every transport (TCP and REST).
 *
 * <p>Each key has a failure count that decays: every {@code decay} one failure is forgiven. When a key reaches its
 * limit it is locked for {@code lockout}; after the lock, one more failure locks it again at once. A success clears
 * the account's count (not the source's: one good account must not launder a scanning source). The check is made
 * <em>before</em> any expensive work, and an unknown username is counted like a known one so the answer does not
 * reveal which usernames exist.
 */
public final class LoginThrottle {
    private final int maxAccountFailures;
    private final int maxSourceFailures;
    private final Duration decay;
    private final Duration lockout;
    private final Clock clock;
    private final int maxTrackedKeys;
    private final ConcurrentHashMap<String, Bucket> accounts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Bucket> sources = new ConcurrentHashMap<>();

    /** Failure count and when it was last brought up to date. */
    private static final class Bucket {
        long failures;
        Instant updated;
        Instant lockedUntil = Instant.MIN;

        Bucket(Instant now) {
            this.updated = now;
        }
    }

    private LoginThrottle(Builder b) {
        this.maxAccountFailures = b.maxAccountFailures;
        this.maxSourceFailures = b.maxSourceFailures;
        this.decay = b.decay;
        this.lockout = b.lockout;
        this.clock = b.clock;
        this.maxTrackedKeys = b.maxTrackedKeys;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Why a login may not proceed now, or {@link Verdict#ALLOWED}. */
    public enum Verdict { ALLOWED, ACCOUNT_LOCKED, SOURCE_LOCKED }

    public Verdict check(String account, String source) {
        Instant now = clock.instant();
        if (lockedFor(sources, source, now).compareTo(Duration.ZERO) > 0) {
            return Verdict.SOURCE_LOCKED;
        }
        if (lockedFor(accounts, account, now).compareTo(Duration.ZERO) > 0) {
            return Verdict.ACCOUNT_LOCKED;
        }
        return Verdict.ALLOWED;
    }

    public void recordFailure(String account, String source) {
        Instant now = clock.instant();
        bump(accounts, account, now, maxAccountFailures);
        bump(sources, source, now, maxSourceFailures);
    }

    public void recordSuccess(String account) {
        accounts.remove(account);
    }

    /** Time until {@code account} may try again (zero when it may now). */
    public Duration retryAfter(String account, String source) {
        Instant now = clock.instant();
        Duration a = lockedFor(accounts, account, now);
        Duration s = lockedFor(sources, source, now);
        return a.compareTo(s) >= 0 ? a : s;
    }

    private static Duration lockedFor(ConcurrentHashMap<String, Bucket> map, String key, Instant now) {
        Bucket b = map.get(key);
        if (b == null) {
            return Duration.ZERO;
        }
        synchronized (b) {
            return now.isBefore(b.lockedUntil) ? Duration.between(now, b.lockedUntil) : Duration.ZERO;
        }
    }

    private void bump(ConcurrentHashMap<String, Bucket> map, String key, Instant now, int max) {
        if (map.size() >= maxTrackedKeys) {
            // Bounded memory under a flood of distinct keys: drop the ones that have fully decayed.
            map.entrySet().removeIf(e -> {
                synchronized (e.getValue()) {
                    decay(e.getValue(), now);
                    return e.getValue().failures < 1 && !now.isBefore(e.getValue().lockedUntil);
                }
            });
        }
        Bucket b = map.computeIfAbsent(key, k -> new Bucket(now));
        synchronized (b) {
            decay(b, now);
            b.failures += 1;
            if (b.failures >= max) {
                b.lockedUntil = now.plus(lockout);
                b.failures = max - 1;
            }
        }
    }

    private void decay(Bucket b, Instant now) {
        // Nothing is forgiven while locked, so the first failure after a lock locks again.
        Instant from = b.updated.isAfter(b.lockedUntil) ? b.updated : b.lockedUntil;
        long steps = Duration.between(from, now).toMillis() / decay.toMillis();
        if (steps > 0) {
            b.failures = Math.max(0, b.failures - steps);
            b.updated = from.plus(decay.multipliedBy(steps));
        }
    }

    /**
     * Defaults: 5 failures per account, 50 per source, one forgiven every 60 s, a 5-minute lock, 100 000 keys
     * tracked per kind.
     */
    public static final class Builder {
        private int maxAccountFailures = 5;
        private int maxSourceFailures = 50;
        private Duration decay = Duration.ofSeconds(60);
        private Duration lockout = Duration.ofMinutes(5);
        private Clock clock = Clock.systemUTC();
        private int maxTrackedKeys = 100_000;

        public Builder maxAccountFailures(int n) {
            this.maxAccountFailures = positive(n);
            return this;
        }

        public Builder maxSourceFailures(int n) {
            this.maxSourceFailures = positive(n);
            return this;
        }

        public Builder decay(Duration perFailure) {
            if (perFailure.isNegative() || perFailure.isZero()) {
                throw new IllegalArgumentException("decay must be positive");
            }
            this.decay = perFailure;
            return this;
        }

        public Builder lockout(Duration lockout) {
            if (lockout.isNegative() || lockout.isZero()) {
                throw new IllegalArgumentException("lockout must be positive");
            }
            this.lockout = lockout;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        public Builder maxTrackedKeys(int n) {
            this.maxTrackedKeys = positive(n);
            return this;
        }

        private static int positive(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("must be at least 1: " + n);
            }
            return n;
        }

        public LoginThrottle build() {
            return new LoginThrottle(this);
        }
    }
}
