package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.opencluster.auth.server.e2e.WorkedExampleLogin.decode;
import static org.opencluster.auth.server.e2e.WorkedExampleLogin.messages;
import static org.opencluster.auth.server.e2e.WorkedExampleLogin.openAll;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.frame.FrameConfig;
import org.opencluster.auth.protocol.frame.FrameOpener;
import org.opencluster.auth.protocol.handshake.HandshakeCommandIds;
import org.opencluster.auth.protocol.handshake.KeySchedule;
import org.opencluster.auth.protocol.handshake.Role;
import org.opencluster.auth.protocol.handshake.TrafficSecrets;
import org.opencluster.auth.protocol.handshake.Transcript;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispEncoder;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.HashAlgorithm;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.server.e2e.WorkedExampleLogin.FixedRandom;
import org.opencluster.auth.server.e2e.WorkedExampleLogin.Login;

/**
 * The worked example of docs/PROTOCOL.md section 5.11: a complete login of alice (Ed25519 account, signature
 * proof) over suite 0x0101 between the real engines, with fixed randomness (a SHA-256 counter stream per party),
 * Ed25519 server and CA keys (deterministic signatures) and a fixed clock, so every byte is reproducible. The
 * intermediate values are then recomputed here independently from the bytes on the wire and the client's
 * ephemeral key, and the test fails if they disagree with the engines or with the document.
 */
class WorkedExampleTest {
    private static final HexFormat HEX = HexFormat.of();
    private final List<String> lines = new ArrayList<>();

    private void put(String name, byte[] value) {
        lines.add(String.format("%-28s = %s", name, HEX.formatHex(value)));
    }

