package org.opencluster.auth.protocol.handshake;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.opencluster.auth.protocol.frame.FrameException;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.risp.RispEncoder;
import org.opencluster.auth.protocol.session.SecureChannel;
import org.opencluster.auth.protocol.suite.KeyExchangeGroup;

/**
 * What one side of the handshake has to send, accumulated until the transport takes it: clear messages before
 * CLIENT_CHOICE, frames under the handshake keys after it. Shared by the client and server engines.
 */
public final class HandshakeOutput {
    /**
     * Grown at the first append, not made in advance: a server allocates one per connection before the hello is
     * parsed (a flood of anonymous hellos pays for it), and a caller that takes after every command mostly takes
     * nothing.
     */
    private ByteBuffer out = ByteBuffer.allocate(0);

    /** Appends a clear message; returns its bytes (for the transcript). */
    public byte[] clear(HandshakeMessage m) {
        byte[] bytes = m.encode();
        ensure(bytes.length);
        out.put(bytes);
        return bytes;
    }

    /** Appends clear commands (an ERROR before the keys exist). */
    public void clear(List<RispCommand> commands) {
        for (RispCommand c : commands) {
            ensure((int) RispEncoder.sizeOf(c));
            RispEncoder.encode(c, out);
        }
    }

    /** Appends one frame carrying {@code messages}. */
    public void framed(SecureChannel channel, HandshakeMessage... messages) throws FrameException {
        List<RispCommand> commands = new ArrayList<>();
        for (HandshakeMessage m : messages) {
            commands.addAll(RispDecoder.framingOnly().feed(m.encode()));
        }
        out = channel.send(commands, out);
    }

    /** Appends one frame carrying {@code commands}. */
    public void framed(SecureChannel channel, List<RispCommand> commands) throws FrameException {
        out = channel.send(commands, out);
    }

    /** Everything appended so far, ready to write; the buffer is the caller's afterwards. */
    public ByteBuffer take() {
        ByteBuffer taken = out.flip();
        out = ByteBuffer.allocate(0);
        return taken;
    }

    private void ensure(int n) {
        if (out.remaining() < n) {
            // Doubling from the first message's size: one clear hello is a hundred bytes, a server's flight a few KiB.
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(2 * out.capacity(), out.position() + n));
            out.flip();
            bigger.put(out);
            out = bigger;
        }
    }

    /** A KEY_SHARE / PROOF_EPHEMERAL value: {@code u16 group || public key}. */
    public static byte[] keyShare(KeyExchangeGroup group, byte[] publicKey) {
        return ByteBuffer.allocate(2 + publicKey.length).putShort((short) group.wireId()).put(publicKey).array();
    }

    /** The group id of a key-share value, or -1 when it is too short to have one. */
    public static int groupOf(byte[] share) {
        return share.length < 2 ? -1 : ((share[0] & 0xff) << 8) | (share[1] & 0xff);
    }
}
