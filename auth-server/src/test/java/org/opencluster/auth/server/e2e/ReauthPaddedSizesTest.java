package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.command.ReauthCommands;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.e2e.MitmProxy.Flow;
import org.opencluster.auth.server.e2e.MitmProxy.Unit;
import org.opencluster.auth.token.KeyType;

/**
 * Issue 13 item 3, re-authentication (docs/PROTOCOL.md section 5.13): the frame carrying REAUTH_PROOF has one size
 * for every proof kind and key type with protocol version 3 (HMAC of a key agreement, Ed25519, ECDSA P-256 and
 * P-384, RSA-2048 and RSA-3072), over TCP (frames seen by a proxy) and REST (the frames posted). A security-key
 * session cannot re-authenticate in place (section 5.13), so WebAuthn has no re-authentication frame.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReauthPaddedSizesTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();
    /** Person per key type; the server asks for signatures, so only X25519 proves by key agreement (an HMAC). */
    private static final Map<String, KeyType> PEOPLE = new LinkedHashMap<>();

    static {
        PEOPLE.put("hmac", KeyType.X25519);
        PEOPLE.put("ed", KeyType.ED25519);
        PEOPLE.put("p256", KeyType.EC_P256);
        PEOPLE.put("p384", KeyType.EC_P384);
        PEOPLE.put("rsa2k", KeyType.RSA_2048);
        PEOPLE.put("rsa3k", KeyType.RSA_3072);
    }

    @RegisterExtension
    final Clusters clusters = new Clusters();
    private TestCluster cluster;
    private MitmProxy proxy;
    private RestClient rest;

    @BeforeAll
    void start() throws Exception {
        cluster = clusters.in().https().ecProofKind(ProofKind.SIGNATURE).start();
        cluster.people(PEOPLE, PASS);
        proxy = clusters.proxy(cluster, 64);
        rest = cluster.rest();
    }

    @Test
    void everyKeyTypeGivesOneReauthenticationProofFrameSizeOverTcp() throws Exception {
        Map<String, List<Integer>> seen = new LinkedHashMap<>();
        for (String user : PEOPLE.keySet()) {
            int link = proxy.linkCount();
            try (OcaSession s = OcaSession.login(proxy.address(), user, cluster.passphrase(PASS), cluster.pinned(),
                    new OcaSession.Options())) {
                s.reauthenticate();
                assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id(),
                        "the re-authentication of " + user + " succeeded");
            }
            MitmProxy.Link l = proxy.link(link);
            assertTrue(l.awaitServerClose(5));
            // LOGIN_REQUEST, proof flight, REAUTH_BEGIN, the proof frame, PING, close.
            seen.put(user, l.seen(Flow.CLIENT_TO_SERVER).stream().filter(Unit::isFrame).map(Unit::size)
                    .collect(Collectors.toList()));
        }
        assertEquals(1, seen.values().stream().distinct().count(), "client frame sizes by key type: " + seen);
        assertEquals(6, seen.values().iterator().next().size(), "frames: " + seen);
    }

    @Test
    void everyKeyTypeGivesOneReauthenticationProofFrameSizeOverRest() throws Exception {
        Map<String, Integer> seen = new LinkedHashMap<>();
        CommandRegistry commands = CommandRegistry.builder().include(CoreCommands.registry())
                .include(ReauthCommands.registry()).build();
        for (String user : PEOPLE.keySet()) {
            RestClient.Session s = rest.login(user, cluster.passphrase(PASS), cluster.pinned(), commands);
            byte[] proofFrame = reauthenticate(s, user);
            seen.put(user, proofFrame.length);
            assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
            s.delete();
        }
        assertEquals(1, seen.values().stream().distinct().count(), "proof frame sizes by key type: " + seen);
    }

    @Test
    void aVersionThreeProofFrameWithoutPaddingEndsTheSession() throws Exception {
        assertRefused(frame -> frame.subList(0, 2));
    }

    @Test
    void aProofFrameWithNonZeroOrShortPaddingEndsTheSession() throws Exception {
        assertRefused(frame -> {
            byte[] padding = frame.get(2).copyBytes();
            padding[padding.length - 1] = 1;
            return List.of(frame.get(0), frame.get(1), RispCommand.string(ReauthCommands.REAUTH_PADDING.id(), padding));
        });
        assertRefused(frame -> List.of(frame.get(0), frame.get(1), RispCommand.string(
                ReauthCommands.REAUTH_PADDING.id(), new byte[frame.get(2).length() - 1])));
    }

    @Test
    void aProofFrameWithAnotherCommandBeforeThePaddingEndsTheSession() throws Exception {
        assertRefused(frame -> List.of(frame.get(0), frame.get(1), RispCommand.none(CoreCommands.PING.id()),
                frame.get(2)));
    }

    /** A proof frame changed by {@code tamper} is answered REAUTH_FAILED and ends the session (section 5.13). */
    private void assertRefused(UnaryOperator<List<RispCommand>> tamper) throws Exception {
        CommandRegistry commands = CommandRegistry.builder().include(CoreCommands.registry())
                .include(ReauthCommands.registry()).build();
        RestClient.Session s = rest.login("p256", cluster.passphrase(PASS), cluster.pinned(), commands);
        RestReauthentication.Exchange x = sendProof(s, "p256", tamper);
        assertEquals(CoreCommands.ERROR.id(), x.replies().get(0).id(), x.replies().toString());
        assertEquals(ErrorCode.REAUTH_FAILED.code(), x.replies().get(0).number());
        Eventually.equals(0, cluster.sessions::size, 5000, "the server ended the session");
    }

    /** One re-authentication over REST (section 5.13); returns the sealed proof frame as posted. */
    private byte[] reauthenticate(RestClient.Session s, String user) throws Exception {
        RestReauthentication.Exchange x = sendProof(s, user, UnaryOperator.identity());
        assertTrue(x.done(), user + ": " + x.replies());
        return x.sealed();
    }

    /** REAUTH_BEGIN, then the proof frame (as {@code tamper} makes it), with protocol version 3 (padded). */
    private RestReauthentication.Exchange sendProof(RestClient.Session s, String user,
            UnaryOperator<List<RispCommand>> tamper) throws Exception {
        assertEquals(3, s.handshake.protocolVersion());
        return RestReauthentication.run(s, user, cluster.passphrase(PASS), tamper);
    }
}
