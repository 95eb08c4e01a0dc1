package org.opencluster.auth.server.webauthn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.yubico.webauthn.data.PublicKeyCredentialCreationOptions;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.opencluster.auth.server.store.JdbcPendingRegistrations;
import org.opencluster.auth.server.store.PendingRegistration;

/**
 * Registrations between BEGIN and FINISH, one per account (a new BEGIN replaces the previous one), each usable
 * once and only until it expires. Kept in the database (issue 16), so that a FINISH on another node of the cluster
 * finds the BEGIN, and a replayed or concurrent FINISH on any node finds it gone; bounded so that sessions cannot
 * fill the table.
 */
final class PendingRegistrations {
    static final int MAX_PENDING = 10_000;

    private final JdbcPendingRegistrations table;
    private final Clock clock;
    private final Duration lifetime;

    PendingRegistrations(JdbcPendingRegistrations table, Clock clock, Duration lifetime) {
        this.table = table;
        this.clock = clock;
        this.lifetime = lifetime;
    }

    /** False when too many registrations are in progress (after dropping the expired ones). */
    boolean put(String username, PublicKeyCredentialCreationOptions options) {
        Instant now = clock.instant();
        String json;
        try {
            json = options.toJson();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("creation options do not serialise", e);
        }
        return table.put(new PendingRegistration(username, options.getChallenge().getBytes(), json,
                now.plus(lifetime)), now);
    }

    /** Takes the account's registration out (whatever FINISH then decides, it cannot be used twice). */
    Optional<PublicKeyCredentialCreationOptions> take(String username) {
        return table.take(username, clock.instant()).map(p -> {
            try {
                return PublicKeyCredentialCreationOptions.fromJson(p.options());
            } catch (IOException e) {
                // written by this code from the library's own toJson(): a row that does not parse is corrupt
                throw new IllegalStateException("a stored registration does not parse", e);
            }
        });
    }
}
