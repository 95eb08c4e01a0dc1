package org.opencluster.auth.server.login;

import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.command.ErrorReply;
import org.opencluster.auth.protocol.frame.FrameError;
import org.opencluster.auth.protocol.frame.FrameException;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.handshake.HandshakeOutput;
import org.opencluster.auth.protocol.handshake.MessageAssembler;
import org.opencluster.auth.protocol.handshake.ReauthSchedule;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispProtocolException;
import org.opencluster.auth.protocol.session.SecureChannel;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.server.log.LogValues;
import org.opencluster.auth.server.dispatch.Caller;
import org.opencluster.auth.server.login.ServerStates.AwaitChoice;
import org.opencluster.auth.server.login.ServerStates.AwaitFinished;
import org.opencluster.auth.server.login.ServerStates.AwaitHello;
import org.opencluster.auth.server.login.ServerStates.AwaitLoginRequest;
import org.opencluster.auth.server.login.ServerStates.AwaitProof;
import org.opencluster.auth.server.login.ServerStates.Established;
import org.opencluster.auth.server.login.ServerStates.Failed;
import org.opencluster.auth.server.login.ServerStates.HandshakeKeys;
import org.opencluster.auth.server.login.ServerStates.ServerState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of the login handshake (docs/PROTOCOL.md section 5) for one connection: a state machine fed one
 * outer command at a time, over the immutable states of {@link ServerStates}; whatever it wants to send accumulates
 * in {@link #takeOutput()}. The flights live in {@link ServerHelloFlight}, {@link ServerKeyFlights} and
 * {@link ServerLoginFlights}, the proof kinds in {@link ProofVerifiers}. On success it hands over the application
 * {@link SecureChannel}. Every failure is answered with an error the client can act on and ends the connection; a
 * wrong proof, a wrong passphrase and an unknown user look alike.
 */
public final class ServerHandshake {
    private static final Logger LOG = LoggerFactory.getLogger(ServerHandshake.class);

    /** Where the handshake stands. */
    public enum State { AWAIT_HELLO, AWAIT_CHOICE, AWAIT_LOGIN_REQUEST, AWAIT_PROOF, AWAIT_CLIENT_FINISHED,
        ESTABLISHED, FAILED }

    private final HandshakeSettings settings;
    private final String remote;
    private final ServerLoginFlights logins;
    private final MessageAssembler assembler = new MessageAssembler();
    private final HandshakeOutput output = new HandshakeOutput();
    /** Written by {@link #enter} only. */
    private ServerState current = new AwaitHello(false);
    /** What the metrics label this login with, once known (written by {@link #enter}). */
    private org.opencluster.auth.protocol.handshake.ProofKind proofAsked;
    private CipherSuite negotiated;
    /**
     * The handshake was ended from outside ({@link #abandon}, {@link #endWith}), on a thread that must not wait (an
     * I/O thread): a failure it owes the throttle is recorded without waiting there.
     */
    private boolean endedFromOutside;
    /** Told each refusal before authentication: a fixed reason word (hello_refused, hello_retry, throttled). */
    private java.util.function.Consumer<String> preAuthRejections = reason -> { };

    public ServerHandshake(HandshakeSettings settings, String remoteAddress, CommandRegistry applicationRegistry) {
        this.settings = settings;
        this.remote = remoteAddress;
        this.logins = new ServerLoginFlights(settings, remoteAddress, applicationRegistry,
                new ProofVerifiers(settings, remoteAddress));
    }

    public State state() {
        return current.phase();
    }

    /** Where refusals before authentication are counted (the server's metrics). */
    public void onPreAuthRejection(java.util.function.Consumer<String> rejections) {
        this.preAuthRejections = java.util.Objects.requireNonNull(rejections);
    }

    /** The proof kind the login was challenged for, once it got that far (for metrics). */
    public Optional<org.opencluster.auth.protocol.handshake.ProofKind> proofAsked() {
        return Optional.ofNullable(proofAsked);
    }

    /** The suite chosen, once CLIENT_CHOICE was taken (for metrics; also after a failure). */
    public Optional<CipherSuite> negotiatedSuite() {
        return Optional.ofNullable(negotiated);
    }

    /** Test-only misbehaviour (UnaskedDeviceTokenTest): the LOGIN_RESULT carries a device token nobody asked for. */
    void misbehaveBySendingAnUnaskedDeviceToken() {
        enter(((AwaitProof) current).keepingDeviceTokenAnyway());
    }

    /** Whether the message that completes next may wait on something besides this CPU ({@link ServerState}). */
    public boolean nextStepMayBlock() {
        return current.nextStepMayBlock(settings);
    }

    /** Bytes to send now (possibly empty); the buffer is the caller's afterwards. */
    public ByteBuffer takeOutput() {
        return output.take();
    }

    /**
     * Feeds one command from the wire.
     *
     * @return the state after it; {@link State#FAILED} means: send {@link #takeOutput()} and close
     */
    public State onCommand(RispCommand outer) {
        if (isOver()) {
            throw new IllegalStateException("the handshake is over (" + state() + ")");
        }
        try {
            Optional<HandshakeKeys> keys = current.keys();
            if (keys.isEmpty()) {
                onMessageCommand(outer);
            } else if (!SecureChannel.isFrameCommand(outer.id())) {
                throw new HandshakeException(HandshakeError.UNEXPECTED_MESSAGE,
                        "after CLIENT_CHOICE everything travels in frames");
            } else {
                List<RispCommand> inner = new ArrayList<>();
                keys.get().channel().receive(outer, inner::add);
                for (RispCommand c : inner) {
                    if (isOver()) {
                        break;
                    }
                    onMessageCommand(c);
                }
            }
        } catch (HandshakeException e) {
            fail(e.error().code(), e.getMessage());
        } catch (FrameException e) {
            // The channel is dead: nothing more can be sent under it. Close.
            enter(new Failed(current.version(), current.attemptedUsername()));
        } catch (RispProtocolException e) {
            fail(ErrorCode.PROTOCOL_ERROR.code(), e.getMessage());
        } catch (RuntimeException e) {
            if (current.challenged().isEmpty()) {
                throw e;
            }
            // After LOGIN_CHALLENGE a failure of ours (the store, a key that will not decode) must not answer
            // differently from a wrong proof: INTERNAL would say that the name exists (issue 13 item 5).
            LOG.warn("event=login.internal_failure user={} error={}",
                    LogValues.quote(current.attemptedUsername().orElse("-")), e.toString());
            refuseLogin();
        }
        return state();
    }

    private void onMessageCommand(RispCommand c) throws HandshakeException, FrameException {
        MessageAssembler.Result r = assembler.accept(c);
        if (r instanceof MessageAssembler.PeerError) {
            throw new HandshakeException(HandshakeError.UNEXPECTED_MESSAGE, "the client sent an error");
        }
        if (r == null) {
            return;
        }
        HandshakeMessage m = ((MessageAssembler.Message) r).message();
        if (current instanceof AwaitHello s) {
            m.require(HS_CLIENT_HELLO);
            ServerHelloFlight.HelloStep step = ServerHelloFlight.onClientHello(settings, remote, s, m, output);
            step.rejection().ifPresent(preAuthRejections);
            enter(step.next());
        } else if (current instanceof AwaitChoice s) {
            m.require(HS_CLIENT_CHOICE);
            enter(ServerKeyFlights.onClientChoice(settings, s, m));
        } else if (current instanceof AwaitLoginRequest s) {
            m.require(HS_LOGIN_REQUEST);
            ServerLoginFlights.RequestOutcome outcome = logins.onLoginRequest(s, m);
            if (outcome instanceof ServerLoginFlights.Throttled t) {
                preAuthRejections.accept("throttled");
                failNamed(Optional.of(t.username()), ErrorCode.RATE_LIMITED.code(), t.text());
                return;
            }
            ServerLoginFlights.Challenge sent = (ServerLoginFlights.Challenge) outcome;
            enter(sent.next()); // from here the login owes the throttle an outcome, whatever ends it
            output.framed(sent.next().login().keys().channel(), sent.challenge(), sent.finished());
        } else if (current instanceof AwaitProof s) {
            m.require(HS_LOGIN_PROOF);
            enter(logins.onLoginProof(s, m));
        } else if (current instanceof AwaitFinished s) {
            m.require(HS_CLIENT_FINISHED);
            Optional<Established> established = logins.onClientFinished(s, m, output);
            if (established.isEmpty()) {
                refuseLogin();
                return;
            }
            enter(established.get());
        } else {
            throw new HandshakeException(HandshakeError.UNEXPECTED_MESSAGE, "no message expected now");
        }
    }

    /** The one answer to every failed login after its challenge: LOGIN_FAILED, then close. */
    private void refuseLogin() {
        try {
            output.framed(current.keys().orElseThrow().channel(), HandshakeMessage.of(HS_LOGIN_RESULT,
                    RispCommand.integer(LOGIN_STATUS, HandshakeError.LOGIN_FAILED.code()),
                    RispCommand.fixed(SESSION_ID, new byte[16])));
        } catch (FrameException | RuntimeException e) {
            // the channel is gone: closing is all that is left
        } finally {
            enter(new Failed(current.version(), current.attemptedUsername()));
        }
    }

    /** The one way from one state to the next ({@link ServerStates#leave} settles and wipes). */
    private void enter(ServerState next) {
        ServerState left = current;
        current = next;
        next.keys().ifPresent(k -> negotiated = k.suite());
        next.challenged().ifPresent(login -> proofAsked = login.issued().challenge().asked());
        ServerStates.leave(left, next, settings.throttle(), endedFromOutside);
    }

    private boolean isOver() {
        return current instanceof Established || current instanceof Failed;
    }

    /**
     * The connection ended (disconnect, timeout, REST DELETE or reap). If the handshake had not finished it has
     * failed, and a login that got its challenge counts as failed ({@link #enter}).
     */
    public void abandon() {
        if (!isOver()) {
            endedFromOutside = true;
            enter(new Failed(current.version(), current.attemptedUsername()));
        }
    }

    /** True while the client sends under handshake keys (after CLIENT_CHOICE, until the handshake is over). */
    public boolean hasInboundKeys() {
        return current.keys().isPresent();
    }

    /**
     * Whether the client's next handshake frame would pass {@link SecureChannel#check}, without effect on the
     * handshake; only while {@link #hasInboundKeys()}. */
    public Optional<FrameError> checkInboundFrame(RispCommand marker, RispCommand length, RispCommand ciphertext) {
        return current.keys().orElseThrow(() -> new IllegalStateException("no handshake keys to check a frame with"))
                .channel().check(marker, length, ciphertext);
    }

    /** After {@link State#ESTABLISHED}: the session's channel. */
    public SecureChannel applicationChannel() {
        return established().applicationChannel();
    }

    public String username() {
        return current.attemptedUsername().orElseThrow(ServerHandshake::notThatFar);
    }

    /** After {@link State#ESTABLISHED}: the session's re-authentication schedule (section 5.13), owned by the caller. */
    public ReauthSchedule reauthSchedule() {
        return established().reauth();
    }

    /**
     * After {@link State#ESTABLISHED}: the account key a re-authentication must prove again, and the proof kind the
     * login used; empty for an enrolling session (it has no key yet) and for a security-key login (a browser
     * re-authenticates by logging in again).
     */
    public Optional<AccountProof> accountProof() {
        return established().grant().accountProof();
    }

    /** After SERVER_HELLO: the protocol version both sides speak, min(client's, 3). */
    public long protocolVersion() {
        return current.version();
    }

    /** Whether the session must re-authenticate at the interval: every login session, not an enrolment. */
    public boolean reauthenticationDue() {
        return established().grant().reauthenticationDue();
    }

    /** The name a client asked for, if it got that far (for logs of failed logins). */
    public Optional<String> attemptedUsername() {
        return current.attemptedUsername();
    }

    public Caller caller() {
        return established().grant().caller();
    }

    public CipherSuite suite() {
        return current instanceof Established e ? e.suite()
                : current.keys().map(HandshakeKeys::suite).orElseThrow(ServerHandshake::notThatFar);
    }

    public byte[] sessionId() {
        return established().sessionId().clone();
    }

    private Established established() {
        if (current instanceof Established e) {
            return e;
        }
        throw notThatFar();
    }

    private static IllegalStateException notThatFar() {
        return new IllegalStateException("the handshake has not got that far");
    }

    /**
     * Ends an unfinished handshake from outside (its deadline, a transport failure): the error under the handshake
     * keys once they exist, else in clear. Returns the bytes to send (empty when the handshake is already over).
     */
    public ByteBuffer endWith(int code, String text) {
        if (isOver()) {
            return ByteBuffer.allocate(0);
        }
        endedFromOutside = true;
        fail(code, text);
        return takeOutput();
    }

    private void fail(int code, String text) {
        failNamed(current.attemptedUsername(), code, text);
    }

    /** Sends the error (framed once there are handshake keys), then fails; {@code name}: for the log. */
    private void failNamed(Optional<String> name, int code, String text) {
        List<RispCommand> err = new ErrorReply(code, text).commands();
        try {
            Optional<HandshakeKeys> keys = current.keys();
            if (keys.isPresent()) {
                output.framed(keys.get().channel(), err);
            } else {
                output.clear(err);
            }
        } catch (FrameException | RuntimeException e) {
            // nothing more can be said
        }
        enter(new Failed(current.version(), name.or(current::attemptedUsername)));
    }
}
