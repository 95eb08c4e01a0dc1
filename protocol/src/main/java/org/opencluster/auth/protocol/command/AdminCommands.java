package org.opencluster.auth.protocol.command;

import static org.opencluster.auth.protocol.risp.Direction.CLIENT_TO_SERVER;
import static org.opencluster.auth.protocol.risp.Direction.SERVER_TO_CLIENT;

import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.CommandSpec;

/**
 * Admin commands (admin accounts only): the suite policy, accounts and live sessions. Lists are answered as flat
 * RISP records closed by an END command (docs/PROTOCOL.md, "Admin commands").
 */
public final class AdminCommands {
    /** Show the suite policy; answered with {@link #SUITE_POLICY}. */
    public static final CommandSpec SUITES_GET = CommandSpec.none(0x7110, "ADMIN_SUITES_GET", CLIENT_TO_SERVER);
    /** The policy in its canonical encoding: u64 version, u16 count, count x u16 suite id (most preferred first). */
    public static final CommandSpec SUITE_POLICY = CommandSpec.string(0x9110, "SUITE_POLICY", SERVER_TO_CLIENT, 10 + 2 * 64);
    /**
     * Replace the policy: the desired policy in canonical encoding, whose version must be the current one + 1
     * (else CONFLICT: someone changed it meanwhile). Reorders, enables and disables in one step.
     */
    public static final CommandSpec SUITES_SET = CommandSpec.string(0x9111, "ADMIN_SUITES_SET", CLIENT_TO_SERVER, 10 + 2 * 64);
    /** Disable one suite (2-byte id); sessions using it end. Answered with {@link #SUITE_POLICY}. */
    public static final CommandSpec SUITE_DISABLE = CommandSpec.integer(0x1112, "ADMIN_SUITE_DISABLE", CLIENT_TO_SERVER);
    /** Enable one suite (2-byte id) as the least preferred. Answered with {@link #SUITE_POLICY}. */
    public static final CommandSpec SUITE_ENABLE = CommandSpec.integer(0x1113, "ADMIN_SUITE_ENABLE", CLIENT_TO_SERVER);

    /** List accounts: one record per account, then {@link #ACCOUNTS_END}. */
    public static final CommandSpec ACCOUNTS_LIST = CommandSpec.none(0x7114, "ADMIN_ACCOUNTS_LIST", CLIENT_TO_SERVER);
    public static final CommandSpec ACCOUNT_NAME = CommandSpec.string(0x8115, "ACCOUNT_NAME", SERVER_TO_CLIENT, 255);
    /** 0 = person, 1 = service. */
    public static final CommandSpec ACCOUNT_KIND = CommandSpec.integer(0x0116, "ACCOUNT_KIND", SERVER_TO_CLIENT);
    /** 0 = user, 1 = admin. */
    public static final CommandSpec ACCOUNT_ROLE = CommandSpec.integer(0x0117, "ACCOUNT_ROLE", SERVER_TO_CLIENT);
    /** 0 = enabled, 1 = disabled. */
    public static final CommandSpec ACCOUNT_DISABLED = CommandSpec.integer(0x0118, "ACCOUNT_DISABLED", SERVER_TO_CLIENT);
    public static final CommandSpec ACCOUNTS_END = CommandSpec.none(0x7119, "ACCOUNTS_END", SERVER_TO_CLIENT);
    /** Disable an account by username; its live sessions end. Answered with OK or NOT_FOUND. */
    public static final CommandSpec ACCOUNT_DISABLE = CommandSpec.string(0x811a, "ADMIN_ACCOUNT_DISABLE", CLIENT_TO_SERVER, 255);
    public static final CommandSpec ACCOUNT_ENABLE = CommandSpec.string(0x811b, "ADMIN_ACCOUNT_ENABLE", CLIENT_TO_SERVER, 255);

    /** List live sessions of this node: one record per session, then {@link #SESSIONS_END}. */
    public static final CommandSpec SESSIONS_LIST = CommandSpec.none(0x711c, "ADMIN_SESSIONS_LIST", CLIENT_TO_SERVER);
    public static final CommandSpec SESSION_ID = CommandSpec.integer(0x311d, "SESSION_ID", SERVER_TO_CLIENT);
    public static final CommandSpec SESSION_USER = CommandSpec.string(0x811e, "SESSION_USER", SERVER_TO_CLIENT, 255);
    public static final CommandSpec SESSION_SUITE = CommandSpec.integer(0x111f, "SESSION_SUITE", SERVER_TO_CLIENT);
    /** Seconds since the Unix epoch. */
    public static final CommandSpec SESSION_STARTED = CommandSpec.integer(0x3120, "SESSION_STARTED", SERVER_TO_CLIENT);
    public static final CommandSpec SESSIONS_END = CommandSpec.none(0x7121, "SESSIONS_END", SERVER_TO_CLIENT);
    /** End a session by id; answered with OK or NOT_FOUND. */
    public static final CommandSpec SESSION_END = CommandSpec.integer(0x3122, "ADMIN_SESSION_END", CLIENT_TO_SERVER);

    private static final CommandRegistry REGISTRY = CommandRegistry.builder()
            .register(SUITES_GET).register(SUITE_POLICY).register(SUITES_SET)
            .register(SUITE_DISABLE).register(SUITE_ENABLE)
            .register(ACCOUNTS_LIST).register(ACCOUNT_NAME).register(ACCOUNT_KIND).register(ACCOUNT_ROLE)
            .register(ACCOUNT_DISABLED).register(ACCOUNTS_END).register(ACCOUNT_DISABLE).register(ACCOUNT_ENABLE)
            .register(SESSIONS_LIST).register(SESSION_ID).register(SESSION_USER).register(SESSION_SUITE)
            .register(SESSION_STARTED).register(SESSIONS_END).register(SESSION_END)
            .build();

    private AdminCommands() {
    }

    public static CommandRegistry registry() {
        return REGISTRY;
    }
}
