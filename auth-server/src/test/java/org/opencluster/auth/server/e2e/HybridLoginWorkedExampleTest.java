package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.opencluster.auth.server.e2e.WorkedExampleLogin.decode;
import static org.opencluster.auth.server.e2e.WorkedExampleLogin.messages;
import static org.opencluster.auth.server.e2e.WorkedExampleLogin.openAll;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.frame.FrameConfig;
import org.opencluster.auth.protocol.handshake.HandshakeCommandIds;
import org.opencluster.auth.protocol.handshake.KeySchedule;
import org.opencluster.auth.protocol.handshake.Role;
import org.opencluster.auth.protocol.handshake.TrafficSecrets;
import org.opencluster.auth.protocol.handshake.Transcript;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispEncoder;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.HybridTestKeys;
import org.opencluster.auth.protocol.suite.KeyExchange;
import org.opencluster.auth.protocol.suite.KeyExchangeGroup;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.server.e2e.WorkedExampleLogin.FixedRandom;
import org.opencluster.auth.server.e2e.WorkedExampleLogin.Login;

/**
 * The worked example of docs/PROTOCOL.md section 5.11.3: alice's login of section 5.11 over suite 0x0105
 * (X25519MLKEM768, AES-256-GCM, SHA-384) between the real engines with the same fixed randomness, up to the first
 * encrypted frame. The test then recomputes, from the listed inputs alone (the server's ML-KEM seed d || z and
 * X25519 private key, the client's FIPS 203 message m and X25519 private key, the wire bytes for the transcript),
 * both shares, the combined secret, the handshake key schedule and the plaintext of the first encrypted frame with
 * the project's code, fails if one line differs from the engines or from the document, and finally runs the
 * independent Python implementation docs/vectors/hybrid_login.py (pyca/cryptography's ML-KEM, X25519, HKDF and
 * AES-GCM) over the section, which must agree on every value it can compute (pyca encapsulates only with fresh
 * randomness, so it checks the client's ciphertext by decapsulating it, not by re-encapsulating). The interpreter is
 * {@code OCA_PYTHON} or {@code python3}; under {@code CI=true} a missing one, or pyca/cryptography without ML-KEM,
 * fails the test.
 */
class HybridLoginWorkedExampleTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final int SUITE = SuiteRegistry.OCA_X25519MLKEM768_AES_256_GCM_SHA384;
    private final List<String> lines = new ArrayList<>();

    private void put(String name, byte[] value) {
        lines.add(String.format("hybrid %-28s = %s", name, HEX.formatHex(value)));
    }

    /** The value of the KEY_SHARE command (u16 group || share) of one handshake message, without the group. */
    private static byte[] keyShare(byte[] message) {
        for (RispCommand c : decode(ByteBuffer.wrap(message))) {
            if (c.id() == HandshakeCommandIds.KEY_SHARE) {
                byte[] v = c.copyBytes();
                assertEquals(KeyExchangeGroup.X25519MLKEM768.wireId(), (v[0] & 0xff) << 8 | v[1] & 0xff);
                return Arrays.copyOfRange(v, 2, v.length);
            }
        }
        throw new AssertionError("no KEY_SHARE");
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    @Test
    void hybridLoginWithFixedRandomness() throws Exception {
        // The initial policy of a new cluster (hybrids first); the client offers 0x0105 only.
        Login login = WorkedExampleLogin.login(List.of(0x0105, 0x0106, 0x0101, 0x0102, 0x0103, 0x0104),
                Set.of(SUITE));
        List<byte[]> flights = login.flights();
        byte[] clientHello = flights.get(0);
        List<byte[]> serverFlight = messages(flights.get(1));
        List<RispCommand> choiceFlight = decode(ByteBuffer.wrap(flights.get(2)));
        int choiceEnd = WorkedExampleLogin.endOfFirstMessage(choiceFlight);
        byte[] clientChoice = RispEncoder.toBytes(choiceFlight.subList(0, choiceEnd).toArray(new RispCommand[0]));
        byte[] firstFrame = RispEncoder.toBytes(choiceFlight.subList(choiceEnd, choiceFlight.size())
                .toArray(new RispCommand[0]));
        byte[] serverShare = keyShare(serverFlight.get(0));
        byte[] clientShare = keyShare(clientChoice);

        // The private inputs, by their place in each party's stream (section 5.11.3 lists them): the server's
        // ephemeral key pair is draws 4 (d), 5 (z) and 6 (X25519); the client's answer is draws 2 (m) and 3.
        List<byte[]> server = login.server().draws;
        List<byte[]> client = login.client().draws;
        byte[] mlkemSeed = concat(server.get(3), server.get(4));
        byte[] serverX25519 = server.get(5);
        byte[] clientM = client.get(1);
        byte[] clientX25519 = client.get(2);

        // ---- Recomputation from those inputs with the project's key exchange and key schedule.
        CipherSuite suite = login.registry().require(SUITE);
        byte[] shared;
        try (KeyExchange.EphemeralKeyPair initiator = HybridTestKeys.initiator(concat(mlkemSeed, serverX25519));
                KeyExchange.Response responder = HybridTestKeys.respond(serverShare, clientM, clientX25519)) {
            assertArrayEquals(serverShare, initiator.publicKey(), "d || z and the X25519 key give SERVER_HELLO's share");
            assertArrayEquals(clientShare, responder.share(), "m and the X25519 key give CLIENT_CHOICE's share");
            shared = responder.sharedSecret().clone();
            assertArrayEquals(shared, initiator.agree(clientShare), "both sides agree");
        }
        Transcript th = new Transcript(suite.hash()).add(clientHello);
        serverFlight.forEach(th::add);
        th.add(clientChoice);
        byte[] thChoice = th.hash();
        byte[] loginRequest;
        try (KeySchedule ks = new KeySchedule(suite)) {
            ks.mixKeyExchange(shared);
            try (TrafficSecrets hs = ks.handshakeTraffic(thChoice)) {
                loginRequest = openAll(hs.opener(Role.SERVER, FrameConfig.defaults()),
                        choiceFlight.subList(choiceEnd, choiceFlight.size())).get(0);
                put("mlkem seed d || z", mlkemSeed);
                put("server x25519 private", serverX25519);
                put("client mlkem m", clientM);
                put("client x25519 private", clientX25519);
                put("flight1 CLIENT_HELLO", clientHello);
                put("flight2 SERVER_HELLO", serverFlight.get(0));
                put("flight2 SERVER_CERTIFICATE", serverFlight.get(1));
                put("flight2 CERTIFICATE_VERIFY", serverFlight.get(2));
                put("server share (ek || x25519)", serverShare);
                put("flight3 CLIENT_CHOICE", clientChoice);
                put("client share (ct || x25519)", clientShare);
                put("mlkem_ss", Arrays.copyOf(shared, 32));
                put("x25519_ss", Arrays.copyOfRange(shared, 32, 64));
                put("shared (mlkem_ss||x25519_ss)", shared);
                put("TH(..CLIENT_CHOICE)", thChoice);
                put("c_hs", hs.clientToServer().secretBytes());
                put("c_hs.key", hs.clientToServer().key());
                put("c_hs.iv", hs.clientToServer().iv());
                put("s_hs", hs.serverToClient().secretBytes());
                put("s_hs.key", hs.serverToClient().key());
                put("s_hs.iv", hs.serverToClient().iv());
                put("flight3 frame (wire)", firstFrame);
                put("LOGIN_REQUEST", loginRequest);
            }
        }
        for (FixedRandom stream : List.of(login.keys(), login.server(), login.client())) {
            for (int i = 0; i < stream.draws.size(); i++) {
                put(stream.name() + " draw " + (i + 1), stream.draws.get(i));
            }
        }
        assertTrue(new String(loginRequest, StandardCharsets.ISO_8859_1).contains("alice"),
                "the first encrypted frame carries alice's LOGIN_REQUEST");

        WorkedExampleLogin.assertDocumentShows(lines, "5.11.3", "hybrid-login-worked-example.txt");
        independentPythonAgrees();
    }

    /** docs/vectors/hybrid_login.py recomputes section 5.11.3 from its inputs with pyca/cryptography. */
    private static void independentPythonAgrees() throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        // Debian 12's python3-cryptography (38) has no ML-KEM: OCA_PYTHON names an interpreter with pyca 46+.
        String python = System.getenv().getOrDefault("OCA_PYTHON", "python3");
        Process probe;
        try {
            probe = new ProcessBuilder(python, "-c",
                    "from cryptography.hazmat.primitives.asymmetric import mlkem; mlkem.MLKEM768PrivateKey")
                    .redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            assertTrue(!ci, "CI=true needs python3 for the independent check: " + e.getMessage());
            assumeTrue(false, "no python3");
            return;
        }
        String probeOut = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(probe.waitFor(60, TimeUnit.SECONDS), "python3 answered");
        if (probe.exitValue() != 0) {
            assertTrue(!ci, "CI=true needs pyca/cryptography with ML-KEM (46+): " + probeOut);
            assumeTrue(false, "pyca/cryptography without ML-KEM: " + probeOut);
        }
        Process p = new ProcessBuilder(python, "../docs/vectors/hybrid_login.py", "../docs/PROTOCOL.md")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the script finished");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("all values agree"), out);
    }
}
