package org.opencluster.auth.client.login;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.handshake.HandshakeCommandIds;
import org.opencluster.auth.protocol.handshake.HandshakeCommands;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.HandshakeLabels;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.risp.Direction;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.risp.RispProtocolException;
import org.opencluster.auth.protocol.suite.SuiteRegistry;

/**
 * Fuzz targets for what the client reads from a server before it has verified anything, through the client's
 * public entry point {@link ClientHandshake#onCommand} (checks added in that path later are fuzzed too).
 *
 * <p>{@code serverFlight}: the input is the byte stream a server sends, decoded strictly as the client's transport
 * does (a framing error there closes the connection and ends the input). Covers HS_HELLO_RETRY and everything after.
 * Contract: {@code onCommand} never throws; the handshake never reaches ESTABLISHED (nobody can sign for the pinned
 * key); a FAILED handshake says why ({@link ClientHandshake#failure()}); after an accepted HELLO_RETRY the client's
 * only output is the same CLIENT_HELLO again with a HELLO_COOKIE extension carrying exactly the server's cookie.
 *
 * <p>{@code serverCertificate}: the input is a certificate chain, each certificate a u16 length and that many DER
 * bytes (at most 8, each at most the 16 KiB a CERTIFICATE field may hold; one at least, as the message layout
 * wants), sent as HS_SERVER_CERTIFICATE after a SERVER_HELLO. Contract: {@code onCommand} never throws; the client's trust is never asked about an empty chain;
 * the handshake goes on (AWAIT_CERTIFICATE_VERIFY) only when its trust accepted the chain, else it FAILED.
 */
class ClientHandshakeFuzzTest {
    private static final String INPUTS = "ClientHandshakeFuzzTestInputs/serverCertificate/";
    /** The key the client pins: the leaf of the corpus's valid chain. */
    private static final byte[] PINNED_SPKI = pinnedSpki();
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * A SERVER_HELLO of the right layout: the client takes it as it comes and looks at its fields only with
     * CERTIFICATE_VERIFY, after the chain.
     */
    static final byte[] SERVER_HELLO = HandshakeMessage.of(HandshakeCommandIds.HS_SERVER_HELLO,
            RispCommand.integer(HandshakeCommandIds.PROTOCOL_VERSION, HandshakeCommandIds.PROTOCOL_VERSION_2),
            RispCommand.fixed(HandshakeCommandIds.SERVER_RANDOM, new byte[32]),
            RispCommand.string(HandshakeCommandIds.SUITE_POLICY, new byte[] {0, 1, 1, 3}),
            RispCommand.string(HandshakeCommandIds.KEY_SHARE, new byte[] {0, 0x17, 4}),
            RispCommand.integer(HandshakeCommandIds.KEY_UPDATE_BYTES, 1L << 30),
            RispCommand.integer(HandshakeCommandIds.KEY_UPDATE_RECORDS, 1L << 20),
            RispCommand.integer(HandshakeCommandIds.MAX_FRAME_PLAINTEXT, 16384),
            RispCommand.string(HandshakeCommandIds.EXTENSIONS, new byte[0])).encode();

    @FuzzTest
    void serverFlight(byte[] input) {
        ClientHandshake client = client(new TrustCalls());
        byte[] firstHello = bytes(client.start());
        RispDecoder decoder = RispDecoder.builder().registry(HandshakeCommands.registry(), Direction.SERVER_TO_CLIENT)
                .copyStrings(true).build();
        List<RispCommand> commands = new ArrayList<>();
        try {
            decoder.feed(ByteBuffer.wrap(input), commands::add);
        } catch (RispProtocolException framing) {
            // the transport closes here; what was decoded before still reached the handshake
        }
        boolean retried = false;
        for (RispCommand c : commands) {
            ClientHandshake.State before = client.state();
            ClientHandshake.State after = feed(client, c);
            byte[] out = bytes(client.takeOutput());
            if (before == ClientHandshake.State.AWAIT_SERVER_HELLO && after == before && out.length > 0) {
                assertFalse(retried, "a second HELLO_RETRY was answered");
                retried = true;
                checkRetryAnswer(firstHello, out);
            }
            if (after == ClientHandshake.State.FAILED) {
                break;
            }
        }
    }

    @FuzzTest
    void serverCertificate(byte[] input) {
        List<RispCommand> certificates = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(input);
        while (in.remaining() >= 2 && certificates.size() < 8) {
            int len = Math.min(in.getShort() & 0xffff, in.remaining());
            if (len > 16 * 1024) {
                return;
            }
            byte[] der = new byte[len];
            in.get(der);
            certificates.add(RispCommand.string(HandshakeCommandIds.CERTIFICATE, der));
        }
        if (certificates.isEmpty()) {
            return; // the message layout needs one at least: an empty chain is refused by the parser (serverFlight)
        }
        TrustCalls trust = new TrustCalls();
        ClientHandshake client = client(trust);
        client.start();
        feedAll(client, SERVER_HELLO);
        assertEquals(ClientHandshake.State.AWAIT_CERTIFICATE, client.state());
        feedAll(client, HandshakeMessage.of(HandshakeCommandIds.HS_SERVER_CERTIFICATE,
                certificates.toArray(new RispCommand[0])).encode());
        if (client.state() == ClientHandshake.State.AWAIT_CERTIFICATE_VERIFY) {
            assertTrue(trust.accepted, "the handshake went on past a chain its trust did not accept");
        } else {
            assertEquals(ClientHandshake.State.FAILED, client.state());
            assertNotNull(client.failure());
        }
    }

