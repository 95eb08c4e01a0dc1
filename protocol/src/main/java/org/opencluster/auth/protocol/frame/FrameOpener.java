package org.opencluster.auth.protocol.frame;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;

/**
 * The receiving half of a channel. Sequence numbers are implicit, so a frame that was replayed, reordered,
 * dropped before, cut or flipped fails authentication. The first failure kills the opener: every later call
 * throws {@link FrameError#CHANNEL_FAILED} and the key material is wiped (fail closed). Not thread-safe.
 */
public final class FrameOpener implements AutoCloseable {
    private final DirectionState state;
    private final byte[] header = new byte[FrameHeader.LENGTH];
    private boolean failed;
    private boolean closeReceived;

    /** Uses a copy of {@code initial}; the caller still owns (and closes) its object. */
    public FrameOpener(TrafficSecret initial, FrameConfig config) {
        this.state = new DirectionState(initial, config, false);
    }

    /**
     * Opens one frame given as the values the RISP decoder produced: the frame type (first command), the value of
     * LENGTH_OF_UNCRYPTED and the ENCRYPTED_STRING parameter (position to limit, e.g. a slice of the receive
     * buffer). The plaintext is written at {@code plaintextOut}'s position (which may be the ciphertext's own
     * position: in-place). Returns the plaintext length.
     */
    public int open(FrameType type, long plaintextLength, ByteBuffer ciphertext, ByteBuffer plaintextOut)
            throws FrameException {
        checkUsable();
        if (plaintextLength < 0 || plaintextLength > state.config().maxPlaintextLength()) {
            throw fail(FrameError.FRAME_TOO_LARGE, "LENGTH_OF_UNCRYPTED " + plaintextLength
                    + " is outside 0.." + state.config().maxPlaintextLength());
        }
        int length = (int) plaintextLength;
        if (ciphertext.remaining() != length + tagLength()) {
            throw fail(FrameError.LENGTH_MISMATCH, "ENCRYPTED_STRING is " + ciphertext.remaining()
                    + " bytes but LENGTH_OF_UNCRYPTED " + length + " needs " + (length + tagLength())
                    + ": the frame was cut or altered");
        }
        if (type == FrameType.CLOSE && length != 0) {
            throw fail(FrameError.MALFORMED_HEADER, "a close frame carries no plaintext, this one claims " + length);
        }
        if (plaintextOut.remaining() < length) {
            throw new IllegalArgumentException("plaintext buffer has " + plaintextOut.remaining()
                    + " bytes, the frame needs " + length);
        }
        FrameHeader.write(header, 0, type, length, length + tagLength());
        int outStart = plaintextOut.position();
        Cipher cipher = state.cipher().start(state.sequence());
        try {
            cipher.updateAAD(header);
            state.cipher().finishOpen(cipher, ciphertext, plaintextOut);
        } catch (AEADBadTagException e) {
            wipe(plaintextOut, outStart, length);
            throw fail(FrameError.AUTHENTICATION_FAILED, "frame " + state.sequence() + " of key epoch "
                    + state.epoch() + " did not authenticate: it was tampered with, replayed, reordered, or an "
                    + "earlier frame was dropped; the session must be closed");
        } catch (GeneralSecurityException e) {
            wipe(plaintextOut, outStart, length);
            throw fail(FrameError.AUTHENTICATION_FAILED, "AEAD open failed (" + e.getClass().getSimpleName() + ")");
        }
        state.advance(length);
        if (type == FrameType.CLOSE) {
            closeReceived = true;
        }
        return length;
    }

    /**
     * Whether {@link #open} would accept this frame now, decided without any effect on this opener: no failure, no
     * sequence advance, nothing released (the plaintext goes to a scratch buffer that is wiped). For a transport
     * where anyone who knows a routing id can inject a frame (REST) and must not thereby end the session: it drops
     * a frame this refuses. Costs one extra decryption of the frame.
     *
     * @return empty when the frame would open, else the error {@link #open} would throw
     */
    public java.util.Optional<FrameError> check(FrameType type, long plaintextLength, ByteBuffer ciphertext) {
        if (failed) {
            return java.util.Optional.of(FrameError.CHANNEL_FAILED);
        }
        if (closeReceived) {
            return java.util.Optional.of(FrameError.FRAME_AFTER_CLOSE);
        }
        if (plaintextLength < 0 || plaintextLength > state.config().maxPlaintextLength()) {
            return java.util.Optional.of(FrameError.FRAME_TOO_LARGE);
        }
        int length = (int) plaintextLength;
        if (ciphertext.remaining() != length + tagLength()) {
            return java.util.Optional.of(FrameError.LENGTH_MISMATCH);
        }
        if (type == FrameType.CLOSE && length != 0) {
            return java.util.Optional.of(FrameError.MALFORMED_HEADER);
        }
        byte[] aad = new byte[FrameHeader.LENGTH];
        FrameHeader.write(aad, 0, type, length, length + tagLength());
        ByteBuffer scratch = ByteBuffer.allocate(length);
        try {
            Cipher cipher = state.cipher().start(state.sequence());
            cipher.updateAAD(aad);
            state.cipher().finishOpen(cipher, ciphertext.duplicate(), scratch);
            return java.util.Optional.empty();
        } catch (GeneralSecurityException e) {
            return java.util.Optional.of(FrameError.AUTHENTICATION_FAILED);
        } finally {
            java.util.Arrays.fill(scratch.array(), (byte) 0);
        }
    }

