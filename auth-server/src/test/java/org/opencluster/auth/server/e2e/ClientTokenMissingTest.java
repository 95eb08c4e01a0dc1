package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.TokenNotPresentException;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;

/**
 * Issue 15, row "a service's token briefly missing on the client side": the old client connected and ran the
 * handshake up to the proof, found the token missing only then and hung up after the challenge, so the server
 * counted each attempt as a failed login: 5 attempts locked the account out for 5 minutes after the token came
 * back (on the old code the 6th attempt and the login after the token's return get RATE_LIMITED). Now the client
 * checks its credential before connecting, reports "token not present" locally and sends nothing.
 */
class ClientTokenMissingTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();

    @RegisterExtension
    final Clusters clusters = new Clusters();

    @Test
    void tenAttemptsWithTheTokenMissingCostNothingAndTheLoginWorksAtOnceWhenItReturns() throws Exception {
        TestCluster cluster = clusters.in().start();
        cluster.person("svc-a", PASS, Account.Role.USER, KeyType.EC_P256);
        AtomicBoolean present = new AtomicBoolean(false);
        LoginCredential real = cluster.passphrase(PASS);
        // A token-backed credential as the token layer reports a missing token: absent at the check, removed at use.
        LoginCredential token = new LoginCredential() {
            @Override
            public Token unlock(String user, byte[] envelope) throws TokenException {
                if (!present.get()) {
                    throw new TokenException(TokenError.TOKEN_REMOVED, "CKR_TOKEN_NOT_PRESENT");
                }
                return real.unlock(user, envelope);
            }

            @Override
            public void checkReady() throws TokenException {
                if (!present.get()) {
                    throw new TokenException(TokenError.TOKEN_ABSENT, "no token matching pkcs11:token=svc-a");
                }
            }
        };
        try (ServerLog log = new ServerLog()) {
            for (int i = 0; i < 10; i++) {
                TokenNotPresentException e = assertThrows(TokenNotPresentException.class, () -> OcaSession.login(
                        cluster.address(), "svc-a", token, cluster.pinned(), new OcaSession.Options()).close());
                assertEquals(TokenError.TOKEN_ABSENT, e.tokenError().error(), e::getMessage);
            }
            assertEquals(0, log.text().lines().filter(l -> l.contains("event=login")).count(),
                    "the server saw no login: " + log.text());
        }
        present.set(true);
        try (OcaSession s = OcaSession.login(cluster.address(), "svc-a", token, cluster.pinned(),
                new OcaSession.Options())) {
            assertEquals("svc-a", StandardCharsets.UTF_8.decode(
                    s.exec(RispCommand.none(CoreCommands.WHOAMI.id())).get(0).bytes()).toString());
        }
    }
}
