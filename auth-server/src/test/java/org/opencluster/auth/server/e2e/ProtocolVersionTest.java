package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.login.ClientHandshake;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.handshake.HandshakeCommandIds;
import org.opencluster.auth.protocol.handshake.HandshakeCommands;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.HandshakeLabels;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.handshake.MessageAssembler;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.handshake.Transcript;
import org.opencluster.auth.protocol.risp.Direction;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.suite.HashAlgorithm;
import org.opencluster.auth.protocol.suite.SuitePolicy;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.SignatureScheme;

/**
 * Issue 13 items 3-4 and docs/PROTOCOL.md 5.3.3-5.3.4: protocol version 3 changed LOGIN_REQUEST, LOGIN_CHALLENGE and
 * LOGIN_PROOF, and the server still serves version-2 clients (unpadded, the version-2 challenge) for every proof kind
 * they use, over TCP and REST; a version-3 client refuses a server that answers a lower version.
 */
class ProtocolVersionTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();
    @TempDir
    Path dir;

    /** Which operation the account's token did for the proof: the proof kind the server asked for. */
    private static final class UsedProof {
        final ProofCapture capture = new ProofCapture();

        int proofBytes() {
            return capture.captured().length;
        }
    }

    private record Account(String name, KeyType type, int proofBytesMin, int proofBytesMax) {
    }

    private static void version2LoginsOverTcpAndRest(TestCluster c, List<Account> accounts) throws Exception {
        RestClient rest = new RestClient(c.server.httpsAddress().orElseThrow(), c.serverCert);
        for (Account a : accounts) {
            c.person(a.name(), PASS, org.opencluster.auth.server.store.Account.Role.USER, a.type());
            UsedProof tcp = new UsedProof();
            try (RawClient raw = RawClient.login(c.address(), null, a.name(), tcp.capture.recording(c.passphrase(PASS)),
                    c.pinned(), 10_000, ClientHandshake::version2)) {
                raw.sendFrames(List.of(List.of(RispCommand.none(CoreCommands.PING.id()))));
                assertEquals(CoreCommands.PONG.id(), raw.receiveFrame().get(0).id(), a.name() + " over TCP");
            }
            assertProofSize(a, tcp, "TCP");

            UsedProof https = new UsedProof();
            RestClient.Session s = rest.new Session(new ClientHandshake(a.name(),
                    https.capture.recording(c.passphrase(PASS)), c.pinned(), Set.of(0x0101, 0x0102, 0x0103, 0x0104),
                    SuiteRegistry.standard(), CoreCommands.registry(), new SecureRandom()).version2()).login();
            assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id(),
                    a.name() + " over REST");
            assertProofSize(a, https, "REST");
        }
    }

    private static void assertProofSize(Account a, UsedProof used, String transport) {
        int n = used.proofBytes();
        if (n < a.proofBytesMin() || n > a.proofBytesMax()) {
            throw new AssertionError(a.name() + " over " + transport + ": the token's output was " + n
                    + " bytes, not the proof kind expected");
        }
    }

    @Test
    void aVersion2ClientLogsInByKeyAgreementAndEd25519SignatureOverTcpAndRest() throws Exception {
        try (TestCluster c = TestCluster.in(dir).https().start()) {
            version2LoginsOverTcpAndRest(c, List.of(
                    new Account("p256-agree", KeyType.EC_P256, 32, 32), // ECDH Z: key agreement
                    new Account("x25519-agree", KeyType.X25519, 32, 32),
                    new Account("ed25519-sign", KeyType.ED25519, 64, 64), // Ed25519 signature
                    new Account("rsa-sign", KeyType.RSA_2048, 256, 256)));
        }
    }

    @Test
    void aVersion2ClientLogsInByEcdsaSignatureOverTcpAndRestWhenTheServerPrefersSignatures() throws Exception {
        try (TestCluster c = TestCluster.in(dir).https().ecProofKind(ProofKind.SIGNATURE).start()) {
            version2LoginsOverTcpAndRest(c, List.of(
                    new Account("p256-sign", KeyType.EC_P256, 68, 72), // DER ECDSA P-256 signature
                    new Account("p384-sign", KeyType.EC_P384, 100, 104)));
        }
    }

    /**
     * A server answering version 2 to a version-3 hello (its signature over the hello verifies: no man in the middle
     * can make this, only a server that gives up what version 3 protects) is refused with DOWNGRADE_DETECTED before
     * anything else; the same flight answering version 3 is accepted.
     */
    @Test
    void aVersion3ClientRefusesAServerThatAnswersVersion2() throws Exception {
        try (TestCluster c = TestCluster.in(dir).start()) {
            ClientHandshake downgraded = client(c);
            serverFlight(c, downgraded, HandshakeCommandIds.PROTOCOL_VERSION_2);
            assertEquals(ClientHandshake.State.FAILED, downgraded.state());
            assertEquals(HandshakeError.DOWNGRADE_DETECTED.code(), downgraded.failure().code());

            ClientHandshake same = client(c);
            serverFlight(c, same, HandshakeCommandIds.PROTOCOL_VERSION_3);
            assertNotEquals(ClientHandshake.State.FAILED, same.state(), String.valueOf(same.failure()));
        }
    }

    private static ClientHandshake client(TestCluster c) {
        return new ClientHandshake("alice", (u, e) -> {
            throw new AssertionError("no credential before the server is verified");
        }, c.pinned(), Set.of(0x0101), SuiteRegistry.standard(), CoreCommands.registry(), new SecureRandom());
    }

    /** The server's first flight answering {@code version}, signed with the cluster's real server key. */
    private static void serverFlight(TestCluster c, ClientHandshake client, int version) throws Exception {
        HandshakeMessage hello = clientHello(client.start());
        assertEquals(HandshakeCommandIds.PROTOCOL_VERSION_3, hello.number(HandshakeCommandIds.PROTOCOL_VERSION));
        KeyPairGenerator x25519 = KeyPairGenerator.getInstance("X25519");
        byte[] spki = x25519.generateKeyPair().getPublic().getEncoded();
        byte[] share = ByteBuffer.allocate(34).putShort((short) 0x001d)
                .put(Arrays.copyOfRange(spki, spki.length - 32, spki.length)).array();
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        HandshakeMessage serverHello = HandshakeMessage.of(HandshakeCommandIds.HS_SERVER_HELLO,
                RispCommand.integer(HandshakeCommandIds.PROTOCOL_VERSION, version),
                RispCommand.fixed(HandshakeCommandIds.SERVER_RANDOM, random),
                RispCommand.string(HandshakeCommandIds.SUITE_POLICY,
                        SuitePolicy.initial(SuiteRegistry.standard()).encode()),
                RispCommand.string(HandshakeCommandIds.KEY_SHARE, share),
                RispCommand.integer(HandshakeCommandIds.KEY_UPDATE_BYTES, 1L << 30),
                RispCommand.integer(HandshakeCommandIds.KEY_UPDATE_RECORDS, 1L << 20),
                RispCommand.integer(HandshakeCommandIds.MAX_FRAME_PLAINTEXT, 16384),
                RispCommand.string(HandshakeCommandIds.EXTENSIONS, new byte[0]));
        HandshakeMessage certificate = HandshakeMessage.of(HandshakeCommandIds.HS_SERVER_CERTIFICATE,
                RispCommand.string(HandshakeCommandIds.CERTIFICATE, c.serverCert.getEncoded()));
        byte[] hash = new Transcript(HashAlgorithm.SHA384).add(hello.encode()).add(serverHello.encode())
                .add(certificate.encode()).hash();
        byte[] signature = c.serverKey.sign(SignatureScheme.ECDSA_P256_SHA256,
                HandshakeLabels.signatureInput(HandshakeLabels.SERVER_SIGNATURE_CONTEXT, hash));
        HandshakeMessage verify = HandshakeMessage.of(HandshakeCommandIds.HS_SERVER_CERTIFICATE_VERIFY,
                RispCommand.integer(HandshakeCommandIds.SIGNATURE_SCHEME, 0x0403),
                RispCommand.string(HandshakeCommandIds.SIGNATURE, signature));
        for (HandshakeMessage m : List.of(serverHello, certificate, verify)) {
            RispDecoder decoder = RispDecoder.builder()
                    .registry(HandshakeCommands.registry(), Direction.SERVER_TO_CLIENT).copyStrings(true).build();
            List<RispCommand> commands = new ArrayList<>();
            decoder.feed(ByteBuffer.wrap(m.encode()), commands::add);
            for (RispCommand command : commands) {
                if (client.state() != ClientHandshake.State.FAILED) {
                    client.onCommand(command);
                }
            }
        }
    }

    private static HandshakeMessage clientHello(ByteBuffer wire) {
        RispDecoder decoder = RispDecoder.builder().registry(HandshakeCommands.registry(), Direction.CLIENT_TO_SERVER)
                .build();
        MessageAssembler assembler = new MessageAssembler();
        List<HandshakeMessage> messages = new ArrayList<>();
        decoder.feed(wire, command -> {
            try {
                if (assembler.accept(command) instanceof MessageAssembler.Message m) {
                    messages.add(m.message());
                }
            } catch (HandshakeException e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(1, messages.size());
        return messages.get(0);
    }
}
