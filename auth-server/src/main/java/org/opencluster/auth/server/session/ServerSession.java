package org.opencluster.auth.server.session;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.function.LongSupplier;
import org.opencluster.auth.protocol.time.MonotonicClock;
import java.util.ArrayList;
import java.util.List;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.command.ErrorReply;
import org.opencluster.auth.protocol.command.ReauthCommands;
import org.opencluster.auth.protocol.command.SessionCommands;
import org.opencluster.auth.protocol.handshake.HandshakeCommandIds;
import org.opencluster.auth.protocol.frame.FrameException;
import org.opencluster.auth.protocol.frame.FrameHeader;
import org.opencluster.auth.protocol.handshake.HandshakeCommandIds;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.TrafficSecrets;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispProtocolException;
import org.opencluster.auth.protocol.session.SecureChannel;
import org.opencluster.auth.server.dispatch.Caller;
import org.opencluster.auth.server.dispatch.CommandDispatcher;
import org.opencluster.auth.server.login.HandshakeSettings;
import org.opencluster.auth.server.login.ServerHandshake;
import org.opencluster.auth.server.net.Connection;
import org.opencluster.auth.server.net.Outbound;
import org.opencluster.auth.server.log.LogValues;
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
    /** Wall clock: only the session's start stamp (shown to admins) and the REAUTH_DUE stamp. */
    private final Clock clock;
    /** Monotonic nanoseconds for every decision about this session's age. */
    private final LongSupplier ticker;
    private final ReauthPolicy reauthPolicy;
    private final int framePadding;
    private final java.security.SecureRandom random;
    private final String remote;
    /** Where a re-authentication reads the account again. */
    private final org.opencluster.auth.server.login.AccountDirectory accounts;
    private volatile Outbound out;
    private SecureChannel channel;
    private SessionReauth reauth;
    private Caller caller;
    private long id;
    private Instant started;
    private volatile boolean closed;
    /** Set while this session's own command runs: a termination it causes waits until its reply is sent. */
    private Thread dispatching;
    private String pendingTermination;
    private final org.opencluster.auth.server.metrics.ServerMetrics metrics;
    /** When the connection (or REST session) began: the start of the handshake's latency. */
    private final long handshakeStarted;

    public ServerSession(HandshakeSettings settings, CommandDispatcher dispatcher, SessionRegistry registry,
            Clock clock, ReauthPolicy reauthPolicy, String remoteAddress) {
        this(settings, dispatcher, registry, clock, MonotonicClock.system(), reauthPolicy, 0, remoteAddress);
    }

    /** @param framePadding the block every sent application frame is padded to (docs/PROTOCOL.md section 6); 0 none */
    public ServerSession(HandshakeSettings settings, CommandDispatcher dispatcher, SessionRegistry registry,
            Clock clock, LongSupplier ticker, ReauthPolicy reauthPolicy, int framePadding, String remoteAddress) {
        this(settings, dispatcher, registry, clock, ticker, reauthPolicy, framePadding, remoteAddress,
                org.opencluster.auth.server.metrics.ServerMetrics.none());
    }

    /** @param metrics where logins, handshake latency, frame failures and pre-login refusals are counted */
    public ServerSession(HandshakeSettings settings, CommandDispatcher dispatcher, SessionRegistry registry,
            Clock clock, LongSupplier ticker, ReauthPolicy reauthPolicy, int framePadding, String remoteAddress,
            org.opencluster.auth.server.metrics.ServerMetrics metrics) {
        this.framePadding = framePadding;
        this.metrics = java.util.Objects.requireNonNull(metrics);
        this.handshake = new ServerHandshake(settings, remoteAddress, dispatcher.registry());
        this.handshake.onPreAuthRejection(metrics::preAuthRejected);
        this.dispatcher = dispatcher;
        this.registry = registry;
        this.clock = clock;
        this.ticker = MonotonicClock.of(ticker);
        this.handshakeStarted = this.ticker.getAsLong();
        this.reauthPolicy = reauthPolicy;
        this.random = settings.random();
        this.remote = remoteAddress;
        this.accounts = settings.accounts();
    }

    /** The login's steps block (token, database) and run offloaded; an established session's data path does not. */
    @Override
    public boolean runsOnIoThread() {
        return true;
    }

    @Override
    public synchronized void onCommand(RispCommand command, Outbound out) {
        this.out = out;
        if (channel == null) {
            // Only a command that completes a message (HS_END in clear, a frame's ciphertext) can cause blocking
            // work, and only a step that waits on a token or the store goes to a worker: each hand-off costs two
            // thread wake-ups, as much CPU on a small VM as the step's arithmetic.
            int id = command.id();
            if ((id == HandshakeCommandIds.HS_END || id == FrameHeader.ENCRYPTED_STRING) && handshake != null
                    && handshake.nextStepMayBlock()) {
                out.offload(() -> handshakeStep(command, out));
            } else {
                handshakeStep(command, out);
            }
            return;
        }
        List<RispCommand> requests = new ArrayList<>(2);
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
        } catch (FrameException e) {
            frameFailed(e, out);
            return;
        } catch (RispProtocolException e) {
            protocolFailed(e, out);
            return;
        }
        if (dispatcher.nonBlocking(requests) && !touchesReauth(requests)) {
            answer(requests, out);
        } else {
            // The requests are views of the channel's buffer; no frame is opened until this work has finished.
            out.offload(() -> answer(requests, out));
        }
    }

    private synchronized void handshakeStep(RispCommand command, Outbound out) {
        if (handshake == null || handshake.state() == ServerHandshake.State.FAILED) {
            return; // ended (closed, or its deadline passed) while this step waited
        }
        ServerHandshake.State before = handshake.state();
        ServerHandshake.State s = handshake.onCommand(command);
        out.sendRaw(handshake.takeOutput());
        if (s == ServerHandshake.State.FAILED) {
            LOG.info("event=login.failed user={} remote={} reason={}",
                    LogValues.quote(handshake.attemptedUsername().orElse(null)), LogValues.quote(remote),
                    failureClass(before));
            loginEnded(failureClass(before));
            out.close();
        } else if (s == ServerHandshake.State.ESTABLISHED) {
            established();
        }
    }

    /**
     * The class of a failed login, from the step it failed at: {@code negotiation} (hello or suite choice: no name
     * yet), {@code request_refused} (the login request: a malformed name, a lock, an account that cannot log in) or
     * {@code proof_refused} (after LOGIN_CHALLENGE: a wrong passphrase, key or code, or a bad finish).
     */
    private static String failureClass(ServerHandshake.State failedAt) {
        switch (failedAt) {
            case AWAIT_HELLO:
            case AWAIT_CHOICE:
                return "negotiation";
            case AWAIT_LOGIN_REQUEST:
                return "request_refused";
            default:
                return "proof_refused";
        }
    }

    /** Counts the login that just ended ({@code result}: ok or the class of its failure) and its latency. */
    private void loginEnded(String result) {
        metrics.loginEnded(result,
                handshake.proofAsked().map(k -> k.name().toLowerCase(java.util.Locale.ROOT))
                        .orElse(org.opencluster.auth.server.metrics.ServerMetrics.NONE),
                handshake.negotiatedSuite().map(org.opencluster.auth.protocol.suite.CipherSuite::name)
                        .orElse(org.opencluster.auth.server.metrics.ServerMetrics.NONE),
                ticker.getAsLong() - handshakeStarted);
    }

    /** Re-authentication verifies a signature or does ECDH, so it runs off the I/O thread like a login step. */
    private static boolean touchesReauth(List<RispCommand> requests) {
        for (RispCommand r : requests) {
            if (ReauthCommands.isReauthRequest(r.id())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Dispatches one frame's requests and sends their replies in one frame. Re-authentication requests are decided
     * here (they change the keys); once re-authentication is due every other command is refused (section 5.13).
     */
    private synchronized void answer(List<RispCommand> requests, Outbound out) {
        if (closed) {
            return;
        }
        try {
            if (reauth.expired()) {
                LOG.info("event=session.reauth_overdue session={} user={} action=closing", hexId(), LogValues.quote(caller.username()));
                endWithError(ErrorCode.REAUTH_REQUIRED.code(), "re-authentication overdue; the session has ended");
                return;
            }
            List<RispCommand> replies = new ArrayList<>(requests.size() * 2);
            SessionReauth.Outcome outcome = SessionReauth.Outcome.CONTINUE;
            boolean due = reauth.overdue(); // one clock read per frame, not per command
            dispatching = Thread.currentThread();
            try {
                for (RispCommand r : requests) {
                    if (reauth.awaitingPadding() && !ReauthCommands.isReauthRequest(r.id())) {
                        outcome = reauth.endOfFrame(replies); // the proof frame holds only the three (5.13)
                        break;
                    }
                    if (ReauthCommands.isReauthRequest(r.id())) {
                        outcome = reauth.handle(r, replies);
                        if (outcome != SessionReauth.Outcome.CONTINUE) {
                            break;
                        }
                    } else if (due) {
                        CommandDispatcher.error(replies::add, ErrorCode.REAUTH_REQUIRED, "re-authentication due "
                                + reauth.overdueBy().toSeconds() + " s ago: send REAUTH_BEGIN");
                    } else {
                        dispatcher.dispatch(caller, r, replies::add);
                    }
                }
                if (outcome == SessionReauth.Outcome.CONTINUE) {
                    outcome = reauth.endOfFrame(replies);
                }
            } finally {
                dispatching = null;
            }
            // Sealed in place into a pooled transport buffer: no copy and no garbage per frame.
            out.sendFilled(channel.sealedLength(replies), target -> channel.send(replies, target));
            if (outcome == SessionReauth.Outcome.REKEY) {
                // Both directions change keys after this exchange: the client's proof frame was the last under the
                // old inbound key, this reply the last under the old outbound key.
                try (TrafficSecrets fresh = reauth.takeFresh()) {
                    channel.rekey(fresh.serverToClient(), fresh.clientToServer());
                }
                LOG.info("event=session.reauthenticated session={} user={} next_in={}", hexId(),
                        LogValues.quote(caller.username()), reauthPolicy.interval());
            } else if (outcome == SessionReauth.Outcome.FAIL) {
                LOG.warn("event=session.reauth_failed session={} user={} remote={} action=closing", hexId(),
                        LogValues.quote(caller.username()), LogValues.quote(remote));
                sendCloseFrame();
                out.close();
                return;
            }
            if (pendingTermination != null) {
                String reason = pendingTermination;
                pendingTermination = null;
                terminate(reason);
            }
        } catch (FrameException e) {
            frameFailed(e, out);
        } catch (RispProtocolException e) {
            protocolFailed(e, out);
        } catch (Exception e) {
            LOG.error("event=session.send_failed session={} user={}", hexId(), LogValues.quote(caller.username()), e);
            out.close();
        }
    }

    private void frameFailed(FrameException e, Outbound out) {
        // Tampered, replayed, reordered or cut: the channel is dead and cannot carry an answer.
        metrics.frameFailed(e.error().name().toLowerCase(java.util.Locale.ROOT));
        LOG.warn("event=session.failed session={} user={} remote={} error={} detail={} action=closing", hexId(),
                LogValues.quote(caller.username()), LogValues.quote(remote), e.error(), LogValues.quote(e.getMessage()));
        out.closeOnFrameError(e.error());
    }

    private void protocolFailed(RispProtocolException e, Outbound out) {
        LOG.warn("event=session.protocol_error session={} user={} detail={}",
                hexId(), LogValues.quote(caller.username()),
                LogValues.quote("malformed commands inside a frame: " + e.getMessage()));
        endWithError(ErrorCode.PROTOCOL_ERROR.code(), e.getMessage());
    }

    private void established() {
        channel = handshake.applicationChannel();
        channel.padFramesTo(framePadding);
        byte[] sid = handshake.sessionId();
        caller = handshake.caller().inSession(sid);
        String username = caller.username();
        reauth = new SessionReauth(handshake.reauthSchedule(), handshake.accountProof(),
                () -> accounts.find(username), handshake.reauthenticationDue(),
                handshake.protocolVersion() >= HandshakeCommandIds.PROTOCOL_VERSION_3, reauthPolicy, clock, ticker,
                random);
        id = java.nio.ByteBuffer.wrap(sid, 0, 8).getLong();
        started = clock.instant();
        suiteId = handshake.suite().id();
        String suiteName = handshake.suite().name();
        loginEnded("ok");
        handshake = null;
        registry.add(this);
        LOG.info("event=login.ok session={} user={} role={} remote={} suite={}", hexId(),
                LogValues.quote(caller.username()), caller.role(), LogValues.quote(remote), suiteName);
    }

    /**
     * Ends the session from the server's side: {@code ERROR} + {@code ERROR_TEXT} in a last data frame, then the
     * sealed close frame (section 5.7.4: without it a client must report TRUNCATED, which would hide why), then the
     * connection closes.
     */
    private void endWithError(int code, String text) {
        out.sendRaw(sealedEnding(code, text));
        out.close();
    }

    private ByteBuffer sealedEnding(int code, String text) {
        try {
            ByteBuffer frames = channel.send(new ErrorReply(code, text).commands(), ByteBuffer.allocate(256));
            return channel.sendClose(frames).flip();
        } catch (FrameException | RuntimeException e) {
            return ByteBuffer.allocate(0); // nothing more can be said
        }
    }

    /** The transport ends this connection (deadline, idle, lifetime): say it under the keys the session has. */
    @Override
    public synchronized java.util.Optional<ByteBuffer> endingBytes(ErrorCode code, String text) {
        if (closed) {
            return java.util.Optional.empty();
        }
        if (channel != null) {
            return java.util.Optional.of(sealedEnding(code.code(), text));
        }
        if (handshake != null) {
            ByteBuffer b = handshake.endWith(code.code(), text);
            return b.hasRemaining() ? java.util.Optional.of(b) : java.util.Optional.empty();
        }
        return java.util.Optional.empty();
    }

    /** Shutting down: the established session's last frame says why (section 7.1), then its close frame. */
    @Override
    public synchronized java.util.Optional<ByteBuffer> shutdownBytes(String reason) {
        if (closed || channel == null) {
            return endingBytes(ErrorCode.SHUTTING_DOWN, reason);
        }
        List<RispCommand> closing = List.of(
                RispCommand.integer(SessionCommands.SESSION_CLOSING.id(), ErrorCode.SHUTTING_DOWN.code()),
                RispCommand.string(SessionCommands.SESSION_CLOSING_TEXT.id(),
                        reason.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        try {
            ByteBuffer frames = channel.send(closing, ByteBuffer.allocate(256 + reason.length() * 3));
            LOG.info("event=session.closing session={} user={} reason=shutting_down", hexId(), caller.username());
            return java.util.Optional.of(channel.sendClose(frames).flip());
        } catch (FrameException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    private void sendCloseFrame() {
        try {
            out.sendRaw(channel.sendClose(ByteBuffer.allocate(64)).flip());
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
            endWithError(code, reason);
        }
    }

    @Override
    public void onClose() {
        closed = true;
        // Under the session's lock: an offloaded step still using the keys finishes before they are wiped.
        synchronized (this) {
            if (handshake != null) {
                ServerHandshake.State at = handshake.state();
                if (at == ServerHandshake.State.AWAIT_PROOF || at == ServerHandshake.State.AWAIT_CLIENT_FINISHED) {
                    // The client got LOGIN_CHALLENGE and left (or its deadline passed): counted as a failure.
                    LOG.info("event=login.abandoned user={} remote={} stage={}",
                            LogValues.quote(handshake.attemptedUsername().orElse(null)), LogValues.quote(remote),
                            at == ServerHandshake.State.AWAIT_PROOF ? "proof" : "finish");
                    loginEnded("abandoned");
                }
                handshake.abandon();
            }
            if (channel != null) {
                registry.remove(this);
                channel.close();
                reauth.close();
                LOG.info("event=session.closed session={} user={}", hexId(), LogValues.quote(caller.username()));
            }
        }
    }

    @Override
    public synchronized boolean hasInboundKeys() {
        return channel != null || handshake != null && handshake.hasInboundKeys();
    }

    @Override
    public synchronized java.util.Optional<org.opencluster.auth.protocol.frame.FrameError> checkInboundFrame(
            RispCommand marker, RispCommand length, RispCommand ciphertext) {
        if (channel != null) {
            return channel.check(marker, length, ciphertext);
        }
        if (handshake == null) {
            throw new IllegalStateException("no inbound keys");
        }
        return handshake.checkInboundFrame(marker, length, ciphertext);
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
