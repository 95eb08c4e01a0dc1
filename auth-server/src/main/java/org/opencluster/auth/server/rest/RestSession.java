package org.opencluster.auth.server.rest;

import java.util.List;
import java.util.Optional;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.frame.FrameError;
import org.opencluster.auth.protocol.frame.FrameHeader;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.risp.RispProtocolException;
import org.opencluster.auth.server.net.Connection;
import org.opencluster.auth.server.net.PreAuthLimits;
import org.opencluster.auth.server.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One REST session: the very same {@link Connection} (login handshake, then the shared dispatcher) that a TCP
 * connection drives, fed from request bodies instead of a socket. Every request is one exchange: its RISP bytes
 * go in, in order, and what the session sends back is the answer. Exchanges of one session never overlap (this
 * object's lock); the server may end the session from another thread at any time (see {@link RestOutbound}).
 */
final class RestSession {
    private static final Logger LOG = LoggerFactory.getLogger(RestSession.class);

    /** The outcome of one exchange. */
    record Exchange(byte[] output, boolean closed, Optional<FrameError> frameError) {
    }

    private final String id;
    private final long serial;
    private final String remote;
    private final Connection connection;
    private final RestOutbound out;
    private final int maxStringLength;
    /** Ticker nanoseconds (monotonic) of creation and of the last exchange the client authenticated. */
    private final long created;
    private long lastUsed;
    private boolean finished;
    private long dropped;
    /** {@link #loggedIn()} after the last exchange, readable without the lock. */
    private volatile boolean loggedInSeen;

    /** @param serial this node's count of sessions opened before this one: orders sessions opened in one clock tick */
    RestSession(String id, long serial, Connection connection, String remote, int maxStringLength, long now) {
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

    boolean loggedInAsOfLastExchange() {
        return loggedInSeen;
    }

    synchronized boolean closed() {
        return finished || out.closed();
    }

    synchronized long lastUsed() {
        return lastUsed;
    }

    long created() {
        return created;
    }

    /**
     * Feeds {@code body} (whole RISP commands) to the session and collects its answer.
     *
     * <p>Once the client sends under keys, a body is the client's only if its first frame authenticates: anything
     * else (not RISP, not a frame, a frame the record layer would refuse) can come from whoever knows this
     * session's id, so it is dropped whole and counted, and the session goes on as if it had never arrived (a 400
     * problem with the record-layer code; no sequence number moves, the idle timer is not reset). After an
     * authentic first frame the body is the key holder's, and the record layer's rules apply as on TCP.
     *
     * @param loginPhase true for handshake flights, false for command frames: the session must be in that phase
     */
    synchronized Exchange exchange(byte[] body, boolean loginPhase, long now) throws RestProblem {
        Optional<Exchange> ended = serverEnded();
        if (ended.isPresent()) {
            return ended.get();
        }
        requireLive();
        if (connection.loggedIn() == loginPhase) {
            throw loginPhase
                    ? RestProblem.of(409, ErrorCode.CONFLICT, "the session is logged in; send frames instead")
                    : RestProblem.of(409, ErrorCode.NOT_AUTHENTICATED, "the session is not logged in yet; finish"
                            + " the handshake first");
        }
        return feed(decode(body, loginPhase), now);
    }

    /**
     * Ends the session at the client's request: {@code body} must be the client's close frame sealed under its
     * current keys (docs/PROTOCOL.md section 10.2), unless the client has no keys yet (then the body is empty).
     * A body that is not the client's close frame is dropped and counted, and the session goes on.
     */
    synchronized Exchange close(byte[] body, long now) throws RestProblem {
        Optional<Exchange> ended = serverEnded();
        if (ended.isPresent()) {
            return ended.get();
        }
        requireLive();
        if (!connection.hasInboundKeys()) {
            // Nothing to prove with yet, and nothing lost: no login has started. A body (a client that sealed a
            // close frame under keys the server has not seen) is ignored.
            finish();
            return new Exchange(new byte[0], true, Optional.empty());
        }
        List<RispCommand> commands = decode(body, !connection.loggedIn());
        if (commands.size() != 3 || commands.get(0).id() != FrameHeader.WRAPPED_ENCRYPTED_CLOSE) {
            throw dropped(ErrorCode.BAD_PARAMETER, null, "DELETE must carry exactly the session's sealed close frame");
        }
        Exchange x = feed(commands, now);
        finish();
        return new Exchange(x.output(), true, x.frameError());
    }

    /** Frames refused from whoever knows the id, in this session's life (for the logs). */
    synchronized long droppedFrames() {
        return dropped;
    }

    /**
     * Whether the server ended this session on its own (an admin, the account disabled, deleted or rekeyed, its suite
     * disabled) and its last frames, {@code ERROR} and the close frame, still wait for the client's next request.
     */
    synchronized boolean holdsServerEnding() {
        return out.closedWithUnsentBytes();
    }

    /**
     * The server's last frames, as the answer to whatever request comes next (section 10.2): a client following
     * section 5.7.4 reads why its session ended, then the close frame, where a bare 404 would look like a truncation.
     * The body cannot be checked any more (the keys are gone), so whoever knows the id could take them instead; they
     * are sealed, and the session had ended anyway.
     */
    private Optional<Exchange> serverEnded() {
        if (!out.closedWithUnsentBytes()) {
            return Optional.empty();
        }
        byte[] last = out.take();
        finish();
        return Optional.of(new Exchange(last, true, out.frameError()));
    }

    private void requireLive() throws RestProblem {
        if (closed()) {
            throw RestProblem.of(404, ErrorCode.NOT_FOUND, "the session has ended; create a new one");
        }
    }

    /** The body's commands; before login, as on TCP, only handshake and frame commands within their limits (section 3). */
    private List<RispCommand> decode(byte[] body, boolean loginPhase) throws RestProblem {
        RispDecoder decoder = loginPhase ? PreAuthLimits.strictDecoder(maxStringLength, false)
                : RispDecoder.builder().maxStringLength(maxStringLength).build();
        try {
            List<RispCommand> commands = decoder.feed(body);
            decoder.finish();
            return commands;
        } catch (RispProtocolException e) {
            // The codec's error name (e.g. UNKNOWN_COMMAND, LENGTH_OVER_LIMIT) says which rule; its message stays here.
            String rule = "the body is not whole RISP commands of this phase (" + e.error() + ")";
            if (connection.hasInboundKeys()) {
                throw dropped(ErrorCode.PROTOCOL_ERROR, null, rule);
            }
            // Before the client has keys, as on TCP: a malformed stream ends the session.
            out.fail(ErrorCode.PROTOCOL_ERROR, e.getMessage());
            out.take();
            finish();
            throw RestProblem.of(400, ErrorCode.PROTOCOL_ERROR, rule + "; the session is closed");
        }
    }

    private Exchange feed(List<RispCommand> commands, long now) throws RestProblem {
        if (connection.hasInboundKeys()) {
            Optional<FrameError> refused = commands.size() < 3 ? Optional.of(FrameError.MALFORMED_HEADER)
                    : connection.checkInboundFrame(commands.get(0), commands.get(1), commands.get(2));
            if (refused.isPresent()) {
                throw dropped(null, refused.get(), "the record layer refused the first frame (" + refused.get()
                        + "); it was dropped and the session goes on");
            }
        }
        lastUsed = now;
        try {
            for (RispCommand command : commands) {
                if (!out.closed()) {
                    connection.onCommand(command, out);
                }
            }
        } catch (RuntimeException e) {
            // A login during a database outage answers as on TCP (ConnectionHandler.offload): the store logged the
            // outage once, so no trace per request; it fails before any challenge, so nothing counts against the
            // caller.
            boolean outage = e instanceof StoreException s && s.unavailable();
            boolean stale = e instanceof StoreException s && s.stale();
            ErrorCode code = stale ? ErrorCode.CLUSTER_STATE_STALE : ErrorCode.STORE_UNAVAILABLE;
            String text = stale ? e.getMessage() : StoreException.RETRY_LATER;
            out.fail(outage ? code : ErrorCode.INTERNAL, outage ? text : "internal error");
            out.take();
            finish();
            if (outage) {
                throw RestProblem.of(503, code, text);
            }
            throw e;
        }
        loggedInSeen = connection.loggedIn();
        boolean closed;
        byte[] output;
        synchronized (out) {
            // One snapshot: the server may end the session from another thread between two separate reads.
            closed = out.closed();
            output = out.take();
        }
        Exchange result = new Exchange(output, closed, out.frameError());
        if (closed) {
            finish();
        }
        return result;
    }

    /** A body from whoever knows the id: counted, logged, refused; the session is untouched. */
    private RestProblem dropped(ErrorCode code, FrameError frameError, String detail) {
        dropped++;
        if (Long.bitCount(dropped) == 1) {
            // 1, 2, 4, 8, ...: a flood of forgeries cannot flood the log.
            LOG.warn("event=rest.frame_dropped remote={} dropped={} reason={}", remote, dropped,
                    frameError != null ? frameError : code);
        }
        return frameError != null ? RestProblem.of(400, frameError, detail) : RestProblem.of(400, code, detail);
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
