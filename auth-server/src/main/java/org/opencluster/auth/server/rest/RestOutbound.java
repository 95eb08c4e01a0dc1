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
 * Thread-safe: the session's own requests write here, and so may another thread when the server ends the session
 * (an admin, an account change, a suite disabled: {@code LiveSession.terminate}); its last frames then wait here
 * for the client's next request. Nothing is added after {@link #close()}: as a closed TCP connection writes nothing
 * more, a reply that a request still being answered makes after the server's close frame is dropped.
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
    public synchronized void send(RispCommand command) {
        if (closed) {
            return;
        }
        byte[] b = RispEncoder.toBytes(command);
        pending.write(b, 0, b.length);
    }

    @Override
    public synchronized void sendRaw(ByteBuffer bytes) {
        if (closed) {
            return;
        }
        ByteBuffer b = bytes.duplicate();
        byte[] copy = new byte[b.remaining()];
        b.get(copy);
        pending.write(copy, 0, copy.length);
    }

    @Override
    public void sendFilled(int length, Filler filler) throws Exception {
        // Filled outside the lock (the filler seals under the session's keys); only the append is guarded.
        ByteBuffer target = ByteBuffer.allocate(length);
        filler.fill(target);
        if (target.position() != length) {
            throw new IllegalStateException("filled " + target.position() + " of " + length + " bytes");
        }
        synchronized (this) {
            if (!closed) {
                pending.write(target.array(), 0, length);
            }
        }
    }

    @Override
    public void flush() {
        // The answer is written when the request is done.
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    @Override
    public synchronized void closeOnFrameError(FrameError error) {
        frameError = error;
        closed = true;
    }

    @Override
    public synchronized void fail(ErrorCode code, String text) {
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
    synchronized byte[] take() {
        byte[] b = pending.toByteArray();
        pending.reset();
        return b;
    }

    synchronized boolean closed() {
        return closed;
    }

    /** Whether the session is closed with bytes the client has not been given yet (the server's last frames). */
    synchronized boolean closedWithUnsentBytes() {
        return closed && pending.size() > 0;
    }

    /** Why the record layer ended the session, if that is how it ended. */
    synchronized Optional<FrameError> frameError() {
        return Optional.ofNullable(frameError);
    }
}
