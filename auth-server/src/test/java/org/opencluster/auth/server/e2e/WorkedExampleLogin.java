package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.opencluster.auth.client.login.ClientHandshake;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.frame.FrameConfig;
import org.opencluster.auth.protocol.frame.FrameOpener;
import org.opencluster.auth.protocol.frame.FrameType;
import org.opencluster.auth.protocol.handshake.HandshakeCommandIds;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.risp.RispEncoder;
import org.opencluster.auth.protocol.session.SecureChannel;
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
 * The fixture of the worked examples of docs/PROTOCOL.md section 5.11 (classical, {@link WorkedExampleTest}), 5.11.1
 * (credential version 2, {@link WorkedExampleV2Test}) and 5.11.3 (hybrid, {@link HybridLoginWorkedExampleTest}): the
 * fixed randomness, the parties (CA, server and alice, all Ed25519, made from the "keys" stream at a fixed clock),
 * a login between the real engines under a given policy and client suite set, and the helpers that split and open
 * what crossed the wire.
 */
final class WorkedExampleLogin {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    static final String PASSPHRASE = "correct horse";

    private WorkedExampleLogin() {
    }

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

        String name() {
            return new String(name, StandardCharsets.US_ASCII);
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

    /** The CA, the server and alice's key, drawn in this order from {@code keys} (draws 1-5 of section 5.11). */
    record Parties(X509Certificate caCert, SoftwareToken serverKey, X509Certificate serverCert, byte[] alicePkcs8,
            SoftwareToken aliceKey, PassphraseEnvelope envelopes) {
    }

    static Parties parties(FixedRandom keys) throws Exception {
        SoftwareToken caKey = SoftwareToken.fromPkcs8("ca", SoftwareKeys.generatePkcs8(KeyType.ED25519, keys),
                List.of());
        TokenContentSigner caSigner = new TokenContentSigner(caKey, SignatureScheme.ED25519);
        X509Certificate caCert = ClusterCa.selfSign("Example", caKey.publicKey(), caSigner, Duration.ofDays(3650),
                CLOCK, keys);
        ClusterCa ca = new ClusterCa(caCert, caSigner, CLOCK, keys);
        SoftwareToken serverKey = SoftwareToken.fromPkcs8("server", SoftwareKeys.generatePkcs8(KeyType.ED25519, keys),
                List.of());
        X509Certificate serverCert = ca.issue("auth.example", ClusterCa.Subject.SERVER, serverKey.publicKey(),
                Duration.ofDays(365));
        byte[] alicePkcs8 = SoftwareKeys.generatePkcs8(KeyType.ED25519, keys);
        SoftwareToken aliceKey = SoftwareToken.fromPkcs8("alice", alicePkcs8, List.of());
        PassphraseEnvelope envelopes = PassphraseEnvelope.builder().kdf(TestCluster.TEST_KDF)
                .policy(EnvelopePolicy.builder().floor(TestCluster.TEST_KDF).build()).random(keys).build();
        return new Parties(caCert, serverKey, serverCert, alicePkcs8, aliceKey, envelopes);
    }

    /**
     * A credential-version-1 login of alice (envelope under {@link #PASSPHRASE}, salt and nonce keys draws 6 and 7)
     * under {@code policy} (version 1) with a client offering only {@code clientSuites}, then one PING and PONG.
     */
    record Login(FixedRandom keys, FixedRandom server, FixedRandom client, SuiteRegistry registry, byte[] alicePkcs8,
            byte[] envelope, List<byte[]> flights, byte[] pingFrame, byte[] pongFrame) {
    }

    static Login login(List<Integer> policySuites, Set<Integer> clientSuites) throws Exception {
        FixedRandom keys = new FixedRandom("keys");
        FixedRandom serverRandom = new FixedRandom("server");
        FixedRandom clientRandom = new FixedRandom("client");
        SuiteRegistry registry = SuiteRegistry.standard();
        Parties p = parties(keys);
        byte[] envelope = p.envelopes().seal("alice", PASSPHRASE.toCharArray(), p.alicePkcs8(), List.of());
        LoginAccount alice = new LoginAccount("alice", Account.Role.USER, p.aliceKey().publicKey(),
                Optional.of(envelope), false);

        CommandRegistry app = CoreCommands.registry();
        SuitePolicy policy = SuitePolicy.of(registry, 1, policySuites);
        HandshakeSettings settings = new HandshakeSettings(registry, () -> policy, p.serverKey(),
                List.of(p.serverCert(), p.caCert()),
                name -> name.equals("alice") ? Optional.of(alice) : Optional.empty(),
                new byte[32], HandshakeSettings.DEFAULT_ENVELOPE_FIELD_LENGTH, ProofKind.KEY_AGREEMENT,
                FrameConfig.defaults(), LoginThrottle.builder().build(), serverRandom);
        ServerHandshake server = new ServerHandshake(settings, "192.0.2.1", app);
        ClientHandshake client = new ClientHandshake("alice",
                (u, env) -> p.envelopes().open(u, PASSPHRASE.toCharArray(), env, u), chain -> { },
                clientSuites, registry, app, clientRandom);

        List<byte[]> flights = runFlights(client, server);
        // One application round trip: PING, PONG.
        SecureChannel clientApp = client.applicationChannel();
        SecureChannel serverApp = server.applicationChannel();
        byte[] pingBytes = bytes(clientApp.send(List.of(RispCommand.none(CoreCommands.PING.id())),
                ByteBuffer.allocate(64)).flip());
        List<RispCommand> got = new ArrayList<>();
        for (RispCommand c : decode(ByteBuffer.wrap(pingBytes))) {
            serverApp.receive(c, got::add);
        }
        assertEquals(List.of(RispCommand.none(CoreCommands.PING.id())), got);
        byte[] pongBytes = bytes(serverApp.send(List.of(RispCommand.none(CoreCommands.PONG.id())),
                ByteBuffer.allocate(64)).flip());
        return new Login(keys, serverRandom, clientRandom, registry, p.alicePkcs8(), envelope, flights, pingBytes,
                pongBytes);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static List<RispCommand> decode(ByteBuffer bytes) {
        List<RispCommand> out = new ArrayList<>();
        RispDecoder.framingOnly().feed(bytes, out::add);
        return out;
    }

    /** Splits a byte string of encoded commands into its handshake messages (marker through HS_END). */
    static List<byte[]> messages(byte[] plain) {
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

    /** The index just past the first HS_END: where the plain messages of a flight end and its frames begin. */
    static int endOfFirstMessage(List<RispCommand> flight) {
        for (int i = 0; i < flight.size(); i++) {
            if (flight.get(i).id() == HandshakeCommandIds.HS_END) {
                return i + 1;
            }
        }
        throw new AssertionError("no HS_END in the flight");
    }

    /** Runs the handshake to ESTABLISHED on both sides, returning each flight as it crossed the wire. */
    static List<byte[]> runFlights(ClientHandshake client, ServerHandshake server) throws Exception {
        List<byte[]> flights = new ArrayList<>();
        ByteBuffer toServer = client.start();
        while (client.state() != ClientHandshake.State.ESTABLISHED) {
            byte[] c2s = bytes(toServer);
            flights.add(c2s);
            for (RispCommand c : decode(ByteBuffer.wrap(c2s))) {
                server.onCommand(c);
            }
            byte[] s2c = bytes(server.takeOutput());
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

    /** Opens every frame in {@code outer} and returns the handshake messages of their plaintexts. */
    static List<byte[]> openAll(FrameOpener opener, List<RispCommand> outer) throws Exception {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i + 2 < outer.size(); i += 3) {
            RispCommand marker = outer.get(i);
            long n = outer.get(i + 1).number();
            ByteBuffer plain = ByteBuffer.allocate((int) n);
            opener.open(marker.id() == HandshakeCommandIds.WRAPPED_ENCRYPTED_COMMAND ? FrameType.DATA
                    : FrameType.CLOSE, n, outer.get(i + 2).bytes(), plain);
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

    /**
     * Writes {@code lines} to target/{@code file} (to regenerate the section from) and fails unless every line stands
     * in docs/PROTOCOL.md as it is.
     */
    static void assertDocumentShows(List<String> lines, String section, String file) throws IOException {
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", file), lines, StandardCharsets.UTF_8);
        String doc = Files.readString(Path.of("../docs/PROTOCOL.md"));
        for (String line : lines) {
            assertTrue(doc.contains(line), "docs/PROTOCOL.md section " + section + " is missing or disagrees on:\n"
                    + line + "\n(regenerate it from auth-server/target/" + file + ")");
        }
    }
}
