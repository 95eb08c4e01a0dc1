package org.opencluster.auth.server.admin;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import org.opencluster.auth.protocol.command.AccountLifecycleCommands;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.EnrolCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.dispatch.Access;
import org.opencluster.auth.server.dispatch.Caller;
import org.opencluster.auth.server.dispatch.CommandDispatcher;
import org.opencluster.auth.server.dispatch.CommandException;
import org.opencluster.auth.server.enrol.EnrolHandlers;
import org.opencluster.auth.server.login.EnrolmentCodeKey;
import org.opencluster.auth.server.session.SessionRegistry;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.store.AccountStore;
import org.opencluster.auth.server.store.EnrolmentCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admin delete and reset (docs/PROTOCOL.md 8.3). Both take effect at once: the account row goes (with its security
 * keys and unused codes), so its key and envelope fail at the next login like an unknown name's, and its live
 * sessions on this node end. A reset stores a one-time code for the same name, kind and role in the same
 * transaction: the name comes back only through that code, with a key its owner makes anew.
 */
public final class AccountRemovalHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(AccountRemovalHandlers.class);

    private final AccountStore accounts;
    private final SessionRegistry sessions;
    private final EnrolmentCodeKey codes;
    private final Clock clock;

    public AccountRemovalHandlers(AccountStore accounts, SessionRegistry sessions, EnrolmentCodeKey codes,
            Clock clock) {
        this.accounts = Objects.requireNonNull(accounts);
        this.sessions = Objects.requireNonNull(sessions);
        this.codes = Objects.requireNonNull(codes);
        this.clock = Objects.requireNonNull(clock);
    }

    public CommandDispatcher.Builder install(CommandDispatcher.Builder b) {
        return b
                .route(AccountLifecycleCommands.ADMIN_ACCOUNT_DELETE, Access.ADMIN_ONLY, (c, cmd, out) -> {
                    String name = otherAccount(c, cmd, "delete");
                    if (!accounts.deleteAccount(name)) {
                        throw new CommandException(ErrorCode.NOT_FOUND, "no account " + name);
                    }
                    int ended = sessions.endUser(name, "the account was deleted by an admin");
                    LOG.info("event=admin.account.deleted admin={} account={} sessions_ended={}", c.username(), name,
                            ended);
                    out.send(RispCommand.none(CoreCommands.OK.id()));
                })
                .route(AccountLifecycleCommands.ADMIN_ACCOUNT_RESET, Access.ADMIN_ONLY, (c, cmd, out) -> {
                    String name = otherAccount(c, cmd, "reset");
                    Account account = accounts.findAccount(name)
                            .orElseThrow(() -> new CommandException(ErrorCode.NOT_FOUND, "no account " + name));
                    EnrolmentCodeKey.NewCode code = codes.make(EnrolmentCode.NEW_ACCOUNT, Optional.of(name), account.role(),
                            account.kind(), clock.instant().plus(EnrolHandlers.CODE_LIFETIME));
                    if (!accounts.resetAccount(name, code.stored())) {
                        throw new CommandException(ErrorCode.NOT_FOUND, "no account " + name);
                    }
                    int ended = sessions.endUser(name, "the account was reset by an admin");
                    LOG.info("event=admin.account.reset admin={} account={} sessions_ended={}", c.username(), name,
                            ended);
                    out.send(RispCommand.string(EnrolCommands.ENROLMENT_CODE_IS.id(),
                            code.code().getBytes(StandardCharsets.US_ASCII)));
                });
    }

    /** The named account, which must not be the admin's own: an admin never locks themselves out by mistake. */
    private static String otherAccount(Caller c, RispCommand cmd, String verb) throws CommandException {
        String name = StandardCharsets.UTF_8.decode(cmd.bytes()).toString();
        if (name.equals(c.username())) {
            throw new CommandException(ErrorCode.CONFLICT, "an admin cannot " + verb + " their own account");
        }
        return name;
    }
}
