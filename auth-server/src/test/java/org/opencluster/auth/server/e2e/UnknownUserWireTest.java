package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.server.e2e.MitmProxy.Flow;
import org.opencluster.auth.server.e2e.MitmProxy.Unit;
import org.opencluster.auth.server.login.HandshakeSettings;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;

/**
 * Issue 4, property 5, seen from the wire: for an unknown username the server's encrypted answers (the
 * LOGIN_CHALLENGE flight carrying the envelope field, and the LOGIN_RESULT) have exactly the sizes they have for a
 * real account, and the client ends with exactly the error of a wrong passphrase (or of a wrong key).
 */
class UnknownUserWireTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();

    @TempDir
    Path dir;
    private TestCluster cluster;
    private MitmProxy proxy;
    private final Accounts accounts = new Accounts();

    @BeforeEach
    void start() throws Exception {
        cluster = new TestCluster(dir, ProofKind.KEY_AGREEMENT);
        accounts.person("grace", PASS, KeyType.EC_P256, cluster);
        proxy = new MitmProxy(cluster.address(), 64);
    }

    @AfterEach
    void stop() {
        proxy.close();
        cluster.close();
    }

    /** One login attempt through the proxy: the error, and the sizes of the server's encrypted frames. */
    private static final class Attempt {
        LoginException error;
        List<Integer> serverFrames;
        List<Integer> clientFrames;
        long challengeDelayNanos;
    }

    private Attempt attempt(String user, LoginCredential credential) {
        int link = proxy.linkCount();
        Attempt a = new Attempt();
        a.error = assertThrows(LoginException.class, () -> OcaSession.login(proxy.address(), user, credential,
                cluster.pinned(), new OcaSession.Options()));
        MitmProxy.Link l = proxy.link(link);
        assertTrue(l.awaitServerClose(5));
        List<Unit> fromServer = frames(l.seen(Flow.SERVER_TO_CLIENT));
        List<Unit> fromClient = frames(l.seen(Flow.CLIENT_TO_SERVER));
        a.serverFrames = fromServer.stream().map(Unit::size).collect(Collectors.toList());
        a.clientFrames = fromClient.stream().map(Unit::size).collect(Collectors.toList());
        a.challengeDelayNanos = fromServer.get(0).seenAt - fromClient.get(0).seenAt;
        assertTrue(fromServer.get(0).commands.get(1).number() > HandshakeSettings.DEFAULT_ENVELOPE_FIELD_LENGTH,
                "the first server frame carries the envelope field");
        return a;
    }

    private static List<Unit> frames(List<Unit> units) {
        List<Unit> out = new ArrayList<>();
        for (Unit u : units) {
            if (u.isFrame()) {
                out.add(u);
            }
        }
        return out;
    }

    @Test
    void anUnknownUserLooksLikeAWrongPassphraseOnTheWireAndAtTheClient() throws Exception {
        Attempt wrongPassphrase = attempt("grace", cluster.passphrase("not her passphrase".toCharArray()));
        Attempt unknownSameLength = attempt("grack", cluster.passphrase(PASS));
        Attempt unknownLonger = attempt("someone-who-never-had-an-account", cluster.passphrase(PASS));

        assertEquals(1, wrongPassphrase.serverFrames.size(), "the challenge flight, then the client gave up");
        assertEquals(wrongPassphrase.serverFrames, unknownSameLength.serverFrames, "same sizes from the server");
        assertEquals(wrongPassphrase.serverFrames, unknownLonger.serverFrames,
                "same sizes whatever the name's length: the envelope field is fixed");
        assertEquals(wrongPassphrase.clientFrames, unknownSameLength.clientFrames);

        for (Attempt a : List.of(unknownSameLength, unknownLonger)) {
            assertEquals(wrongPassphrase.error.code(), a.error.code());
            assertEquals(wrongPassphrase.error.getMessage().replace("'grace'", "'?'"), a.error.getMessage()
                    .replace("'grack'", "'?'").replace("'someone-who-never-had-an-account'", "'?'"),
                    "the same words, apart from the name the user typed");
            assertEquals(TokenError.WRONG_PASSPHRASE, ((TokenException) a.error.getCause()).error());
        }
        assertEquals(TokenError.WRONG_PASSPHRASE, ((TokenException) wrongPassphrase.error.getCause()).error());
        Eventually.nothingOpen(cluster);
    }

    @Test
    void anUnknownUserLooksLikeAWrongKeyThroughToTheLoginResult() throws Exception {
        LoginCredential someKey = Accounts.wrongKey(cluster, KeyType.EC_P256);
        List<Long> realDelays = new ArrayList<>();
        List<Long> decoyDelays = new ArrayList<>();
        Attempt real = null;
        Attempt unknown = null;
        for (int i = 0; i < 4; i++) { // fewer rounds than the default lock (5 failures per name)
            real = attempt("grace", someKey);
            unknown = attempt("grack", someKey);
            assertEquals(real.serverFrames, unknown.serverFrames, "challenge and result frames of equal size");
            assertEquals(real.clientFrames, unknown.clientFrames);
            realDelays.add(real.challengeDelayNanos);
            decoyDelays.add(unknown.challengeDelayNanos);
        }
        assertEquals(2, real.serverFrames.size(), "challenge flight and login result");
        assertEquals(HandshakeError.LOGIN_FAILED.code(), real.error.code());
        assertEquals(real.error.code(), unknown.error.code());
        assertEquals(real.error.getMessage().replace("grace", "?"), unknown.error.getMessage().replace("grack", "?"));
        // Reported, not asserted (a shared 2-core machine is too noisy for a timing assertion).
        System.out.printf("challenge latency at the proxy, median of runs: real account %.2f ms, unknown %.2f ms%n",
                median(realDelays) / 1e6, median(decoyDelays) / 1e6);
        Eventually.nothingOpen(cluster);
    }

    private static double median(List<Long> xs) {
        long[] a = xs.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        return a[a.length / 2];
    }
}
