package org.opencluster.auth.server.webauthn;

import com.yubico.webauthn.data.PublicKeyCredentialCreationOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registrations between BEGIN and FINISH, one per account (a new BEGIN replaces the previous one), each usable
 * once and only until it expires. Held per server instance; bounded so that sessions cannot fill memory.
 */
final class PendingRegistrations {
    static final int MAX_PENDING = 10_000;

    /** What BEGIN decided, kept for FINISH. */
    record Pending(PublicKeyCredentialCreationOptions options, Instant expiresAt) {
    }

    private final ConcurrentHashMap<String, Pending> byAccount = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration lifetime;

    PendingRegistrations(Clock clock, Duration lifetime) {
        this.clock = clock;
        this.lifetime = lifetime;
    }

    /** False when too many registrations are in progress (after dropping the expired ones). */
    boolean put(String username, PublicKeyCredentialCreationOptions options) {
        Instant now = clock.instant();
        if (byAccount.size() >= MAX_PENDING) {
            byAccount.values().removeIf(p -> !p.expiresAt().isAfter(now));
            if (byAccount.size() >= MAX_PENDING && !byAccount.containsKey(username)) {
                return false;
            }
        }
        byAccount.put(username, new Pending(options, now.plus(lifetime)));
        return true;
    }

    /** Takes the account's registration out (whatever FINISH then decides, it cannot be used twice). */
    Optional<PublicKeyCredentialCreationOptions> take(String username) {
        Pending p = byAccount.remove(username);
        if (p == null || !p.expiresAt().isAfter(clock.instant())) {
            return Optional.empty();
        }
        return Optional.of(p.options());
    }
}
