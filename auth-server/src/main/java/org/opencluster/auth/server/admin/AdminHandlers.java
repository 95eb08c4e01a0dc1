package org.opencluster.auth.server.admin;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.opencluster.auth.protocol.command.AdminCommands;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.suite.SuiteException;
import org.opencluster.auth.protocol.suite.SuitePolicy;
import org.opencluster.auth.server.dispatch.Access;
import org.opencluster.auth.server.dispatch.AccountNameParameter;
import org.opencluster.auth.server.dispatch.CommandDispatcher;
import org.opencluster.auth.server.dispatch.CommandException;
import org.opencluster.auth.server.dispatch.ReplySink;
import org.opencluster.auth.server.log.LogValues;
import org.opencluster.auth.server.policy.SuitePolicyService;
import org.opencluster.auth.server.session.LiveSession;
import org.opencluster.auth.server.session.SessionRegistry;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.store.AccountStore;
import org.opencluster.auth.server.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves {@link AdminCommands}; every route is {@link Access#ADMIN_ONLY} and every change is logged with its admin. */
public final class AdminHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(AdminHandlers.class);

    private final SuitePolicyService policies;
    private final AccountStore accounts;
    private final SessionRegistry sessions;

    public AdminHandlers(SuitePolicyService policies, AccountStore accounts, SessionRegistry sessions) {
        this.policies = Objects.requireNonNull(policies);
        this.accounts = Objects.requireNonNull(accounts);
        this.sessions = Objects.requireNonNull(sessions);
    }

    public CommandDispatcher.Builder install(CommandDispatcher.Builder b) {
        return b
                .route(AdminCommands.SUITES_GET, Access.ADMIN_ONLY, (c, cmd, out) -> sendPolicy(policies.current(), out))
                .route(AdminCommands.SUITES_SET, Access.ADMIN_ONLY, (c, cmd, out) -> {
                    SuitePolicy wanted = parse(cmd.copyBytes());
                    sendPolicy(change(c.username(), cur -> {
                        if (wanted.version() != cur.version() + 1) {
                            throw new SuiteException(org.opencluster.auth.protocol.suite.SuiteError.STALE_POLICY,
                                    "version " + wanted.version() + " does not follow the current " + cur.version());
                        }
                        return wanted;
                    }), out);
                })
                .route(AdminCommands.SUITE_DISABLE, Access.ADMIN_ONLY, (c, cmd, out) ->
                        sendPolicy(change(c.username(), cur -> cur.disable((int) cmd.number())), out))
                .route(AdminCommands.SUITE_ENABLE, Access.ADMIN_ONLY, (c, cmd, out) ->
                        sendPolicy(change(c.username(), cur -> cur.enable((int) cmd.number(), cur.enabledIds().size())),
                                out))
                .route(AdminCommands.ACCOUNTS_LIST, Access.ADMIN_ONLY, (c, cmd, out) -> {
                    for (Account a : accounts.listAccounts()) {
                        out.send(RispCommand.string(AdminCommands.ACCOUNT_NAME.id(), utf8(a.username())));
                        out.send(RispCommand.integer(AdminCommands.ACCOUNT_KIND.id(), a.kind().ordinal()));
                        out.send(RispCommand.integer(AdminCommands.ACCOUNT_ROLE.id(), a.role().ordinal()));
                        out.send(RispCommand.integer(AdminCommands.ACCOUNT_DISABLED.id(), a.disabled() ? 1 : 0));
                        out.send(RispCommand.integer(
                                org.opencluster.auth.protocol.command.OpaqueCommands.ACCOUNT_CREDENTIAL_VERSION.id(),
                                a.credentialVersion()));
                    }
                    out.send(RispCommand.none(AdminCommands.ACCOUNTS_END.id()));
                })
                .route(AdminCommands.ACCOUNT_DISABLE, Access.ADMIN_ONLY, (c, cmd, out) -> {
                    String name = AccountNameParameter.read(cmd.bytes());
                    if (name.equals(c.username())) {
                        throw new CommandException(ErrorCode.CONFLICT, "an admin cannot disable their own account");
                    }
                    if (!accounts.setDisabled(name, true)) {
                        throw new CommandException(ErrorCode.NOT_FOUND, "no account " + name);
                    }
                    int ended = sessions.endUser(name, "the account was disabled by an admin");
                    LOG.info("event=admin.account.disabled admin={} account={} sessions_ended={}", LogValues.quote(c.username()),
                            LogValues.quote(name), ended);
                    out.send(RispCommand.none(CoreCommands.OK.id()));
                })
                .route(AdminCommands.ACCOUNT_ENABLE, Access.ADMIN_ONLY, (c, cmd, out) -> {
                    String name = AccountNameParameter.read(cmd.bytes());
                    if (!accounts.setDisabled(name, false)) {
                        throw new CommandException(ErrorCode.NOT_FOUND, "no account " + name);
                    }
                    LOG.info("event=admin.account.enabled admin={} account={}", LogValues.quote(c.username()),
                            LogValues.quote(name));
                    out.send(RispCommand.none(CoreCommands.OK.id()));
                })
                .route(AdminCommands.SESSIONS_LIST, Access.ADMIN_ONLY, (c, cmd, out) -> {
                    for (LiveSession s : sessions.listCluster()) {
                        out.send(RispCommand.integer(AdminCommands.SESSION_ID.id(), s.id()));
                        out.send(RispCommand.string(AdminCommands.SESSION_USER.id(), utf8(s.username())));
                        out.send(RispCommand.integer(AdminCommands.SESSION_SUITE.id(), s.suiteId()));
                        out.send(RispCommand.integer(AdminCommands.SESSION_STARTED.id(), s.startedAt().getEpochSecond()));
                    }
                    out.send(RispCommand.none(AdminCommands.SESSIONS_END.id()));
                })
                .route(AdminCommands.SESSION_END, Access.ADMIN_ONLY, (c, cmd, out) -> {
                    LiveSession s = sessions.find(cmd.number())
                            .orElseThrow(() -> new CommandException(ErrorCode.NOT_FOUND, "no such session"));
                    s.terminate("ended by an admin");
                    sessions.remove(s);
                    LOG.info("event=admin.session.ended admin={} session={} user={}", LogValues.quote(c.username()),
                            Long.toHexString(s.id()), LogValues.quote(s.username()));
                    out.send(RispCommand.none(CoreCommands.OK.id()));
                });
    }

    private SuitePolicy parse(byte[] encoded) throws CommandException {
        try {
            return SuitePolicy.parse(policies.registry(), encoded);
        } catch (SuiteException e) {
            throw new CommandException(ErrorCode.BAD_PARAMETER, e.getMessage());
        }
    }

    private SuitePolicy change(String admin, SuitePolicyService.Change change) throws CommandException {
        try {
            SuitePolicy p = policies.change(admin, change);
            LOG.info("event=admin.policy.changed admin={} policy_version={} suites={}", LogValues.quote(admin), p.version(),
                    LogValues.quote(p.enabledIds()));
            return p;
        } catch (SuiteException e) {
            ErrorCode code = e.error() == org.opencluster.auth.protocol.suite.SuiteError.STALE_POLICY
                    ? ErrorCode.CONFLICT : ErrorCode.BAD_PARAMETER;
            throw new CommandException(code, e.getMessage());
        } catch (StoreException e) {
            if (e.conflict()) {
                throw new CommandException(ErrorCode.CONFLICT, "the suite policy was changed meanwhile; reload it");
            }
            throw e;
        }
    }

    private static void sendPolicy(SuitePolicy p, ReplySink out) {
        out.send(RispCommand.string(AdminCommands.SUITE_POLICY.id(), p.encode()));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
