package org.opencluster.auth.protocol.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.opencluster.auth.protocol.risp.Direction;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.risp.RispProtocolException;
import org.opencluster.auth.protocol.suite.KeyExchangeGroup;
import org.opencluster.auth.protocol.suite.KeyExchanges;
import org.opencluster.auth.protocol.suite.SuiteException;
import org.opencluster.auth.protocol.suite.SuitePolicy;
import org.opencluster.auth.protocol.suite.SuiteRegistry;

/**
 * Fuzz targets for what the server and the client parse out of clear-text handshake messages.
 *
 * <p>{@code assembly}: the bytes go through the strict handshake decoder into a {@link MessageAssembler}, as on a
 * fresh connection. Contract: {@link RispProtocolException} (framing, registry, direction, length) or
 * {@link HandshakeException} (message layout); every assembled message re-encodes to commands that parse again to
 * the same message.
 *
 * <p>{@code fields}: byte 0 picks a field parser, the rest is the field. Contracts: {@link SuitePolicy#parse} throws
 * only {@link SuiteException} and is the strict inverse of {@code encode}; {@link EnvelopeField#unpad} throws only
 * {@link HandshakeException} and is the inverse of {@code pad}; a key share (u16 group || key) is refused by
 * {@code validatePublicKey} with {@link SuiteException} before {@link PublicKeys#decode} sees it, which then throws at
 * most {@link GeneralSecurityException}; {@link SignatureAlgorithm#verify} never throws (garbage is {@code false}).
 */
class HandshakeFuzzTest {
    private static final SuiteRegistry SUITES = SuiteRegistry.standard();
    private static final byte[] SIGNED = "fuzzed signature input".getBytes(StandardCharsets.UTF_8);
    private static final PublicKey[] VERIFYING_KEYS = verifyingKeys();

    @FuzzTest
    void assembly(byte[] input) {
        if (input.length < 1) {
            return;
        }
        Direction travel = (input[0] & 1) != 0 ? Direction.SERVER_TO_CLIENT : Direction.CLIENT_TO_SERVER;
        RispDecoder decoder = RispDecoder.builder().registry(HandshakeCommands.registry(), travel).build();
        MessageAssembler assembler = new MessageAssembler();
        List<MessageAssembler.Result> results = new ArrayList<>();
        try {
            decoder.feed(ByteBuffer.wrap(input, 1, input.length - 1), c -> {
                try {
                    MessageAssembler.Result r = assembler.accept(c);
                    if (r != null) {
                        results.add(r);
                    }
                } catch (HandshakeException e) {
                    throw new Refused(e);
                }
            });
        } catch (RispProtocolException | Refused expected) {
            // the contract: a bad stream is refused with one of these, and the connection closed
        } catch (RuntimeException | Error e) {
            throw new AssertionError("only RispProtocolException or HandshakeException may escape", e);
        }
        for (MessageAssembler.Result r : results) {
            if (r instanceof MessageAssembler.Message m) {
                checkRoundTrip(m.message());
            } else {
                assertTrue(r instanceof MessageAssembler.PeerError);
            }
        }
    }

    /** Carries a HandshakeException out of the decoder's sink (which may not throw checked exceptions). */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(HandshakeException cause) {
            super(cause);
        }
    }

    private static void checkRoundTrip(HandshakeMessage message) {
        List<RispCommand> again = RispDecoder.framingOnly().feed(message.encode());
        assertEquals(message.marker(), again.get(0).id());
        assertEquals(HandshakeCommandIds.HS_END, again.get(again.size() - 1).id());
        try {
            HandshakeMessage reparsed = HandshakeMessage.parse(message.marker(), again.subList(1, again.size() - 1));
            assertArrayEquals(message.encode(), reparsed.encode());
        } catch (HandshakeException e) {
            throw new AssertionError("an assembled message does not parse again", e);
        }
    }

    @FuzzTest
    void fields(byte[] input) {
        if (input.length < 1) {
            return;
        }
        int parser = input[0] & 0xff;
        byte[] field = Arrays.copyOfRange(input, 1, input.length);
        try {
            switch (parser % 4) {
                case 0 -> suitePolicy(field);
                case 1 -> envelope(field);
                case 2 -> keyShare(field);
                default -> signature(parser / 4, field);
            }
        } catch (SuiteException | HandshakeException | GeneralSecurityException expected) {
            // each parser's contract, see the class comment
        } catch (RuntimeException | Error e) {
            throw new AssertionError("parser " + parser % 4 + " let an unexpected exception escape", e);
        }
    }

    private static void suitePolicy(byte[] field) throws SuiteException {
        SuitePolicy policy = SuitePolicy.parse(SUITES, field);
        assertArrayEquals(field, policy.encode(), "SUITE_POLICY parsing must be the strict inverse of encoding");
    }

    private static void envelope(byte[] field) throws HandshakeException {
        byte[] envelope = EnvelopeField.unpad(field);
        assertArrayEquals(field, EnvelopeField.pad(envelope, field.length), "unpad must invert pad");
    }

    /** The client's path for PROOF_EPHEMERAL and the server's for KEY_SHARE: group, validation, then the JCA key. */
    private static void keyShare(byte[] share) throws SuiteException, GeneralSecurityException {
        Optional<KeyExchangeGroup> group = KeyExchangeGroup.byWireId(HandshakeOutput.groupOf(share));
        if (group.isEmpty()) {
            return;
        }
        byte[] raw = Arrays.copyOfRange(share, 2, share.length);
        KeyExchanges.forGroup(group.get()).validatePublicKey(raw);
        assertEquals(group.get().publicKeyLength(), raw.length, "a validated key has its group's exact length");
        PublicKey key = PublicKeys.decode(group.get(), raw);
        assertEquals(Optional.of(group.get()), PublicKeys.groupOf(key));
        if (group.get() == KeyExchangeGroup.P256) {
            assertArrayEquals(raw, PublicKeys.encode(key), "a validated P-256 point re-encodes to itself");
        }
    }

    private static void signature(int which, byte[] signature) {
        SignatureAlgorithm algorithm = SignatureAlgorithm.values()[which % SignatureAlgorithm.values().length];
        // Only the outcome's type is the contract: garbage verifies false, and nothing escapes.
        algorithm.verify(VERIFYING_KEYS[algorithm.ordinal()], SIGNED, signature);
    }

    private static PublicKey[] verifyingKeys() {
        PublicKey[] keys = new PublicKey[SignatureAlgorithm.values().length];
        try {
            for (SignatureAlgorithm a : SignatureAlgorithm.values()) {
                KeyPairGenerator g;
                switch (a) {
                    case ECDSA_P256_SHA256, ECDSA_P384_SHA384 -> {
                        g = KeyPairGenerator.getInstance("EC");
                        g.initialize(new ECGenParameterSpec(a == SignatureAlgorithm.ECDSA_P256_SHA256
                                ? "secp256r1" : "secp384r1"));
                    }
                    case ED25519 -> g = KeyPairGenerator.getInstance("Ed25519");
                    default -> {
                        g = KeyPairGenerator.getInstance("RSASSA-PSS");
                        g.initialize(2048);
                    }
                }
                keys[a.ordinal()] = g.generateKeyPair().getPublic();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return keys;
    }
}
