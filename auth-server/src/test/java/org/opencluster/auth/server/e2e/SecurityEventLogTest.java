package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.protocol.command.AdminCommands;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.EnrolCommands;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.testsupport.SteppingTicker;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;

/**
 * Issue 15 item 9, the "operator view" row: one line per security event, each with an ISO-8601 timestamp, and no
 * secret in any of them. The old code's lines had no timestamp, nothing was logged when a lockout started (or
 * ended), and a login abandoned after LOGIN_CHALLENGE was not logged at all; a failed login named no reason class.
 */
class SecurityEventLogTest {
    private static final char[] ROOT_PASS = "root's own passphrase 1".toCharArray();
    private static final char[] ALICE_PASS = "alice's own passphrase 2".toCharArray();
    /** An ISO-8601 date and time with milliseconds and an offset (Z in UTC), then the level. */
    private static final Pattern STAMPED = Pattern.compile(
            "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2}) (INFO|WARN|ERROR|DEBUG|TRACE) .*");

    @RegisterExtension
    final Clusters clusters = new Clusters();

    private final SteppingTicker throttleTicker = new SteppingTicker();

    private TestCluster start() throws Exception {
        TestCluster c = clusters.in().config(b -> b.handshakeTimeout(Duration.ofSeconds(2)))
                .throttle(LoginThrottle.builder().maxAccountFailures(2).lockout(Duration.ofMinutes(5))
                        .ticker(throttleTicker).build()).start();
        c.person("root", ROOT_PASS, Account.Role.ADMIN, KeyType.EC_P256);
        c.person("alice", ALICE_PASS, Account.Role.USER, KeyType.EC_P256);
        return c;
    }

    private static OcaSession login(TestCluster c, String user, char[] pass) throws Exception {
        return OcaSession.login(c.server.address(), user, c.passphrase(pass), c.pinned(), new OcaSession.Options());
    }

    @Test
    void everySecurityEventIsOneStampedLineWithoutSecrets() throws Exception {
        TestCluster c = start();
        try (ServerLog log = new ServerLog()) {
            try (OcaSession root = login(c, "root", ROOT_PASS)) {
                assertNotNull(log.await("event=login.ok", "user=root", "role=ADMIN"), log.text());
                List<RispCommand> code = root.exec(RispCommand.string(EnrolCommands.ADMIN_ENROLMENT_CODE.id(),
                        "\0\0bob".getBytes(StandardCharsets.UTF_8)));
                String issued = StandardCharsets.US_ASCII.decode(code.get(0).bytes()).toString();
                assertNotNull(log.await("event=admin.enrolment_code.issued", "admin=root", "account=bob"));
                root.exec(RispCommand.string(AdminCommands.ACCOUNT_DISABLE.id(), "alice".getBytes(
                        StandardCharsets.UTF_8)));
                assertNotNull(log.await("event=admin.account.disabled", "admin=root", "account=alice"));
                root.exec(RispCommand.string(AdminCommands.ACCOUNT_ENABLE.id(), "alice".getBytes(
                        StandardCharsets.UTF_8)));
                assertNotNull(log.await("event=admin.account.enabled", "admin=root", "account=alice"));
                assertFalse(log.text().contains(issued), "the enrolment code is in the log");
            }

            // A wrong key (a wrong passphrase fails in the client, which then abandons: see below).
            org.opencluster.auth.client.login.LoginCredential wrongKey = (u, envelope) ->
                    org.opencluster.auth.token.software.SoftwareToken.fromPkcs8(u,
                            org.opencluster.auth.token.software.SoftwareKeys.generatePkcs8(KeyType.EC_P256, c.random),
                            List.of());
            assertThrows(Exception.class, () -> OcaSession.login(c.server.address(), "alice", wrongKey, c.pinned(),
                    new OcaSession.Options()).close());
            assertNotNull(log.await("event=login.failed", "user=alice", "reason=proof_refused"), log.text());
            assertThrows(Exception.class, () -> OcaSession.login(c.server.address(), "alice", wrongKey, c.pinned(),
                    new OcaSession.Options()).close());
            assertNotNull(log.await("event=login.lockout_started", "kind=account", "account=alice",
                    "duration_s=300"), log.text());
            assertThrows(Exception.class, () -> login(c, "alice", ALICE_PASS).close(), "locked");
            assertNotNull(log.await("event=login.failed", "user=alice", "reason=request_refused"), log.text());

            throttleTicker.advance(Duration.ofMinutes(5).plusSeconds(1));
            login(c, "alice", ALICE_PASS).close();
            assertNotNull(log.await("event=login.lockout_ended", "kind=account", "account=alice"), log.text());

            // A client that got LOGIN_CHALLENGE and gave up (its token went away): the server logs the abandon.
            assertThrows(Exception.class, () -> OcaSession.login(c.server.address(), "alice", (u, envelope) -> {
                throw new TokenException(TokenError.TOKEN_REMOVED, "the token went away");
            }, c.pinned(), new OcaSession.Options()).close());
            assertNotNull(log.await("event=login.abandoned", "user=alice"), log.text());

            String text = log.text();
            for (char[] secret : new char[][] {ROOT_PASS, ALICE_PASS}) {
                assertFalse(text.contains(new String(secret)), "a passphrase is in the log");
            }
            for (String line : text.split("\n")) {
                if (line.contains("event=")) {
                    assertTrue(STAMPED.matcher(line).matches(), "no ISO-8601 timestamp: " + line);
                }
            }
        }
    }
}
