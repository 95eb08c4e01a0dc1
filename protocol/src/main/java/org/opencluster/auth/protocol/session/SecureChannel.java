package org.opencluster.auth.protocol.session;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import org.opencluster.auth.protocol.frame.FrameError;
import org.opencluster.auth.protocol.frame.FrameException;
import org.opencluster.auth.protocol.frame.FrameHeader;
import org.opencluster.auth.protocol.frame.FrameOpener;
import org.opencluster.auth.protocol.frame.FrameSealer;
import org.opencluster.auth.protocol.frame.FrameType;
import org.opencluster.auth.protocol.risp.CommandIds;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.risp.RispEncoder;
import org.opencluster.auth.protocol.risp.RispProtocolException;

/**
 * An established session's command channel, the same on both sides: inner commands are encoded as RISP, sealed into
 * one {@code WRAPPED_ENCRYPTED_COMMAND} frame, and on receipt the three outer commands of a frame are checked in
 * order, opened, and the plaintext decoded back into commands. Anything else on the wire fails the channel (a
 * frame header out of order is {@link FrameError#MALFORMED_HEADER}). Not thread-safe; one per connection.
 */
public final class SecureChannel implements AutoCloseable {
    private enum Expect { MARKER, LENGTH, CIPHERTEXT }

    private final FrameSealer sealer;
    private final FrameOpener opener;
    private final RispDecoder inner;
    private ByteBuffer plaintext;
    private Expect expect = Expect.MARKER;
    private FrameType type;
    private long length;

    /**
     * @param sealer         outbound direction, owned from now on
     * @param opener         inbound direction, owned from now on
     * @param innerDecoder   decodes the plaintext of inbound frames (a strict registry decoder on a server)
     */
    public SecureChannel(FrameSealer sealer, FrameOpener opener, RispDecoder innerDecoder) {
        this.sealer = Objects.requireNonNull(sealer);
        this.opener = Objects.requireNonNull(opener);
        this.inner = Objects.requireNonNull(innerDecoder);
        this.plaintext = ByteBuffer.allocate(4096);
    }

    /** True for the ids that may start or continue a frame; everything else is refused after the handshake. */
    public static boolean isFrameCommand(int id) {
        return id == FrameHeader.WRAPPED_ENCRYPTED_COMMAND || id == FrameHeader.WRAPPED_ENCRYPTED_CLOSE
                || id == FrameHeader.LENGTH_OF_UNCRYPTED || id == FrameHeader.ENCRYPTED_STRING;
    }

    /**
     * Takes one outer command from the wire. When it completes a frame, the frame is opened and its commands go to
     * {@code sink}; returns true when the peer's authenticated close frame arrived.
     *
     * @throws FrameException        tampering, replay, reordering, truncation, a malformed header: the channel is dead
     * @throws RispProtocolException the plaintext of an authentic frame is not valid RISP (a broken peer)
     */
    public boolean receive(RispCommand outer, RispDecoder.Sink sink) throws FrameException {
        int id = outer.id();
        switch (expect) {
            case MARKER:
                if (id == FrameHeader.WRAPPED_ENCRYPTED_COMMAND) {
                    type = FrameType.DATA;
                } else if (id == FrameHeader.WRAPPED_ENCRYPTED_CLOSE) {
                    type = FrameType.CLOSE;
                } else {
                    throw malformed("a frame must start with WRAPPED_ENCRYPTED_COMMAND or _CLOSE, got " + CommandIds.hex(id));
                }
                expect = Expect.LENGTH;
                return false;
            case LENGTH:
                if (id != FrameHeader.LENGTH_OF_UNCRYPTED) {
                    throw malformed("expected LENGTH_OF_UNCRYPTED, got " + CommandIds.hex(id));
                }
                length = outer.number();
                expect = Expect.CIPHERTEXT;
                return false;
            default:
                if (id != FrameHeader.ENCRYPTED_STRING) {
                    throw malformed("expected ENCRYPTED_STRING, got " + CommandIds.hex(id));
                }
                expect = Expect.MARKER;
                // The opener bounds length before anything is reserved; inner commands slice this fresh array.
                byte[] out = new byte[(int) Math.min(Math.max(length, 0), outer.length())];
                int n = opener.open(type, length, outer.bytes(), ByteBuffer.wrap(out));
                if (type == FrameType.CLOSE) {
                    return true;
                }
                inner.feed(ByteBuffer.wrap(out, 0, n), sink);
                // A frame carries whole commands: a command split across frames is a broken peer.
                inner.finishCommandBoundary();
                return false;
        }
    }

    /** Seals {@code commands} into one data frame and appends it to {@code out}, growing it if needed. */
    public ByteBuffer send(List<RispCommand> commands, ByteBuffer out) throws FrameException {
        plaintext.clear();
        for (RispCommand c : commands) {
            long size = RispEncoder.sizeOf(c);
            if (plaintext.remaining() < size) {
                ByteBuffer bigger = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 64,
                        Math.max(plaintext.capacity() * 2L, plaintext.position() + size)));
                plaintext.flip();
                bigger.put(plaintext);
                plaintext = bigger;
            }
            RispEncoder.encode(c, plaintext);
        }
        plaintext.flip();
        out = ensure(out, FrameSealer.frameLength(plaintext.remaining()));
        sealer.seal(plaintext, out);
        return out;
    }

    /** Appends the authenticated close frame. */
    public ByteBuffer sendClose(ByteBuffer out) throws FrameException {
        out = ensure(out, FrameSealer.frameLength(0));
        sealer.sealClose(out);
        return out;
    }

    private static ByteBuffer ensure(ByteBuffer out, int extra) {
        if (out.remaining() >= extra) {
            return out;
        }
        ByteBuffer bigger = ByteBuffer.allocate(out.position() + extra + 256);
        out.flip();
        bigger.put(out);
        return bigger;
    }

    private FrameException malformed(String why) {
        return new FrameException(FrameError.MALFORMED_HEADER, why);
    }

    @Override
    public void close() {
        sealer.close();
        opener.close();
        java.util.Arrays.fill(plaintext.array(), (byte) 0);
    }
}