    /**
     * Opens one complete frame in wire form (header + ciphertext, position to limit), for callers that frame the
     * stream themselves. Same checks as {@link #open}, plus the fixed header layout ({@link FrameHeader}).
     * Consumes {@code frame} (its position ends at its limit).
     */
    public int openFrame(ByteBuffer frame, ByteBuffer plaintextOut) throws FrameException {
        checkUsable();
        if (frame.remaining() < FrameHeader.LENGTH) {
            throw fail(FrameError.LENGTH_MISMATCH, "frame of " + frame.remaining()
                    + " bytes is shorter than its 14-byte header");
        }
        FrameType type = FrameHeader.typeAt(frame);
        if (type == null) {
            throw fail(FrameError.MALFORMED_HEADER, "not WRAPPED_ENCRYPTED_COMMAND/CLOSE, LENGTH_OF_UNCRYPTED, "
                    + "ENCRYPTED_STRING");
        }
        int p = frame.position();
        long plaintextLength = Integer.toUnsignedLong(frame.getInt(p + 4));
        long ciphertextLength = Integer.toUnsignedLong(frame.getInt(p + 10));
        if (ciphertextLength != frame.remaining() - FrameHeader.LENGTH) {
            throw fail(FrameError.LENGTH_MISMATCH, "ENCRYPTED_STRING announces " + ciphertextLength
                    + " bytes but " + (frame.remaining() - FrameHeader.LENGTH) + " follow");
        }
        // open() consumes the ciphertext from the frame buffer itself: no view object per frame
        frame.position(p + FrameHeader.LENGTH);
        return open(type, plaintextLength, frame, plaintextOut);
    }

    /**
     * The connection ended. Fine after the peer's close frame; otherwise the stream was cut
     * ({@link FrameError#TRUNCATED}) and whatever the application was waiting for may be missing.
     */
    public void endOfStream() throws FrameException {
        if (failed) {
            throw new FrameException(FrameError.CHANNEL_FAILED, "this channel already failed");
        }
        if (!closeReceived) {
            throw fail(FrameError.TRUNCATED, "the connection ended after " + state.sequence() + " frames of key epoch "
                    + state.epoch() + " without the peer's close frame: the stream was cut");
        }
    }

    /** True once the peer's authenticated close frame was opened. */
    public boolean closeReceived() {
        return closeReceived;
    }

    public boolean failed() {
        return failed;
    }

    public long sequence() {
        return state.sequence();
    }

    public long epoch() {
        return state.epoch();
    }

    /**
     * Continues with {@code fresh} from the next frame on (sequence 0): the new traffic secret a re-authentication
     * derived. The caller keeps ownership of {@code fresh}.
     */
    public void rekey(TrafficSecret fresh) throws FrameException {
        checkUsable();
        state.replace(fresh);
    }

    /** Bytes a frame's ciphertext carries beyond its plaintext: the tag of the suite's AEAD. */
    private int tagLength() {
        return state.cipher().algorithm().tagLength();
    }

    @Override
    public void close() {
        state.destroy();
    }

    private void checkUsable() throws FrameException {
        if (failed) {
            throw new FrameException(FrameError.CHANNEL_FAILED, "this channel already failed and accepts nothing more");
        }
        if (closeReceived) {
            throw fail(FrameError.FRAME_AFTER_CLOSE, "data after the peer's close frame");
        }
    }

    private FrameException fail(FrameError error, String message) {
        failed = true;
        state.destroy();
        return new FrameException(error, message);
    }

    private static void wipe(ByteBuffer buf, int from, int length) {
        int end = Math.min(buf.limit(), from + length);
        for (int i = from; i < end; i++) {
            buf.put(i, (byte) 0);
        }
        buf.position(from);
    }
}
