package org.opencluster.auth.server.boot;

import java.time.Instant;
import java.util.Optional;
import org.opencluster.auth.token.TokenError;

/**
 * What a health endpoint says about one of the server's own key tokens (server key, cluster CA key): whether it
 * works now and, while it does not, since when and why. An immutable snapshot; {@link HealingToken#health()} gives
 * the current one.
 *
 * @param role       which key: {@code server} or {@code cluster-ca}
 * @param token      the token's label (never a PIN or a URI's query)
 * @param state      {@link State#UP} while operations work, {@link State#LOST} from the first failure that says
 *                   the token is gone until a reopen succeeds
 * @param since      the wall-clock time of the last state change (for people; decisions use the monotonic clock)
 * @param lastError  what the last failure said, while lost
 * @param recoveries how often the token came back after being lost since the server started
 */
public record TokenHealth(String role, String token, State state, Instant since, Optional<TokenError> lastError,
        int recoveries) {
    public enum State { UP, LOST }

    public boolean up() {
        return state == State.UP;
    }
}
