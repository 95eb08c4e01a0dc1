package org.opencluster.auth.protocol.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.frame.FrameConfig;
import org.opencluster.auth.protocol.frame.FrameException;
import org.opencluster.auth.protocol.frame.FrameOpener;
import org.opencluster.auth.protocol.frame.FrameSealer;
import org.opencluster.auth.protocol.frame.TrafficSecret;
import org.opencluster.auth.protocol.risp.Direction;
import org.opencluster.auth.protocol.risp.ParamKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.risp.RispProtocolException;

/**
 * Fuzz targets for application-frame padding (docs/PROTOCOL.md section 6), the two places it is parsed.
 *
 * <p>{@code received}: the PADDING command (0x9107) in the plaintext of an authentic frame. Byte 0 picks the suite
 * (low two bits) and whether the channel decrypts into its reused buffer (bit 7, as a server does); the rest is the
 * frame's plaintext, sealed with the fixed keys of {@link FrameOpenerFuzzTest} (by a sealer kept per suite, see
 * {@link Keys}) and received by a new {@link SecureChannel} whose inner decoder is the server's (strict core registry,
 * client to server, unknown ids admitted). Contract: PADDING never reaches the caller; a frame with a PADDING that is not all zero bytes is refused
 * with {@link RispProtocolException}; a frame the channel accepts delivers exactly its other commands, in order;
 * nothing but {@link RispProtocolException} escapes (the frame is authentic, so never {@link FrameException}).
 *
 * <p>{@code policy}: the input, as UTF-8, is a {@code frames.padding} value of the server configuration, parsed by
 * {@link FramePadding#parse}. Contract: it returns 0 ({@code none}) or a power of two from 16 to 4096, whose
 * {@link FramePadding#name} parses back to it, or throws {@link IllegalArgumentException}; nothing else.
 */
class FramePaddingFuzzTest {
    private static final FrameConfig CONFIG = FrameConfig.defaults();
    /** Per suite, made once: setting up the AEAD and deriving its keys was most of an input's time (~1.4k exec/s). */
    private static final Keys[] KEYS = new Keys[4];

    /**
     * The two ends of one suite's connection, kept across inputs (with the fixed keys of
     * {@link FrameOpenerFuzzTest}): {@code peer} seals each input's frame, {@code opener} is the channel's receiving
     * direction, {@code reply} its sending one (unused). Each input seals one frame and the channel opens it, so the
     * two stay at the same sequence number and epoch (key updates happen on both sides after the same frame); an
     * input is therefore received at some sequence number, not always 0, which PADDING handling does not look at.
     */
    private record Keys(FrameSealer peer, FrameOpener opener, FrameSealer reply) {
        /** Forgets this suite's ends when they are no longer in step (after a finding), so the next input is not. */
        void dropIfOutOfStep(int index) {
            if (opener.failed() || opener.sequence() != peer.sequence() || opener.epoch() != peer.epoch()) {
                peer.close();
                opener.close();
                reply.close();
                KEYS[index] = null;
            }
        }
    }

    private static Keys keys(int index) {
        if (KEYS[index] == null) {
            try (TrafficSecret in = FrameOpenerFuzzTest.secret(index);
                    TrafficSecret out = FrameOpenerFuzzTest.secret((index + 1) % 4)) {
                KEYS[index] = new Keys(new FrameSealer(in, CONFIG), new FrameOpener(in, CONFIG),
                        new FrameSealer(out, CONFIG));
            }
        }
        return KEYS[index];
    }

    @FuzzTest
    void received(byte[] input) throws FrameException {
        if (input.length < 1 || input.length - 1 > CONFIG.maxPlaintextLength()) {
            return;
        }
        int index = input[0] & 0x03;
        byte[] plaintext = java.util.Arrays.copyOfRange(input, 1, input.length);
        Keys keys = keys(index);
        ByteBuffer sealed = ByteBuffer.allocate(keys.peer.frameLength(plaintext.length));
        keys.peer.seal(ByteBuffer.wrap(plaintext), sealed);
        byte[] frame = java.util.Arrays.copyOf(sealed.array(), sealed.position());
        List<RispCommand> expected = new ArrayList<>();
        boolean nonZeroPadding = false;
        boolean decodes = true;
        try {
            RispDecoder oracle = serverDecoder();
            for (RispCommand c : oracle.feed(plaintext)) {
                if (c.id() == CoreCommands.PADDING.id()) {
                    nonZeroPadding |= !allZero(c.copyBytes());
                } else if (!nonZeroPadding) {
                    expected.add(copy(c));
                }
            }
            decodes = oracle.isIdle(); // a frame's plaintext ends with its last command, never inside one
        } catch (RispProtocolException e) {
            decodes = false;
        }
        List<RispCommand> delivered = new ArrayList<>();
        boolean refused = false;
        // Not closed: it would wipe the keys the next inputs of this suite use.
        SecureChannel channel = new SecureChannel(keys.reply, keys.opener, serverDecoder(), (input[0] & 0x80) != 0);
        try {
            for (RispCommand c : RispDecoder.framingOnly().feed(frame)) {
                channel.receive(c, d -> delivered.add(copy(d)));
            }
        } catch (RispProtocolException e) {
            refused = true;
        } catch (RuntimeException | Error e) {
            throw new AssertionError("only RispProtocolException may escape for an authentic frame", e);
        } finally {
            keys.dropIfOutOfStep(index);
        }
        assertFalse(delivered.stream().anyMatch(c -> c.id() == CoreCommands.PADDING.id()),
                "PADDING reached the caller");
        if (nonZeroPadding) {
            assertTrue(refused, "a PADDING of other than zero bytes was accepted");
        }
        if (!refused) {
            assertTrue(decodes, "the channel accepted a plaintext the server's decoder refuses");
            assertEquals(expected, delivered, "the commands around PADDING");
        } else if (decodes && !nonZeroPadding) {
            throw new AssertionError("a frame of valid commands and zero PADDING was refused");
        }
    }

    @FuzzTest
    void policy(byte[] input) {
        String value = new String(input, StandardCharsets.UTF_8);
        int block;
        try {
            block = FramePadding.parse(value);
        } catch (IllegalArgumentException refused) {
            return;
        } catch (RuntimeException e) {
            throw new AssertionError("only IllegalArgumentException may escape the frames.padding parser", e);
        }
        String p = value.trim().toLowerCase(Locale.ROOT);
        if (block == 0) {
            assertEquals("none", p);
        } else {
            assertTrue(block >= FramePadding.MIN_BLOCK && block <= FramePadding.MAX_BLOCK
                    && Integer.bitCount(block) == 1, "block " + block + " from " + value);
            assertTrue(p.startsWith("block-"), value);
        }
        assertEquals(block, FramePadding.parse(FramePadding.name(block)));
    }

    /** The inner decoder of a server's application channel: the core commands, client to server, others admitted. */
    private static RispDecoder serverDecoder() {
        return RispDecoder.builder().registry(CoreCommands.registry(), Direction.CLIENT_TO_SERVER).admitUnknown(true)
                .copyStrings(true).build();
    }

    /** A command that outlives the buffer it was decoded from (a reused plaintext buffer is overwritten). */
    private static RispCommand copy(RispCommand c) {
        if (!c.hasBytes()) {
            return c;
        }
        return c.kind() == ParamKind.STRING ? RispCommand.string(c.id(), c.copyBytes())
                : RispCommand.fixed(c.id(), c.copyBytes());
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
