package org.opencluster.auth.protocol.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.opencluster.auth.protocol.frame.FrameConfig;
import org.opencluster.auth.protocol.frame.FrameException;
import org.opencluster.auth.protocol.frame.FrameHeader;
import org.opencluster.auth.protocol.frame.FrameOpener;
import org.opencluster.auth.protocol.frame.FrameSealer;
import org.opencluster.auth.protocol.frame.TrafficSecret;
import org.opencluster.auth.protocol.handshake.HandshakeCommands;
import org.opencluster.auth.protocol.risp.Direction;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.risp.RispProtocolException;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.SuiteRegistry;

/**
 * Fuzz targets for the receiving half of an encrypted channel, with fixed keys (so a seed sealed with the same keys
 * opens, and mutations of it reach every check after the header).
 *
 * <p>Byte 0 picks the suite (one of the four standard ones); the rest is the wire.
 *
 * <p>{@code openFrame}: the rest is one frame in wire form for {@link FrameOpener#openFrame}. Contract: anything
 * that is not an authentic frame of sequence 0 is refused with {@link FrameException}; nothing else escapes, and an
 * opened frame's plaintext is exactly its ciphertext minus the tag.
 *
 * <p>{@code channel}: the rest is the outer RISP stream of an established session, decoded as the server decodes it
 * and handed command by command to {@link SecureChannel#receive}, whose inner decoder is the strict handshake one
 * (the server's encrypted handshake flight). Contract: {@link FrameException} (header out of order, tampering,
 * lengths) or {@link RispProtocolException} (outer framing, or inner commands of an authentic frame); after the
 * peer's authenticated close frame nothing more is delivered.
 */
class FrameOpenerFuzzTest {
    private static final List<CipherSuite> SUITES = SuiteRegistry.standard().all();
    private static final FrameConfig CONFIG = FrameConfig.defaults();

    /** The fixed traffic secret of suite {@code index}: its hash length of the byte {@code 0x5a}. */
    static TrafficSecret secret(int index) {
        CipherSuite suite = SUITES.get(index);
        byte[] s = new byte[suite.hash().length()];
        Arrays.fill(s, (byte) 0x5a);
        return new TrafficSecret(suite, s);
    }

    /** A frame of sequence 0 with the fixed keys of suite {@code index} (for seeds). */
    static byte[] sealed(int index, byte[] plaintext, boolean close) throws FrameException {
        try (TrafficSecret secret = secret(index); FrameSealer sealer = new FrameSealer(secret, CONFIG)) {
            ByteBuffer out = ByteBuffer.allocate(sealer.frameLength(plaintext.length));
            if (close) {
                sealer.sealClose(out);
            } else {
                sealer.seal(ByteBuffer.wrap(plaintext), out);
            }
            return Arrays.copyOf(out.array(), out.position());
        }
    }

    @FuzzTest
    void openFrame(byte[] input) {
        if (input.length < 1) {
            return;
        }
        try (TrafficSecret secret = secret((input[0] & 0xff) % SUITES.size());
                FrameOpener opener = new FrameOpener(secret, CONFIG)) {
            ByteBuffer frame = ByteBuffer.wrap(input, 1, input.length - 1).slice();
            ByteBuffer plaintext = ByteBuffer.allocate(frame.remaining());
            int n = opener.openFrame(frame, plaintext);
            assertEquals(input.length - 1 - FrameHeader.LENGTH - secret.suite().aead().tagLength(), n,
                    "an opened frame's plaintext is its ciphertext minus the tag");
        } catch (FrameException refused) {
            // the contract: not an authentic frame
        } catch (RuntimeException | Error e) {
            throw new AssertionError("only FrameException may escape the opener", e);
        }
    }

    @FuzzTest
    void channel(byte[] input) {
        if (input.length < 1) {
            return;
        }
        int index = (input[0] & 0xff) % SUITES.size();
        RispDecoder outer = RispDecoder.builder().copyStrings((input[0] & 0x80) != 0).build();
        RispDecoder inner = RispDecoder.builder().registry(HandshakeCommands.registry(), Direction.CLIENT_TO_SERVER)
                .build();
        try (TrafficSecret in = secret(index); TrafficSecret out = secret((index + 1) % SUITES.size());
                SecureChannel channel = new SecureChannel(new FrameSealer(out, CONFIG), new FrameOpener(in, CONFIG),
                        inner, (input[0] & 0x40) != 0)) {
            boolean[] closed = new boolean[1];
            outer.feed(ByteBuffer.wrap(input, 1, input.length - 1).slice(), c -> {
                try {
                    // A server closes after the peer's close frame; if bytes follow anyway, no frame may open.
                    closed[0] |= channel.receive(c, cmd -> assertTrue(!closed[0],
                            "a command was delivered after the peer's close frame"));
                } catch (FrameException e) {
                    throw new Refused(e);
                }
            });
        } catch (Refused | RispProtocolException expected) {
            // the contract: the channel is dead and the connection closed
        } catch (RuntimeException | Error e) {
            throw new AssertionError("only FrameException or RispProtocolException may escape the channel", e);
        }
    }

    /** Carries a FrameException out of the decoder's sink. */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(FrameException cause) {
            super(cause);
        }
    }
}
