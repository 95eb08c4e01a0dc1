package org.opencluster.auth.server.rest;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Optional;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.frame.FrameError;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.risp.RispProtocolException;
import org.opencluster.auth.server.net.Connection;
import org.opencluster.auth.server.net.PreAuthLimits;

/**
 * One REST session: the very same {@link Connection} (login handshake, then the shared dispatcher) that a TCP
 * connection drives, fed from request bodies instead of a socket. Every request is one exchange: its RISP bytes
 * go in, in order, and what the session sends back is the answer. Exchanges of one session never overlap.
 */
final class RestSession {
    /** The outcome of one exchange. */
    record Exchange(byte[] output, boolean closed, Optional<FrameError> frameError) {
    }

    private final String id;
    private final long serial;
    private final String remote;
    private final Connection connection;
    private final RestOutbound out;
    private final int maxStringLength;
    private final Instant created;
    private Instant lastUsed;
    private boolean finished;

    /** @param serial this node's count of sessions opened before this one: orders sessions opened in one clock tick */
    RestSession(String id, long serial, Connection connection, String remote, int maxStringLength, Instant now) {
        this.id = id;
        this.serial = serial;
        this.remote = remote;
        this.connection = connection;
        this.out = new RestOutbound(remote);
        this.maxStringLength = maxStringLength;
        this.created = now;
        this.lastUsed = now;
    }

    String id() {
        return id;
    }

    long serial() {
        return serial;
    }

    String remote() {
        return remote;
    }

    synchronized boolean loggedIn() {
        return connection.loggedIn();
    }

    synchronized boolean closed() {
        return finished || out.closed();
    }

    synchronized Instant lastUsed() {
        return lastUsed;
    }

    Instant created() {
        return created;
    }

    /**
     * Feeds {@code body} (whole RISP commands) to the session and collects its answer.
     *
     * @param loginPhase true for handshake flights, false for command frames: the session must be in that phase
     */
    synchronized Exchange exchange(byte[] body, boolean loginPhase, Instant now) throws RestProblem {
        if (closed()) {
            throw RestProblem.of(404, ErrorCode.NOT_FOUND, "the session has ended; create a new one");
        }
        if (connection.loggedIn() == loginPhase) {
            throw loginPhase
                    ? RestProblem.of(409, ErrorCode.CONFLICT, "the session is logged in; send frames instead")
                    : RestProblem.of(409, ErrorCode.NOT_AUTHENTICATED, "the session is not logged in yet; finish"
                            + " the handshake first");
        }
        lastUsed = now;
        // Before login, as on TCP, only handshake and frame commands within their own limits (section 3).
        RispDecoder decoder = loginPhase ? PreAuthLimits.strictDecoder(maxStringLength, false)
                : RispDecoder.builder().maxStringLength(maxStringLength).build();
        try {
            ByteBuffer in = ByteBuffer.wrap(body);
            decoder.feed(in, command -> {
                if (!out.closed()) {
                    connection.onCommand(command, out);
                }
            });
            decoder.finish();
        } catch (RispProtocolException e) {
            // As on TCP: a malformed stream ends the session.
            out.fail(ErrorCode.PROTOCOL_ERROR, e.getMessage());
            out.take();
            finish();
            throw RestProblem.of(400, ErrorCode.PROTOCOL_ERROR, "the body is not whole RISP commands of this phase;"
                    + " the session is closed");
        } catch (RuntimeException e) {
            out.fail(ErrorCode.INTERNAL, "internal error");
            out.take();
            finish();
            throw e;
        }
        boolean closed = out.closed();
        Exchange result = new Exchange(out.take(), closed, out.frameError());
        if (closed) {
            finish();
        }
        return result;
    }

    /** Ends the session (once): the connection releases its keys, an unfinished login counts as failed. */
    synchronized void finish() {
        if (!finished) {
            finished = true;
            out.close();
            connection.onClose();
        }
    }
}
