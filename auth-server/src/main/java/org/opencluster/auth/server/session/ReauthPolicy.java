package org.opencluster.auth.server.session;

import java.time.Duration;
import java.util.Objects;

/**
 * When a session must prove possession of its account key again (docs/PROTOCOL.md section 5.13). After
 * {@code interval} every command but the re-authentication gets {@code REAUTH_REQUIRED}; after {@code interval +
 * grace} without one the server ends the session. With a card or a token the proof is a fresh token operation, so a
 * removed card ends the session at the latest one grace period after its next due time.
 */
public record ReauthPolicy(Duration interval, Duration grace) {
    public static final ReauthPolicy DEFAULT = new ReauthPolicy(Duration.ofHours(1), Duration.ofMinutes(2));

    public ReauthPolicy {
        Objects.requireNonNull(interval);
        Objects.requireNonNull(grace);
        if (interval.isNegative() || interval.isZero() || grace.isNegative()) {
            throw new IllegalArgumentException("the re-authentication interval must be positive and the grace >= 0");
        }
    }
}
