package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.enrol.Enroller;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.AuthServer;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;

/**
 * Issue 17 item 6: the server's front door offers admin operations and never hands out its store or CA. The old
 * {@link AuthServer} returned its {@code JdbcAccountStore} and {@code ClusterCa}, and the demo enrolled through them,
 * around the enrolment path (no code, no key policy, no envelope floor).
 */
class FrontDoorTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();

    @TempDir
    Path dir;

    @Test
    void noPublicMethodHandsOutTheStoreOrTheCa() {
        List<String> leaks = Arrays.stream(AuthServer.class.getMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()))
                .filter(m -> isInternal(m.getReturnType()))
                .map(Method::getName).toList();
        assertTrue(leaks.isEmpty(), "public methods returning the store or the CA: " + leaks);
    }

    private static boolean isInternal(Class<?> type) {
        return org.opencluster.auth.server.store.AccountStore.class.isAssignableFrom(type)
                || org.opencluster.auth.server.ca.ClusterCa.class.isAssignableFrom(type)
                || javax.sql.DataSource.class.isAssignableFrom(type);
    }

    /** An account made with the admin operation's code enrols as every user does, then is disabled and deleted. */
    @Test
    void anAdminOperationsCodeEnrolsAndDisableAndDeleteEndTheAccount() throws Exception {
        try (TestCluster c = TestCluster.in(dir).start()) {
            AuthServer server = c.server;
            String code = server.issueEnrolmentCode("carol", Account.Role.USER, Account.Kind.PERSON);
            try (OcaSession e = OcaSession.enrol(c.address(), "carol", code, c.pinned(), new OcaSession.Options())) {
                Enroller.person(e, "carol", PASS.clone(), KeyType.EC_P256, c.envelopes(), new SecureRandom());
            }
            assertEquals(Account.Kind.PERSON, server.account("carol").orElseThrow().kind());
            assertThrows(IllegalArgumentException.class,
                    () -> server.issueEnrolmentCode("carol", Account.Role.USER, Account.Kind.PERSON),
                    "no code for an existing account");
            assertThrows(IllegalArgumentException.class,
                    () -> server.issueEnrolmentCode("bad name\n", Account.Role.USER, Account.Kind.PERSON));

            OcaSession live = OcaSession.login(c.address(), "carol", c.passphrase(PASS), c.pinned(),
                    new OcaSession.Options());
            assertEquals(CoreCommands.PONG.id(), live.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
            assertTrue(server.setDisabled("carol", true));
            Eventually.nothingOpen(c);
            live.close();
            assertThrows(LoginException.class, () -> OcaSession.login(c.address(), "carol", c.passphrase(PASS),
                    c.pinned(), new OcaSession.Options()).close());
            assertTrue(server.setDisabled("carol", false));
            OcaSession.login(c.address(), "carol", c.passphrase(PASS), c.pinned(), new OcaSession.Options()).close();

            assertTrue(server.deleteAccount("carol"));
            assertFalse(server.account("carol").isPresent());
            assertFalse(server.deleteAccount("carol"), "nothing left to delete");
            assertFalse(server.setDisabled("carol", true));
        }
    }
}
