package org.opencluster.auth.server.rest;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.frame.FrameError;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispEncoder;
import org.opencluster.auth.server.dispatch.CommandDispatcher;
import org.opencluster.auth.server.net.Outbound;

/**
 * The REST transport's side of a {@link org.opencluster.auth.server.net.Connection}: what the session sends is
 * collected as bytes (exactly what TCP would have written) and becomes the HTTP answer of the current request.
 * Not thread-safe by itself: {@link RestSession} serialises every use.
 */
final class RestOutbound implements Outbound {
    private final String remote;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private boolean closed;
    private FrameError frameError;

    RestOutbound(String remote) {
        this.remote = remote;
    }

    @Override
    public void send(RispCommand command) {
        byte[] b = RispEncoder.toBytes(command);
        pending.write(b, 0, b.length);
    }

    @Override
    public void sendRaw(ByteBuffer bytes) {
        ByteBuffer b = bytes.duplicate();
        byte[] copy = new byte[b.remaining()];
        b.get(copy);
        pending.write(copy, 0, copy.length);
    }

    @Override
    public void sendFilled(int length, Filler filler) throws Exception {
        ByteBuffer target = ByteBuffer.allocate(length);
        filler.fill(target);
        if (target.position() != length) {
            throw new IllegalStateException("filled " + target.position() + " of " + length + " bytes");
        }
        pending.write(target.array(), 0, length);
    }

    @Override
    public void flush() {
        // The answer is written when the request is done.
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public void closeOnFrameError(FrameError error) {
        frameError = error;
        closed = true;
    }

    @Override
    public void fail(ErrorCode code, String text) {
        if (!closed) {
            CommandDispatcher.error(this::send, code, text);
            closed = true;
        }
    }

    @Override
    public String remoteAddress() {
        return remote;
    }

    /** Everything sent since the last call. */
    byte[] take() {
        byte[] b = pending.toByteArray();
        pending.reset();
        return b;
    }

    boolean closed() {
        return closed;
    }

    /** Why the record layer ended the session, if that is how it ended. */
    Optional<FrameError> frameError() {
        return Optional.ofNullable(frameError);
    }
}
