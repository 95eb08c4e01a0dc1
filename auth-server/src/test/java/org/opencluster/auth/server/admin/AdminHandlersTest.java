package org.opencluster.auth.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.protocol.command.AdminCommands;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.suite.SuitePolicy;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.server.dispatch.BuiltinCommands;
import org.opencluster.auth.server.dispatch.Caller;
import org.opencluster.auth.server.dispatch.CommandDispatcher;
import org.opencluster.auth.server.policy.SuitePolicyService;
import org.opencluster.auth.server.session.LiveSession;
import org.opencluster.auth.server.session.SessionRegistry;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.store.JdbcAccountStore;

class AdminHandlersTest {
    private static final Caller ROOT = new Caller("root", Account.Role.ADMIN);
    private static final Caller ALICE = new Caller("alice", Account.Role.USER);
    private static final SuiteRegistry SUITES = SuiteRegistry.standard();

    @TempDir
    Path dir;
    private JdbcAccountStore store;
    private SessionRegistry sessions;
    private SuitePolicyService policies;
    private CommandDispatcher dispatcher;

    /** A session stand-in that records its termination (the registry's logic is what is under test). */
    private static final class RecordingSession implements LiveSession {
        final long id;
        final String user;
        final int suite;
        String terminated;

        RecordingSession(long id, String user, int suite) {
            this.id = id;
            this.user = user;
            this.suite = suite;
        }

        @Override public long id() { return id; }
        @Override public String username() { return user; }
        @Override public int suiteId() { return suite; }
        @Override public String remoteAddress() { return "127.0.0.1"; }
        @Override public Instant startedAt() { return Instant.ofEpochSecond(1_700_000_000L + id); }
        @Override public void terminate(String reason) { terminated = reason; }
    }

    @BeforeEach
    void setUp() {
        store = JdbcAccountStore.open("jdbc:h2:file:" + dir.resolve("db").toAbsolutePath(), "sa", "");
        sessions = new SessionRegistry();
        policies = new SuitePolicyService(SUITES, store, Clock.systemUTC());
        policies.onChange(sessions::enforce);
        dispatcher = dispatcherFor(policies);
    }

