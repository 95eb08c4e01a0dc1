package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.ClientHandshake;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.server.ca.ClusterCa;
import org.opencluster.auth.server.e2e.MitmProxy.Flow;
import org.opencluster.auth.server.e2e.MitmProxy.Unit;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;

/**
 * Issue 13 item 5: an account whose stored credential cannot be served (an envelope too large for the ENVELOPE
 * field, a public key that does not decode) must not answer INTERNAL, which would tell a stranger that the name
 * exists. It answers exactly like an unknown name: a decoy challenge of the same size, then LOGIN_FAILED, over TCP
 * and over REST.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UnservableAccountTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();
    /** Three names of one length, so the LOGIN_REQUEST frames are alike too. */
    private static final String OVERSIZE_ENVELOPE = "big-envelope";
    private static final String CORRUPT_KEY = "broken-key-1";
    private static final String UNKNOWN = "never-enrold";

    @RegisterExtension
    final Clusters clusters = new Clusters();
    private TestCluster cluster;
    private MitmProxy proxy;
    private RestClient rest;

    @BeforeAll
    void start() throws Exception {
        cluster = clusters.in().https().start();
        byte[] pkcs8 = SoftwareKeys.generatePkcs8(KeyType.EC_P256, cluster.random);
        try (SoftwareToken t = SoftwareToken.fromPkcs8("k", pkcs8, List.of())) {
            byte[] huge = new byte[3000];
            new SecureRandom().nextBytes(huge);
            X509Certificate cert = cluster.ca.issue(OVERSIZE_ENVELOPE, ClusterCa.Subject.PERSON, t.publicKey(),
                    Duration.ofDays(30));
            cluster.store.createAccount(OVERSIZE_ENVELOPE, Account.Kind.PERSON, Account.Role.USER,
                    t.publicKey().getEncoded(), cert.getEncoded(), huge);
            byte[] garbledKey = t.publicKey().getEncoded();
            garbledKey[3] ^= 0x55; // the DER no longer parses
            X509Certificate cert2 = cluster.ca.issue(CORRUPT_KEY, ClusterCa.Subject.PERSON, t.publicKey(),
                    Duration.ofDays(30));
            cluster.store.createAccount(CORRUPT_KEY, Account.Kind.PERSON, Account.Role.USER, garbledKey,
                    cert2.getEncoded(), cluster.envelopes().seal(CORRUPT_KEY, PASS, pkcs8, List.of()));
        }
        proxy = clusters.proxy(cluster, 64);
        rest = cluster.rest();
    }

    /** What an observer and the client see of one failed login. */
    private record Seen(int code, String message, List<Integer> serverSizes, List<Integer> clientSizes) {
    }

    private Seen tcp(String user, LoginCredential credential) {
        int link = proxy.linkCount();
        LoginException e = assertThrows(LoginException.class, () -> OcaSession.login(proxy.address(), user,
                credential, cluster.pinned(), new OcaSession.Options()));
        MitmProxy.Link l = proxy.link(link);
        assertTrue(l.awaitServerClose(5));
        return new Seen(e.code(), e.getMessage().replace(user, "?"), sizes(l.seen(Flow.SERVER_TO_CLIENT)),
                sizes(l.seen(Flow.CLIENT_TO_SERVER)));
    }

    private static List<Integer> sizes(List<Unit> units) {
        return units.stream().filter(Unit::isFrame).map(Unit::size).collect(Collectors.toList());
    }

    private Seen rest(String user, LoginCredential credential) throws Exception {
        RestClient.Session s = rest.new Session(new ClientHandshake(user, credential, cluster.pinned(),
                Set.of(0x0101, 0x0102, 0x0103, 0x0104), SuiteRegistry.standard(),
                CommandRegistry.builder().include(CoreCommands.registry()).build(), new SecureRandom()));
        LoginException e = assertThrows(LoginException.class, s::login);
        return new Seen(e.code(), e.getMessage().replace(user, "?"), new ArrayList<>(s.answerSizes), List.of());
    }

    @Test
    void anAccountWhoseEnvelopeCannotBeServedAnswersLikeAnUnknownNameOverTcp() {
        LoginCredential someKey = Accounts.wrongKey(cluster, KeyType.EC_P256);
        Seen unknown = tcp(UNKNOWN, someKey);
        assertEquals(HandshakeError.LOGIN_FAILED.code(), unknown.code());
        assertEquals(2, unknown.serverSizes().size(), "challenge flight and login result");
        for (String broken : List.of(OVERSIZE_ENVELOPE, CORRUPT_KEY)) {
            assertEquals(unknown, tcp(broken, someKey), broken + " answers like an unknown name");
        }
    }

    @Test
    void anAccountWhoseEnvelopeCannotBeServedAnswersLikeAnUnknownNameOverRest() throws Exception {
        LoginCredential someKey = Accounts.wrongKey(cluster, KeyType.EC_P256);
        Seen unknown = rest(UNKNOWN, someKey);
        assertEquals(HandshakeError.LOGIN_FAILED.code(), unknown.code());
        for (String broken : List.of(OVERSIZE_ENVELOPE, CORRUPT_KEY)) {
            assertEquals(unknown, rest(broken, someKey), broken + " answers like an unknown name");
        }
    }

    @Test
    void aPassphraseLoginToAnUnservableAccountFailsAsForAnUnknownName() {
        Seen unknown = tcp(UNKNOWN, cluster.passphrase(PASS));
        assertEquals(unknown, tcp(OVERSIZE_ENVELOPE, cluster.passphrase(PASS)));
    }
}