    @Test
    void fullLoginWithFixedRandomness() throws Exception {
        // The example's policy is the four classical suites (the initial policy before the hybrids of issue 18), so
        // that section 5.11 stays byte for byte what it was; section 5.11.3 is the hybrid login.
        Login login = WorkedExampleLogin.login(List.of(0x0101, 0x0102, 0x0103, 0x0104), Set.of(0x0101));
        SuiteRegistry registry = login.registry();
        List<byte[]> flights = login.flights();
        FixedRandom clientRandom = login.client();
        byte[] pingBytes = login.pingFrame();
        byte[] pongBytes = login.pongFrame();

        // ---- Independent recomputation from the wire bytes and the client's ephemeral private key.
        CipherSuite suite = registry.require(0x0101);
        byte[] clientHello = flights.get(0);
        List<byte[]> serverFlight1 = messages(flights.get(1));
        List<RispCommand> choiceFlight = decode(ByteBuffer.wrap(flights.get(2)));
        int choiceEnd = WorkedExampleLogin.endOfFirstMessage(choiceFlight);
        byte[] clientChoice = RispEncoder.toBytes(choiceFlight.subList(0, choiceEnd).toArray(new RispCommand[0]));
        Transcript hh = new Transcript(HashAlgorithm.SHA384).add(clientHello).add(serverFlight1.get(0))
                .add(serverFlight1.get(1));
        byte[] clientEphemeralPrivate = clientRandom.draws.get(1);
        X25519PrivateKeyParameters cp = new X25519PrivateKeyParameters(clientEphemeralPrivate, 0);
        byte[] serverShare = null;
        for (RispCommand c : decode(ByteBuffer.wrap(serverFlight1.get(0)))) {
            if (c.id() == HandshakeCommandIds.KEY_SHARE) {
                byte[] v = c.copyBytes();
                serverShare = java.util.Arrays.copyOfRange(v, 2, v.length);
            }
        }
        byte[] shared = new byte[32];
        cp.generateSecret(new X25519PublicKeyParameters(serverShare, 0), shared, 0);
        KeySchedule ks = new KeySchedule(suite);
        ks.mixKeyExchange(shared);
        Transcript th = new Transcript(suite.hash()).add(clientHello);
        serverFlight1.forEach(th::add);
        th.add(clientChoice);
        byte[] thChoice = th.hash();
        TrafficSecrets hs = ks.handshakeTraffic(thChoice);

        // Decrypt the handshake frames with the recomputed keys to get the encrypted messages.
        FrameOpener c2s = hs.opener(Role.SERVER, FrameConfig.defaults());
        FrameOpener s2c = hs.opener(Role.CLIENT, FrameConfig.defaults());
        byte[] loginRequest = openAll(c2s, choiceFlight.subList(choiceEnd, choiceFlight.size())).get(0);
        List<byte[]> challengeAndFinished = openAll(s2c, decode(ByteBuffer.wrap(flights.get(3))));
        List<byte[]> proofAndFinished = openAll(c2s, decode(ByteBuffer.wrap(flights.get(4))));
        List<byte[]> result = openAll(s2c, decode(ByteBuffer.wrap(flights.get(5))));
        th.add(loginRequest).add(challengeAndFinished.get(0));
        byte[] thChallenge = th.hash();
        byte[] serverFinished = ks.serverFinished(thChallenge);
        th.add(challengeAndFinished.get(1));
        byte[] thServerFinished = th.hash();
        th.add(proofAndFinished.get(0));
        byte[] thProof = th.hash();
        byte[] clientFinished = ks.clientFinished(thProof);
        th.add(proofAndFinished.get(1));
        byte[] thClientFinished = th.hash();
        TrafficSecrets ap = ks.applicationTraffic(thClientFinished);
        assertTrue(HEX.formatHex(challengeAndFinished.get(1)).contains(HEX.formatHex(serverFinished)),
                "recomputed SERVER_FINISHED matches the engine's");
        assertTrue(HEX.formatHex(proofAndFinished.get(1)).contains(HEX.formatHex(clientFinished)));
        List<RispCommand> pingAgain = new ArrayList<>();
        FrameOpener apIn = ap.opener(Role.SERVER, FrameConfig.defaults());
        assertArrayEquals(RispEncoder.toBytes(RispCommand.none(CoreCommands.PING.id())),
                openAll(apIn, decode(ByteBuffer.wrap(pingBytes))).get(0), "recomputed c_ap_0 opens the PING");

        put("client_random_stream", clientRandom.draws.get(0));
        put("client_ephemeral_private", clientEphemeralPrivate);
        put("flight1 CLIENT_HELLO", clientHello);
        put("flight2 SERVER_HELLO", serverFlight1.get(0));
        put("flight2 SERVER_CERTIFICATE", serverFlight1.get(1));
        put("flight2 CERTIFICATE_VERIFY", serverFlight1.get(2));
        put("hello_hash HH", hh.hash());
        put("flight3 CLIENT_CHOICE", clientChoice);
        put("ecdh_shared", shared);
        put("TH(..CLIENT_CHOICE)", thChoice);
        put("c_hs", hs.clientToServer().secretBytes());
        put("s_hs", hs.serverToClient().secretBytes());
        put("flight3 frame (wire)", RispEncoder.toBytes(choiceFlight.subList(choiceEnd, choiceFlight.size())
                .toArray(new RispCommand[0])));
        put("LOGIN_REQUEST", loginRequest);
        put("flight4 frame (wire)", flights.get(3));
        put("LOGIN_CHALLENGE", challengeAndFinished.get(0));
        put("TH(..LOGIN_CHALLENGE)", thChallenge);
        put("SERVER_FINISHED", challengeAndFinished.get(1));
        put("TH(..SERVER_FINISHED) = T", thServerFinished);
        put("flight5 frame (wire)", flights.get(4));
        put("LOGIN_PROOF", proofAndFinished.get(0));
        put("TH(..LOGIN_PROOF)", thProof);
        put("CLIENT_FINISHED", proofAndFinished.get(1));
        put("TH(..CLIENT_FINISHED)", thClientFinished);
        put("flight6 frame (wire)", flights.get(5));
        put("LOGIN_RESULT", result.get(0));
        put("c_ap_0", ap.clientToServer().secretBytes());
        put("s_ap_0", ap.serverToClient().secretBytes());
        put("PING frame (wire)", pingBytes);
        put("PONG frame (wire)", pongBytes);
        // Every input, so that the example can be regenerated from the document alone: each party's draws in order.
        put("alice_pkcs8", login.alicePkcs8());
        put("alice_envelope", login.envelope());
        for (FixedRandom stream : List.of(login.keys(), login.server(), clientRandom)) {
            for (int i = 0; i < stream.draws.size(); i++) {
                put(stream.name() + " draw " + (i + 1), stream.draws.get(i));
            }
        }

        WorkedExampleLogin.assertDocumentShows(lines, "5.11", "login-worked-example.txt");
    }

}
