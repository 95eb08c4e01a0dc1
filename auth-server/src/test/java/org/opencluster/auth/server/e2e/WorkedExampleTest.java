package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.client.login.ClientHandshake;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.frame.FrameConfig;
import org.opencluster.auth.protocol.frame.FrameOpener;
import org.opencluster.auth.protocol.handshake.HandshakeCommandIds;
import org.opencluster.auth.protocol.handshake.KeySchedule;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.handshake.Role;
import org.opencluster.auth.protocol.handshake.TrafficSecrets;
import org.opencluster.auth.protocol.handshake.Transcript;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.risp.RispEncoder;
import org.opencluster.auth.protocol.session.SecureChannel;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.HashAlgorithm;
import org.opencluster.auth.protocol.suite.SuitePolicy;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.server.ca.ClusterCa;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.login.HandshakeSettings;
import org.opencluster.auth.server.login.LoginAccount;
import org.opencluster.auth.server.login.ServerHandshake;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.enrol.TokenContentSigner;
import org.opencluster.auth.token.envelope.EnvelopePolicy;
import org.opencluster.auth.token.envelope.PassphraseEnvelope;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;

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

    /** Deterministic randomness: block i = SHA-256(name || u32 i); records every draw. */
    static final class FixedRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;
        final transient List<byte[]> draws = new ArrayList<>();
        private final byte[] name;
        private int counter;
        private byte[] block = new byte[0];
        private int used;

        FixedRandom(String name) {
            this.name = name.getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public synchronized void nextBytes(byte[] out) {
            for (int i = 0; i < out.length; i++) {
                if (used == block.length) {
                    try {
                        MessageDigest d = MessageDigest.getInstance("SHA-256");
                        d.update(name);
                        d.update(ByteBuffer.allocate(4).putInt(counter++).array());
                        block = d.digest();
                        used = 0;
                    } catch (java.security.NoSuchAlgorithmException e) {
                        throw new IllegalStateException(e);
                    }
                }
                out[i] = block[used++];
            }
            draws.add(out.clone());
        }

        @Override
        public void setSeed(long seed) {
            // fixed stream; the JDK calls this from the constructor
        }
    }

    private void put(String name, byte[] value) {
        lines.add(String.format("%-28s = %s", name, HEX.formatHex(value)));
    }

    private static List<RispCommand> decode(ByteBuffer bytes) {
        List<RispCommand> out = new ArrayList<>();
        RispDecoder.framingOnly().feed(bytes, out::add);
        return out;
    }

    /** Splits a byte string of encoded commands into its handshake messages (marker through HS_END). */
    private static List<byte[]> messages(byte[] plain) {
        List<byte[]> out = new ArrayList<>();
        List<RispCommand> cmds = RispDecoder.framingOnly().feed(plain);
        List<RispCommand> current = new ArrayList<>();
        for (RispCommand c : cmds) {
            current.add(c);
            if (c.id() == HandshakeCommandIds.HS_END) {
                out.add(RispEncoder.toBytes(current.toArray(new RispCommand[0])));
                current.clear();
            }
        }
        return out;
    }

    /** Runs the handshake to ESTABLISHED on both sides, returning each flight as it crossed the wire. */
    static List<byte[]> runFlights(ClientHandshake client, ServerHandshake server) throws Exception {
        List<byte[]> flights = new ArrayList<>();
        ByteBuffer toServer = client.start();
        while (client.state() != ClientHandshake.State.ESTABLISHED) {
            byte[] c2s = new byte[toServer.remaining()];
            toServer.get(c2s);
            flights.add(c2s);
            for (RispCommand c : decode(ByteBuffer.wrap(c2s))) {
                server.onCommand(c);
            }
            ByteBuffer s2cBuf = server.takeOutput();
            byte[] s2c = new byte[s2cBuf.remaining()];
            s2cBuf.get(s2c);
            flights.add(s2c);
            for (RispCommand c : decode(ByteBuffer.wrap(s2c))) {
                client.onCommand(c);
            }
            toServer = client.takeOutput();
            assertTrue(flights.size() < 10, "the handshake converges");
        }
        assertEquals(ServerHandshake.State.ESTABLISHED, server.state());
        return flights;
    }

    @Test
    void fullLoginWithFixedRandomness() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        FixedRandom keys = new FixedRandom("keys");
        FixedRandom serverRandom = new FixedRandom("server");
        FixedRandom clientRandom = new FixedRandom("client");
        SuiteRegistry registry = SuiteRegistry.standard();

        SoftwareToken caKey = SoftwareToken.fromPkcs8("ca", SoftwareKeys.generatePkcs8(KeyType.ED25519, keys), List.of());
        TokenContentSigner caSigner = new TokenContentSigner(caKey, SignatureScheme.ED25519);
        X509Certificate caCert = ClusterCa.selfSign("Example", caKey.publicKey(), caSigner, Duration.ofDays(3650),
                clock, keys);
        ClusterCa ca = new ClusterCa(caCert, caSigner, clock, keys);
        SoftwareToken serverKey = SoftwareToken.fromPkcs8("server", SoftwareKeys.generatePkcs8(KeyType.ED25519, keys),
                List.of());
        X509Certificate serverCert = ca.issue("auth.example", ClusterCa.Subject.SERVER, serverKey.publicKey(),
                Duration.ofDays(365));
        byte[] alicePkcs8 = SoftwareKeys.generatePkcs8(KeyType.ED25519, keys);
        SoftwareToken aliceKey = SoftwareToken.fromPkcs8("alice", alicePkcs8, List.of());
        PassphraseEnvelope envelopes = PassphraseEnvelope.builder().kdf(TestCluster.TEST_KDF)
                .policy(EnvelopePolicy.builder().floor(TestCluster.TEST_KDF).build()).random(keys).build();
        byte[] envelope = envelopes.seal("alice", "correct horse".toCharArray(), alicePkcs8, List.of());
        LoginAccount alice = new LoginAccount("alice", Account.Role.USER, aliceKey.publicKey(), Optional.of(envelope),
                false);

        CommandRegistry app = CoreCommands.registry();
        // The example's policy is the four classical suites (the initial policy before the hybrids of issue 18), so
        // that section 5.11 stays byte for byte what it was; section 5.11.2 is the hybrid example.
        SuitePolicy policy = SuitePolicy.of(registry, 1, List.of(0x0101, 0x0102, 0x0103, 0x0104));
        HandshakeSettings settings = new HandshakeSettings(registry, () -> policy, serverKey,
                List.of(serverCert, caCert), name -> name.equals("alice") ? Optional.of(alice) : Optional.empty(),
                new byte[32], HandshakeSettings.DEFAULT_ENVELOPE_FIELD_LENGTH, ProofKind.KEY_AGREEMENT,
                FrameConfig.defaults(), LoginThrottle.builder().build(), serverRandom);
        ServerHandshake server = new ServerHandshake(settings, "192.0.2.1", app);
        ClientHandshake client = new ClientHandshake("alice",
                (u, env) -> envelopes.open(u, "correct horse".toCharArray(), env, u), chain -> { },
                Set.of(0x0101), registry, app, clientRandom);

        List<byte[]> flights = runFlights(client, server);
        // One application round trip: PING, PONG.
        SecureChannel clientApp = client.applicationChannel();
        SecureChannel serverApp = server.applicationChannel();
        ByteBuffer ping = clientApp.send(List.of(RispCommand.none(CoreCommands.PING.id())), ByteBuffer.allocate(64)).flip();
        byte[] pingBytes = new byte[ping.remaining()];
        ping.get(pingBytes);
        List<RispCommand> got = new ArrayList<>();
        for (RispCommand c : decode(ByteBuffer.wrap(pingBytes))) {
            serverApp.receive(c, got::add);
        }
        assertEquals(List.of(RispCommand.none(CoreCommands.PING.id())), got);
        ByteBuffer pong = serverApp.send(List.of(RispCommand.none(CoreCommands.PONG.id())), ByteBuffer.allocate(64)).flip();
        byte[] pongBytes = new byte[pong.remaining()];
        pong.get(pongBytes);

        // ---- Independent recomputation from the wire bytes and the client's ephemeral private key.
        CipherSuite suite = registry.require(0x0101);
        byte[] clientHello = flights.get(0);
        List<byte[]> serverFlight1 = messages(flights.get(1));
        List<RispCommand> choiceFlight = decode(ByteBuffer.wrap(flights.get(2)));
        int choiceEnd = 0;
        for (int i = 0; i < choiceFlight.size(); i++) {
            if (choiceFlight.get(i).id() == HandshakeCommandIds.HS_END) {
                choiceEnd = i + 1;
                break;
            }
        }
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
        put("alice_pkcs8", alicePkcs8);
        put("alice_envelope", envelope);
        for (FixedRandom stream : List.of(keys, serverRandom, clientRandom)) {
            for (int i = 0; i < stream.draws.size(); i++) {
                put(new String(stream.name, StandardCharsets.US_ASCII) + " draw " + (i + 1), stream.draws.get(i));
            }
        }

        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "login-worked-example.txt"), lines, StandardCharsets.UTF_8);
        String doc = Files.readString(Path.of("../docs/PROTOCOL.md"));
        for (String line : lines) {
            assertTrue(doc.contains(line), "docs/PROTOCOL.md section 5.11 is missing or disagrees on:\n" + line
                    + "\n(regenerate it from auth-server/target/login-worked-example.txt)");
        }
    }

    /** Opens every frame in {@code outer} and returns the handshake messages of their plaintexts. */
    private static List<byte[]> openAll(FrameOpener opener, List<RispCommand> outer) throws Exception {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i + 2 < outer.size() + 0 && i < outer.size(); i += 3) {
            RispCommand marker = outer.get(i);
            long n = outer.get(i + 1).number();
            ByteBuffer plain = ByteBuffer.allocate((int) n);
            opener.open(marker.id() == HandshakeCommandIds.WRAPPED_ENCRYPTED_COMMAND
                    ? org.opencluster.auth.protocol.frame.FrameType.DATA
                    : org.opencluster.auth.protocol.frame.FrameType.CLOSE, n, outer.get(i + 2).bytes(), plain);
            byte[] p = plain.array();
            List<byte[]> ms = messages(p);
            if (ms.isEmpty()) {
                out.add(p);
            } else {
                out.addAll(ms);
            }
        }
        return out;
    }
}
