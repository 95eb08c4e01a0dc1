package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.protocol.command.AdminCommands;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.EnrolCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;

/**
 * Issue 15 item 8: every entry point that takes an account name applies the one rule (AccountNames). The old code
 * issued an enrolment code for a name with a newline, BEL, U+202E or in NFD form (login refused such names, the
 * admin command did not), and a newline in it forged a log line: {@code event=admin.account.disabled admin=root
 * account=alice} appeared although no one disabled alice.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccountNameEntryPointsTest {
    private static final char[] PASS = TestCluster.ALICE_PASS;
    private static final CommandRegistry COMMANDS = CommandRegistry.builder().include(CoreCommands.registry())
            .include(AdminCommands.registry()).include(EnrolCommands.registry()).build();
    private static final String FORGED = "x\nevent=admin.account.disabled admin=root account=alice";
    /** Index by the parameterised tests: newline (forging a line), BEL, U+202E RLO, NFD (e + combining acute). */
    private static final String[] BAD = {FORGED, "bell\u0007", "evil\u202Etxt.exe", "Jo\u0065\u0301l"};

    @TempDir
    static Path dir;
    private TestCluster cluster;

    @BeforeAll
    void start() throws Exception {
        cluster = TestCluster.https(dir, c -> c, LoginThrottle.builder().build());
        cluster.person("root", PASS, Account.Role.ADMIN, KeyType.EC_P256);
        cluster.person("alice", PASS, Account.Role.USER, KeyType.EC_P256);
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    private OcaSession rootOverTcp() throws Exception {
        return OcaSession.login(cluster.server.address(), "root", cluster.passphrase(PASS), cluster.pinned(),
                new OcaSession.Options());
    }

    private RestClient.Session rootOverRest() throws Exception {
        return new RestClient(cluster.server.httpsAddress().orElseThrow(), cluster.serverCert)
                .login("root", cluster.passphrase(PASS), cluster.pinned(), COMMANDS);
    }

    private static RispCommand enrolmentCodeFor(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[2 + n.length];
        System.arraycopy(n, 0, p, 2, n.length);
        return RispCommand.string(EnrolCommands.ADMIN_ENROLMENT_CODE.id(), p);
    }

    private void assertRefusedAndNothingIssued(List<RispCommand> replies, String name) {
        assertEquals(CoreCommands.ERROR.id(), replies.get(0).id(), replies.toString());
        assertEquals(ErrorCode.BAD_PARAMETER.code(), replies.get(0).number(), replies.toString());
        assertTrue(cluster.store.activeEnrolmentCodes(name, Instant.now()).isEmpty(), "a code was stored");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void enrolmentCodeOverTcpRefusesTheName(int which) throws Exception {
        try (OcaSession root = rootOverTcp()) {
            assertRefusedAndNothingIssued(root.exec(enrolmentCodeFor(BAD[which])), BAD[which]);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void enrolmentCodeOverRestRefusesTheName(int which) throws Exception {
        RestClient.Session root = rootOverRest();
        assertRefusedAndNothingIssued(root.exec(enrolmentCodeFor(BAD[which])), BAD[which]);
    }

    @Test
    void malformedUtf8IsRefusedNotReplaced() throws Exception {
        try (OcaSession root = rootOverTcp()) {
            List<RispCommand> r = root.exec(RispCommand.string(EnrolCommands.ADMIN_ENROLMENT_CODE.id(),
                    new byte[] {0, 0, 'a', (byte) 0xff}));
            assertEquals(ErrorCode.BAD_PARAMETER.code(), r.get(0).number(), r.toString());
            r = root.exec(RispCommand.string(AdminCommands.ACCOUNT_DISABLE.id(), new byte[] {'a', (byte) 0xc3}));
            assertEquals(ErrorCode.BAD_PARAMETER.code(), r.get(0).number(), r.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void disableAndEnableRefuseTheName(int which) throws Exception {
        try (OcaSession root = rootOverTcp()) {
            List<RispCommand> r = root.exec(RispCommand.string(AdminCommands.ACCOUNT_DISABLE.id(),
                    BAD[which].getBytes(StandardCharsets.UTF_8)));
            assertEquals(ErrorCode.BAD_PARAMETER.code(), r.get(0).number(), r.toString());
            r = root.exec(RispCommand.string(AdminCommands.ACCOUNT_ENABLE.id(),
                    BAD[which].getBytes(StandardCharsets.UTF_8)));
            assertEquals(ErrorCode.BAD_PARAMETER.code(), r.get(0).number(), r.toString());
        }
    }

    /** The attack of the issue: a name whose newline starts a line of its own in the server's log. */
    @Test
    void aNewlineInANameCannotForgeALogLine() throws Exception {
        try (ServerLog log = new ServerLog(); OcaSession root = rootOverTcp()) {
            root.exec(enrolmentCodeFor(FORGED));
            // A command after it: once its reply is here, whatever the first one logged is in the capture too.
            root.exec(RispCommand.none(CoreCommands.PING.id()));
            assertNull(log.await("event=admin.account.disabled"), log.text());
            for (String line : log.text().split("\n")) {
                assertFalse(line.contains("account=alice"), "a forged field: " + line);
            }
        }
        assertFalse(cluster.store.findAccount("alice").orElseThrow().disabled());
    }
}
