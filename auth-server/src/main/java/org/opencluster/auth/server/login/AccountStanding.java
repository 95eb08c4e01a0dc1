package org.opencluster.auth.server.login;

import java.util.Optional;
import org.opencluster.auth.server.log.LogValues;
import org.opencluster.auth.server.dispatch.Caller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step of every account login (key or security key): the proof held, now may the account log in (not
 * disabled, certificate valid now)? The client learns only LOGIN_FAILED, as for a wrong proof; the log says why.
 */
final class AccountStanding {
    private static final Logger LOG = LoggerFactory.getLogger(AccountStanding.class);

    private AccountStanding() {
    }

    /**
     * The grant of a login whose proof check said {@code proven}; empty unless CLIENT_FINISHED, the proof and the
     * account's standing all hold.
     */
    static Optional<LoginGrant> admit(ProofCheck check, boolean proven, Optional<AccountProof> accountProof,
            String remote) {
        Optional<LoginAccount> account = check.subject().account();
        boolean standing = account.isPresent() && account.get().refusal().isEmpty();
        if (check.finishedOk() && proven && account.isPresent() && !standing) {
            LOG.info("event=login.refused user={} remote={} reason=\"{}\"",
                    LogValues.quote(check.subject().username()), remote,
                    account.get().refusal().orElse("-"));
        }
        if (!(check.finishedOk() && proven && standing)) {
            return Optional.empty();
        }
        return Optional.of(new LoginGrant(new Caller(check.subject().username(), account.get().role()), accountProof,
                true));
    }
}
