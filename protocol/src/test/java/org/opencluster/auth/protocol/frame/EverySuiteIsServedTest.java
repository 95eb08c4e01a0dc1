package org.opencluster.auth.protocol.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.KeyExchange;
import org.opencluster.auth.protocol.suite.SuiteRegistry;

/**
 * Issue 18 item 3: what a suite names is served by the record layer and the handshake through the types alone.
 * A suite registered with an AEAD the record layer cannot drive (a cipher the JVM lacks, a nonce too short for
 * the sequence, lengths that do not match what the frame carries) or with a group whose implementation does not
 * produce shares and secrets of its declared sizes fails here. The old record layer sent every non-GCM AEAD down
 * the ChaCha20 path and used the static 32/12/16 lengths whatever the suite said.
 */
class EverySuiteIsServedTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    static Stream<CipherSuite> suites() {
        return SuiteRegistry.standard().all().stream();
    }

    @ParameterizedTest
    @MethodSource("suites")
    void framesOfTheSuitesAeadRoundTripWithItsOwnLengths(CipherSuite suite) throws Exception {
        byte[] raw = new byte[suite.hash().length()];
        RANDOM.nextBytes(raw);
        try (TrafficSecret secret = new TrafficSecret(suite, raw)) {
            assertEquals(suite.aead().keyLength(), secret.key().length);
            assertEquals(suite.aead().nonceLength(), secret.iv().length);
            try (FrameSealer sealer = new FrameSealer(secret, FrameConfig.defaults());
                    FrameOpener opener = new FrameOpener(secret, FrameConfig.defaults())) {
                byte[] plaintext = "served".getBytes();
                ByteBuffer frame = ByteBuffer.allocate(sealer.frameLength(plaintext.length));
                assertEquals(FrameHeader.LENGTH + plaintext.length + suite.aead().tagLength(), frame.capacity());
                sealer.seal(ByteBuffer.wrap(plaintext), frame);
                frame.flip();
                ByteBuffer out = ByteBuffer.allocate(plaintext.length);
                opener.openFrame(frame, out);
                assertArrayEquals(plaintext, out.array());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("suites")
    void theSuitesGroupMakesSharesAndSecretsOfItsDeclaredSizes(CipherSuite suite) throws Exception {
        KeyExchange kx = suite.group().keyExchange();
        assertEquals(suite.group(), kx.group());
        try (KeyExchange.EphemeralKeyPair initiator = kx.generate(RANDOM);
                KeyExchange.Response responder = kx.respond(initiator.publicKey(), RANDOM)) {
            assertEquals(suite.group().initiatorShareLength(), initiator.publicKey().length);
            assertEquals(suite.group().responderShareLength(), responder.share().length);
            assertEquals(suite.group().sharedSecretLength(), responder.sharedSecret().length);
            assertArrayEquals(responder.sharedSecret(), initiator.agree(responder.share()));
        }
    }

    /** The grep-able half of item 3: no branch on an AEAD or group constant outside the two enums. */
    @Test
    void noCodeOutsideTheEnumsBranchesOnAnAeadOrGroupConstant() throws Exception {
        Path main = Path.of("src/main/java");
        List<Path> offenders;
        try (Stream<Path> files = Files.walk(main)) {
            offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.endsWith("AeadAlgorithm.java"))
                    .filter(p -> read(p).matches("(?s).*(AES_256_GCM|CHACHA20_POLY1305)\\s*[?:)].*"))
                    .toList();
        }
        assertTrue(offenders.isEmpty(), "AEAD branches outside AeadAlgorithm: " + offenders);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