    /** The answer to HELLO_RETRY: the first CLIENT_HELLO with EXTENSIONS = HELLO_COOKIE(cookie), nothing else. */
    private static void checkRetryAnswer(byte[] firstHello, byte[] out) {
        HandshakeMessage again = parse(out);
        HandshakeMessage first = parse(firstHello);
        assertEquals(HandshakeCommandIds.HS_CLIENT_HELLO, again.marker());
        byte[] ext = again.bytes(HandshakeCommandIds.EXTENSIONS);
        assertTrue(ext.length > 4, "HELLO_RETRY answered without a cookie");
        assertEquals(HandshakeLabels.EXTENSION_HELLO_COOKIE, ((ext[0] & 0xff) << 8) | (ext[1] & 0xff));
        assertEquals(ext.length - 4, ((ext[2] & 0xff) << 8) | (ext[3] & 0xff));
        for (int field : new int[] {HandshakeCommandIds.PROTOCOL_VERSION, HandshakeCommandIds.CLIENT_RANDOM,
            HandshakeCommandIds.SUPPORTED_SUITES}) {
            assertArrayEquals(first.field(field).copyBytes(), again.field(field).copyBytes());
        }
    }

    private static HandshakeMessage parse(byte[] stream) {
        RispDecoder decoder = RispDecoder.builder().registry(HandshakeCommands.registry(), Direction.CLIENT_TO_SERVER)
                .build();
        org.opencluster.auth.protocol.handshake.MessageAssembler assembler =
                new org.opencluster.auth.protocol.handshake.MessageAssembler();
        List<HandshakeMessage> messages = new ArrayList<>();
        decoder.feed(ByteBuffer.wrap(stream), c -> {
            try {
                if (assembler.accept(c) instanceof org.opencluster.auth.protocol.handshake.MessageAssembler.Message m) {
                    messages.add(m.message());
                }
            } catch (HandshakeException e) {
                throw new AssertionError("the client sent a malformed message", e);
            }
        });
        assertEquals(1, messages.size(), "the client's output is one message");
        return messages.get(0);
    }

    private static ClientHandshake.State feed(ClientHandshake client, RispCommand c) {
        ClientHandshake.State s;
        try {
            s = client.onCommand(c);
        } catch (RuntimeException | Error e) {
            throw new AssertionError("ClientHandshake.onCommand threw", e);
        }
        assertNotEquals(ClientHandshake.State.ESTABLISHED, s, "logged in to a server nobody verified");
        if (s == ClientHandshake.State.FAILED) {
            assertNotNull(client.failure(), "FAILED without a reason");
        }
        return s;
    }

    private static void feedAll(ClientHandshake client, byte[] stream) {
        RispDecoder decoder = RispDecoder.builder().registry(HandshakeCommands.registry(), Direction.SERVER_TO_CLIENT)
                .copyStrings(true).build();
        List<RispCommand> commands = new ArrayList<>();
        decoder.feed(ByteBuffer.wrap(stream), commands::add);
        for (RispCommand c : commands) {
            if (client.state() == ClientHandshake.State.FAILED) {
                return;
            }
            feed(client, c);
        }
    }

    /** The client's trust: the pinned key, as a client that pinned its server does; records what it was asked. */
    private static final class TrustCalls implements ServerTrust {
        boolean accepted;

        @Override
        public void check(List<java.security.cert.X509Certificate> chain) throws HandshakeException {
            assertFalse(chain.isEmpty(), "the client asked its trust about an empty chain");
            if (!MessageDigest.isEqual(chain.get(0).getPublicKey().getEncoded(), PINNED_SPKI)) {
                throw new HandshakeException(HandshakeError.SERVER_KEY_CHANGED, "not the pinned key");
            }
            accepted = true;
        }
    }

    private static ClientHandshake client(ServerTrust trust) {
        LoginCredential none = (user, envelope) -> {
            throw new AssertionError("the credential was used before the server was verified");
        };
        return new ClientHandshake("fuzz", none, trust, Set.of(0x0101, 0x0103), SuiteRegistry.standard(),
                CoreCommands.registry(), RANDOM);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static byte[] pinnedSpki() {
        try (InputStream in = ClientHandshakeFuzzTest.class.getResourceAsStream(INPUTS + "p256-leaf-and-ca")) {
            ByteBuffer chain = ByteBuffer.wrap(in.readAllBytes());
            byte[] leaf = new byte[chain.getShort() & 0xffff];
            chain.get(leaf);
            return CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(leaf))
                    .getPublicKey().getEncoded();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
    }
}
