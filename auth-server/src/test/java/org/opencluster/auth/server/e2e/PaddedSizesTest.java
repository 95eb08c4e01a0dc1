package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;
import org.opencluster.auth.client.login.ClientHandshake;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.handshake.EnrolmentCodes;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.server.e2e.MitmProxy.Flow;
import org.opencluster.auth.server.e2e.MitmProxy.Unit;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;

/**
 * Issue 13 item 3: what a passive eavesdropper reads from frame sizes. With protocol version 3 the LOGIN_REQUEST
 * frame has one size for every username length, and the proof flight (LOGIN_PROOF + CLIENT_FINISHED) one size per
 * suite for every proof kind and key type: HMAC (key agreement with P-256 and X25519 keys, enrolment code),
 * Ed25519, ECDSA P-384, RSA-2048 and RSA-3072 signatures and a WebAuthn assertion. Over TCP (frames seen by a proxy) and REST (the
 * flights posted).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PaddedSizesTest {
    private static final Set<Integer> ONE_SUITE = Set.of(0x0101);
    @RegisterExtension
    final Clusters clusters = new Clusters();
    private TestCluster cluster;
    private MitmProxy proxy;
    private RestClient rest;

    @BeforeAll
    void start() throws Exception {
        LoginThrottle lenient = LoginThrottle.builder().maxAccountFailures(1000).maxSourceFailures(1000).build();
        // Version 3 asks every name for key agreement: P-256 and X25519 keys agree, the others sign.
        cluster = clusters.in().https().ecProofKind(ProofKind.SIGNATURE).throttle(lenient).start();
        cluster.person("xagree", "pass".toCharArray(), Account.Role.USER, KeyType.X25519);
        proxy = clusters.proxy(cluster, 256);
        rest = cluster.rest();
    }

    /** A client that logs in as {@code user} with {@code credential} and proof {@code kind} (as the server asks). */
    private record Login(String label, String user, LoginCredential credential, String enrolmentCode,
            boolean securityKey) {
    }

    private List<Login> everyProofKind() throws Exception {
        List<Login> logins = new ArrayList<>();
        logins.add(new Login("key agreement (HMAC), X25519", "xagree", Accounts.wrongKey(cluster, KeyType.X25519),
                null, false));
        logins.add(new Login("key agreement (HMAC), P-256", "nobody", Accounts.wrongKey(cluster, KeyType.EC_P256),
                null, false));
        for (KeyType t : List.of(KeyType.ED25519, KeyType.EC_P384, KeyType.RSA_2048, KeyType.RSA_3072)) {
            logins.add(new Login("signature, " + t, "nobody", Accounts.wrongKey(cluster, t), null, false));
        }
        logins.add(new Login("enrolment code (HMAC)", "nobody", null, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF", false));
        logins.add(new Login("WebAuthn assertion", "nobody", null, null, true));
        return logins;
    }

    private ClientHandshake handshake(Login l) throws Exception {
        LoginCredential none = (u, e) -> {
            throw new IllegalStateException("no envelope for this kind");
        };
        ClientHandshake hs = new ClientHandshake(l.user(), l.credential() != null ? l.credential() : none,
                cluster.pinned(), ONE_SUITE, SuiteRegistry.standard(),
                CommandRegistry.builder().include(CoreCommands.registry()).build(), new SecureRandom());
        if (l.enrolmentCode() != null) {
            hs.enrolWith(EnrolmentCodes.hash(l.enrolmentCode()));
        }
        if (l.securityKey()) {
            SoftwareAuthenticator key = new SoftwareAuthenticator(cluster.random);
            key.ignoresAllowList = true; // answers the decoy's options, so the proof is a real assertion
            hs.withSecurityKey(key.login());
        }
        return hs;
    }

    /** The sizes of the client's frames over TCP: [LOGIN_REQUEST frame, proof flight frame]. */
    private List<Integer> tcpFrames(ClientHandshake hs) throws Exception {
        int link = proxy.linkCount();
        try (java.net.Socket s = new java.net.Socket()) {
            s.setSoTimeout(10_000);
            s.connect(proxy.address(), 10_000);
            write(s, hs.start());
            org.opencluster.auth.protocol.risp.RispDecoder decoder =
                    org.opencluster.auth.protocol.risp.RispDecoder.framingOnly();
            byte[] buf = new byte[65536];
            int n;
            while (hs.state() != ClientHandshake.State.FAILED && (n = s.getInputStream().read(buf)) > 0) {
                for (var c : decoder.feed(java.util.Arrays.copyOf(buf, n))) {
                    if (hs.onCommand(c) == ClientHandshake.State.FAILED) {
                        break;
                    }
                }
                write(s, hs.takeOutput());
            }
        }
        assertEquals(ClientHandshake.State.FAILED, hs.state(), "every one of these logins fails");
        MitmProxy.Link l = proxy.link(link);
        assertTrue(l.awaitServerClose(5));
        return l.seen(Flow.CLIENT_TO_SERVER).stream().filter(Unit::isFrame).map(Unit::size)
                .collect(Collectors.toList());
    }

    private static void write(java.net.Socket s, java.nio.ByteBuffer b) throws java.io.IOException {
        if (b.hasRemaining()) {
            s.getOutputStream().write(b.array(), b.arrayOffset() + b.position(), b.remaining());
            s.getOutputStream().flush();
        }
    }

    private static Map<Integer, Long> distinct(Map<String, List<Integer>> seen) {
        return seen.values().stream().collect(Collectors.groupingBy(List::hashCode, Collectors.counting()));
    }

    @Test
    void everyUsernameOfOneToSixtyFourBytesGivesOneLoginRequestSizeOverTcp() throws Exception {
        Map<String, List<Integer>> seen = new LinkedHashMap<>();
        for (int len = 1; len <= 64; len++) {
            String name = "n".repeat(len);
            Login l = new Login("", name, Accounts.wrongKey(cluster, KeyType.EC_P256), null, false);
            seen.put(name, tcpFrames(handshake(l)));
        }
        assertEquals(1, distinct(seen).size(), "frame sizes by name length: " + seen);
        assertEquals(2, seen.values().iterator().next().size(), "the login request frame and the proof flight");
    }

    @Test
    void everyProofKindAndKeyTypeGivesOneProofFlightSizeOverTcp() throws Exception {
        Map<String, List<Integer>> seen = new LinkedHashMap<>();
        for (Login l : everyProofKind()) {
            seen.put(l.label(), tcpFrames(handshake(l)));
        }
        assertEquals(1, distinct(seen).size(), "client frame sizes by proof: " + seen);
    }

    @Test
    void everyProofKindAndNameLengthGivesOneFlightSizeOverRest() throws Exception {
        Map<String, List<Integer>> seen = new LinkedHashMap<>();
        List<Login> logins = new ArrayList<>(everyProofKind());
        for (int len : new int[] {1, 17, 64}) {
            logins.add(new Login("name of " + len, "r".repeat(len), Accounts.wrongKey(cluster, KeyType.EC_P256), null,
                    false));
        }
        for (Login l : logins) {
            List<Integer> posted = new ArrayList<>();
            ClientHandshake hs = handshake(l);
            RestClient.Session s = rest.new Session(hs);
            // The flights the client posts: CLIENT_CHOICE + LOGIN_REQUEST, then the proof flight.
            while (hs.state() != ClientHandshake.State.FAILED && hs.state() != ClientHandshake.State.ESTABLISHED
                    && posted.size() < 2) {
                java.nio.ByteBuffer out = hs.takeOutput();
                posted.add(out.remaining());
                var r = rest.postJson("/api/v1/sessions/" + s.id + "/handshake", Map.of("flight", RestClient.b64(out)));
                assertEquals(200, r.statusCode());
                for (var c : org.opencluster.auth.protocol.risp.RispDecoder.framingOnly().feed(RestClient.unb64(
                        RestClient.json(r).get("flight").asText()))) {
                    if (hs.state() == ClientHandshake.State.FAILED) {
                        break;
                    }
                    hs.onCommand(c);
                }
            }
            s.delete();
            seen.put(l.label(), posted);
        }
        assertEquals(1, distinct(seen).size(), "posted flight sizes: " + seen);
        assertEquals(2, seen.values().iterator().next().size());
    }
}
