package org.opencluster.auth.server.session;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.frame.FrameException;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispProtocolException;
import org.opencluster.auth.protocol.session.SecureChannel;
import org.opencluster.auth.server.dispatch.Caller;
import org.opencluster.auth.server.dispatch.CommandDispatcher;
import org.opencluster.auth.server.login.HandshakeSettings;
import org.opencluster.auth.server.login.ServerHandshake;
import org.opencluster.auth.server.net.Connection;
import org.opencluster.auth.server.net.Outbound;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's life: the login handshake, then encrypted commands handed to the shared dispatcher, one reply
 * frame per request frame. Registered with the {@link SessionRegistry} while established, so admins can list and
 * end it and a disabled suite ends it.
 */
public final class ServerSession implements Connection, LiveSession {
    private static final Logger LOG = LoggerFactory.getLogger(ServerSession.class);

    /** Until established; then dropped, so an idle session does not keep the handshake's buffers and transcript. */
    private ServerHandshake handshake;
    private volatile int suiteId;
    private final CommandDispatcher dispatcher;
    private final SessionRegistry registry;
    private final Clock clock;
    private final String remote;
    private volatile Outbound out;
    private SecureChannel channel;
    private Caller caller;
    private long id;
    private Instant started;
    private volatile boolean closed;
    /** Set while this session's own command runs: a termination it causes waits until its reply is sent. */
    private Thread dispatching;
    private String pendingTermination;

    public ServerSession(HandshakeSettings settings, CommandDispatcher dispatcher, SessionRegistry registry,
            Clock clock, String remoteAddress) {
        this.handshake = new ServerHandshake(settings, remoteAddress, dispatcher.registry());
        this.dispatcher = dispatcher;
        this.registry = registry;
        this.clock = clock;
        this.remote = remoteAddress;
    }

    @Override
    public synchronized void onCommand(RispCommand command, Outbound out) {
        this.out = out;
        if (channel == null) {
            ServerHandshake.State s = handshake.onCommand(command);
            out.sendRaw(handshake.takeOutput());
            if (s == ServerHandshake.State.FAILED) {
                LOG.info("event=login.failed user={} remote={}", handshake.attemptedUsername().orElse("-"), remote);
                out.close();
            } else if (s == ServerHandshake.State.ESTABLISHED) {
                established();
            }
            return;
        }
        List<RispCommand> requests = new ArrayList<>();
        try {
            boolean peerClosed = channel.receive(command, requests::add);
            if (peerClosed) {
                out.sendRaw(channel.sendClose(ByteBuffer.allocate(64)).flip());
                out.close();
                return;
            }
            if (requests.isEmpty()) {
                return;
            }
            List<RispCommand> replies = new ArrayList<>();
            dispatching = Thread.currentThread();
            try {
                for (RispCommand r : requests) {
                    dispatcher.dispatch(caller, r, replies::add);
                }
            } finally {
                dispatching = null;
            }
            // Sealed in place into a pooled transport buffer: no copy and no garbage per frame.
            out.sendFilled(SecureChannel.frameLength(replies), target -> channel.send(replies, target));
            if (pendingTermination != null) {
                String reason = pendingTermination;
                pendingTermination = null;
                terminate(reason);
            }
        } catch (FrameException e) {
            // Tampered, replayed, reordered or cut: the channel is dead and cannot carry an answer.
            LOG.warn("event=session.failed session={} user={} remote={} error={} detail=\"{}\" action=closing", hexId(),
                    caller.username(), remote,
                    e.error(), e.getMessage());
            out.closeOnFrameError(e.error());
        } catch (RispProtocolException e) {
            LOG.warn("event=session.protocol_error session={} user={} detail=\"malformed commands inside a frame: {}\"",
                    hexId(), caller.username(),
                    e.getMessage());
            sendError(ErrorCode.PROTOCOL_ERROR.code(), e.getMessage());
            out.close();
        } catch (Exception e) {
            LOG.error("event=session.send_failed session={} user={}", hexId(), caller.username(), e);
            out.close();
        }
    }

    private void established() {
        channel = handshake.applicationChannel();
        caller = handshake.caller();
        byte[] sid = handshake.sessionId();
        id = java.nio.ByteBuffer.wrap(sid, 0, 8).getLong();
        started = clock.instant();
        suiteId = handshake.suite().id();
        String suiteName = handshake.suite().name();
        handshake = null;
        registry.add(this);
        LOG.info("event=session.established session={} user={} role={} remote={} suite={}", hexId(),
                caller.username(), caller.role(), remote, suiteName);
    }

    private void sendError(int code, String text) {
        List<RispCommand> err = new ArrayList<>();
        CommandDispatcher.error(err::add, ErrorCode.INTERNAL, text);
        err.set(0, RispCommand.integer(err.get(0).id(), code));
        try {
            out.sendRaw(channel.send(err, ByteBuffer.allocate(256)).flip());
        } catch (FrameException | RuntimeException e) {
            // nothing more can be said
        }
    }

    @Override
    public void terminate(String reason) {
        Outbound o = out;
        if (o == null || closed) {
            return;
        }
        // Runs on an admin's thread; the session's lock keeps it from interleaving with this session's own frames.
        synchronized (this) {
            if (dispatching == Thread.currentThread()) {
                // An admin ended their own session (e.g. disabled its suite): answer the command first.
                pendingTermination = reason;
                return;
            }
            int code = reason.contains("suite") ? HandshakeError.SUITE_DISABLED.code() : ErrorCode.NOT_AUTHENTICATED.code();
            sendError(code, reason);
            o.close();
        }
    }

    @Override
    public void onClose() {
        closed = true;
        if (handshake != null) {
            handshake.abandon();
        }
        if (channel != null) {
            registry.remove(this);
            channel.close();
            LOG.info("event=session.closed session={} user={}", hexId(), caller.username());
        }
    }

    @Override
    public boolean loggedIn() {
        return channel != null;
    }

    private String hexId() {
        return Long.toHexString(id);
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public String username() {
        return caller.username();
    }

    @Override
    public int suiteId() {
        return suiteId;
    }

    @Override
    public String remoteAddress() {
        return remote;
    }

    @Override
    public Instant startedAt() {
        return started;
    }
}
