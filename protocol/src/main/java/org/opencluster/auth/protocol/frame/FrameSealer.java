package org.opencluster.auth.protocol.frame;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import org.opencluster.auth.protocol.suite.AeadAlgorithm;

/**
 * The sending half of a channel: turns plaintext (encoded RISP commands) into complete frames. Not thread-safe;
 * one per connection direction. Works on caller-supplied buffers and never copies the data itself: sealing
 * in place is allowed when the plaintext starts exactly {@link FrameHeader#LENGTH} bytes after the output position.
 */
public final class FrameSealer implements AutoCloseable {
    private final DirectionState state;
    private final byte[] header = new byte[FrameHeader.LENGTH];
    private boolean closed;

    /** Uses a copy of {@code initial}; the caller still owns (and closes) its object. */
    public FrameSealer(TrafficSecret initial, FrameConfig config) {
        this.state = new DirectionState(initial, config, true);
    }

    /** Bytes a frame with {@code plaintextLength} bytes of plaintext occupies on the wire under {@code aead}. */
    public static int frameLength(AeadAlgorithm aead, int plaintextLength) {
        return FrameHeader.LENGTH + plaintextLength + aead.tagLength();
    }

    /** Bytes a frame with {@code plaintextLength} bytes of plaintext occupies on the wire from this sealer. */
    public int frameLength(int plaintextLength) {
        return frameLength(state.cipher().algorithm(), plaintextLength);
    }

    /**
     * Seals {@code plaintext} (position to limit) into one DATA frame written at {@code out}'s position.
     * Advances both buffers. Returns the frame length.
     *
     * @throws IllegalArgumentException plaintext longer than the configured maximum, or {@code out} too small
     * @throws IllegalStateException    after {@link #sealClose} or {@link #close}
     */
    public int seal(ByteBuffer plaintext, ByteBuffer out) throws FrameException {
        return sealFrame(FrameType.DATA, plaintext, out);
    }

    /** Writes the authenticated close frame; nothing can be sealed afterwards. */
    public int sealClose(ByteBuffer out) throws FrameException {
        int n = sealFrame(FrameType.CLOSE, ByteBuffer.allocate(0), out);
        closed = true;
        return n;
    }

    private int sealFrame(FrameType type, ByteBuffer plaintext, ByteBuffer out) throws FrameException {
        if (closed) {
            throw new IllegalStateException("this sealer has sent its close frame or was closed");
        }
        int length = plaintext.remaining();
        if (length > state.config().maxPlaintextLength()) {
            throw new IllegalArgumentException("plaintext of " + length + " bytes exceeds the frame maximum of "
                    + state.config().maxPlaintextLength() + "; split it into several commands");
        }
        int frameLength = frameLength(length);
        if (out.remaining() < frameLength) {
            throw new IllegalArgumentException("output buffer has " + out.remaining() + " bytes, the frame needs "
                    + frameLength);
        }
        if (state.sequence() == -1L) {
            throw new FrameException(FrameError.SEQUENCE_EXHAUSTED, "sequence number space exhausted");
        }
        FrameHeader.write(header, 0, type, length, length + state.cipher().algorithm().tagLength());
        out.put(header);
        Cipher cipher = state.cipher().start(state.sequence());
        try {
            cipher.updateAAD(header);
            cipher.doFinal(plaintext, out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AEAD seal failed unexpectedly", e);
        }
        state.advance(length);
        return frameLength;
    }

    /** Sequence number the next frame will use (resets to 0 at every key update). */
    public long sequence() {
        return state.sequence();
    }

    /** Number of key updates performed so far in this direction. */
    public long epoch() {
        return state.epoch();
    }

    /**
     * Continues with {@code fresh} from the next frame on (sequence 0): the new traffic secret a re-authentication
     * derived. The caller keeps ownership of {@code fresh}.
     */
    public void rekey(TrafficSecret fresh) {
        if (closed) {
            throw new IllegalStateException("this sealer has sent its close frame or was closed");
        }
        state.replace(fresh);
    }

    /** Wipes the key material. */
    @Override
    public void close() {
        closed = true;
        state.destroy();
    }
}