    private CommandDispatcher dispatcherFor(SuitePolicyService p) {
        CommandRegistry registry = CommandRegistry.builder().include(CoreCommands.registry())
                .include(AdminCommands.registry()).build();
        return new AdminHandlers(p, store, sessions).install(BuiltinCommands.install(CommandDispatcher.builder(registry)))
                .build();
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private List<RispCommand> run(Caller caller, RispCommand cmd) {
        return run(dispatcher, caller, cmd);
    }

    private static List<RispCommand> run(CommandDispatcher d, Caller caller, RispCommand cmd) {
        List<RispCommand> out = new ArrayList<>();
        d.dispatch(caller, cmd, out::add);
        return out;
    }

    private static SuitePolicy policyOf(List<RispCommand> replies) throws Exception {
        assertEquals(AdminCommands.SUITE_POLICY.id(), replies.get(0).id(), replies.toString());
        return SuitePolicy.parse(SUITES, replies.get(0).copyBytes());
    }

    private static int errorOf(List<RispCommand> replies) {
        assertEquals(CoreCommands.ERROR.id(), replies.get(0).id(), replies.toString());
        return (int) replies.get(0).number();
    }

    @Test
    void nonAdminsAreRefusedEveryAdminCommand() {
        for (var spec : AdminCommands.registry().all()) {
            if (!spec.direction().allows(org.opencluster.auth.protocol.risp.Direction.CLIENT_TO_SERVER)) {
                continue;
            }
            RispCommand cmd;
            switch (spec.kind()) {
                case NONE: cmd = RispCommand.none(spec.id()); break;
                case INTEGER: cmd = RispCommand.integer(spec.id(), 1); break;
                default: cmd = RispCommand.string(spec.id(), "x".getBytes(StandardCharsets.UTF_8));
            }
            assertEquals(ErrorCode.FORBIDDEN.code(), errorOf(run(ALICE, cmd)), spec.toString());
        }
    }

    @Test
    void disablingASuiteIsPersistedVersionedAndEndsItsSessions() throws Exception {
        SuitePolicy before = policyOf(run(ROOT, RispCommand.none(AdminCommands.SUITES_GET.id())));
        int victim = before.enabledIds().get(0);
        int other = before.enabledIds().get(1);
        RecordingSession onVictim = new RecordingSession(1, "alice", victim);
        RecordingSession onOther = new RecordingSession(2, "bob", other);
        sessions.add(onVictim);
        sessions.add(onOther);

        SuitePolicy after = policyOf(run(ROOT, RispCommand.integer(AdminCommands.SUITE_DISABLE.id(), victim)));
        assertEquals(before.version() + 1, after.version());
        assertFalse(after.isEnabled(victim));
        assertTrue(onVictim.terminated != null && onVictim.terminated.contains("disabled"));
        assertEquals(null, onOther.terminated);
        assertEquals(1, sessions.size());
        // persisted: a fresh service (a restart, or another node) sees the same version
        assertEquals(after, new SuitePolicyService(SUITES, store, Clock.systemUTC()).current());

        SuitePolicy again = policyOf(run(ROOT, RispCommand.integer(AdminCommands.SUITE_ENABLE.id(), victim)));
        assertEquals(victim, (int) again.enabledIds().get(again.enabledIds().size() - 1), "enabled as least preferred");
    }

    @Test
    void setNeedsTheNextVersionAndAValidList() throws Exception {
        SuitePolicy cur = policies.current();
        List<Integer> reversed = new ArrayList<>(cur.enabledIds());
        java.util.Collections.reverse(reversed);
        SuitePolicy wanted = SuitePolicy.of(SUITES, cur.version() + 1, reversed);
        SuitePolicy set = policyOf(run(ROOT, RispCommand.string(AdminCommands.SUITES_SET.id(), wanted.encode())));
        assertEquals(reversed, set.enabledIds());
        // replaying the same request is stale now
        assertEquals(ErrorCode.CONFLICT.code(),
                errorOf(run(ROOT, RispCommand.string(AdminCommands.SUITES_SET.id(), wanted.encode()))));
        assertEquals(ErrorCode.BAD_PARAMETER.code(),
                errorOf(run(ROOT, RispCommand.string(AdminCommands.SUITES_SET.id(), new byte[] {0, 1}))));
    }

    @Test
    void theLastSuiteCannotBeDisabled() {
        List<Integer> ids = policies.current().enabledIds();
        for (int i = 0; i < ids.size() - 1; i++) {
            run(ROOT, RispCommand.integer(AdminCommands.SUITE_DISABLE.id(), ids.get(i)));
        }
        assertEquals(ErrorCode.BAD_PARAMETER.code(),
                errorOf(run(ROOT, RispCommand.integer(AdminCommands.SUITE_DISABLE.id(), ids.get(ids.size() - 1)))));
    }

    @Test
    void twoNodesOnOneStoreNeverLoseAnUpdate() {
        SuitePolicyService nodeB = new SuitePolicyService(SUITES, store, Clock.systemUTC());
        CommandDispatcher b = dispatcherFor(nodeB);
        int first = policies.current().enabledIds().get(0);
        run(ROOT, RispCommand.integer(AdminCommands.SUITE_DISABLE.id(), first));
        int second = nodeB.current().enabledIds().get(1);
        assertEquals(ErrorCode.CONFLICT.code(), errorOf(run(b, ROOT,
                RispCommand.integer(AdminCommands.SUITE_DISABLE.id(), second))), "node B's view was stale");
        nodeB.refresh();
        assertEquals(policies.current(), nodeB.current());
    }

    @Test
    void accountsListDisableAndSessions() {
        store.createAccount("alice", Account.Kind.PERSON, Account.Role.USER, new byte[] {1}, null, null);
        store.createAccount("root", Account.Kind.PERSON, Account.Role.ADMIN, new byte[] {2}, null, null);
        RecordingSession s = new RecordingSession(7, "alice", policies.current().enabledIds().get(0));
        sessions.add(s);

        List<RispCommand> list = run(ROOT, RispCommand.none(AdminCommands.ACCOUNTS_LIST.id()));
        assertEquals(2 * 5 + 1, list.size());
        assertEquals(org.opencluster.auth.protocol.command.OpaqueCommands.ACCOUNT_CREDENTIAL_VERSION.id(),
                list.get(4).id(), "the credential version follows ACCOUNT_DISABLED");
        assertEquals(0L, list.get(4).number(), "alice has no envelope");
        assertEquals("alice", StandardCharsets.UTF_8.decode(list.get(0).bytes()).toString());

        List<RispCommand> live = run(ROOT, RispCommand.none(AdminCommands.SESSIONS_LIST.id()));
        assertEquals(7L, live.get(0).number());
        assertEquals(AdminCommands.SESSIONS_END.id(), live.get(live.size() - 1).id());

        assertEquals(CoreCommands.OK.id(), run(ROOT, RispCommand.string(AdminCommands.ACCOUNT_DISABLE.id(),
                "alice".getBytes(StandardCharsets.UTF_8))).get(0).id());
        assertTrue(store.findAccount("alice").orElseThrow().disabled());
        assertTrue(s.terminated != null, "the disabled account's session ended");
        assertEquals(ErrorCode.CONFLICT.code(), errorOf(run(ROOT, RispCommand.string(
                AdminCommands.ACCOUNT_DISABLE.id(), "root".getBytes(StandardCharsets.UTF_8)))));
        assertEquals(ErrorCode.NOT_FOUND.code(), errorOf(run(ROOT, RispCommand.string(
                AdminCommands.ACCOUNT_DISABLE.id(), "ghost".getBytes(StandardCharsets.UTF_8)))));
        assertEquals(ErrorCode.NOT_FOUND.code(), errorOf(run(ROOT, RispCommand.integer(
                AdminCommands.SESSION_END.id(), 12345))));
    }
}
