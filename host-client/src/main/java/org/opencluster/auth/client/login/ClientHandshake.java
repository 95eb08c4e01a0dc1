package org.opencluster.auth.client.login;

import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.*;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.opencluster.auth.client.login.ClientStates.AwaitCertificate;
import org.opencluster.auth.client.login.ClientStates.AwaitCertificateVerify;
import org.opencluster.auth.client.login.ClientStates.AwaitChallenge;
import org.opencluster.auth.client.login.ClientStates.AwaitResult;
import org.opencluster.auth.client.login.ClientStates.AwaitServerFinished;
import org.opencluster.auth.client.login.ClientStates.AwaitServerHello;
import org.opencluster.auth.client.login.ClientStates.ClientState;
import org.opencluster.auth.client.login.ClientStates.Established;
import org.opencluster.auth.client.login.ClientStates.Failed;
import org.opencluster.auth.client.login.ClientStates.HandshakeKeys;
import org.opencluster.auth.client.login.ClientStates.Negotiated;
import org.opencluster.auth.protocol.frame.FrameException;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.handshake.HandshakeOutput;
import org.opencluster.auth.protocol.handshake.MessageAssembler;
import org.opencluster.auth.protocol.handshake.ReauthSchedule;
import org.opencluster.auth.protocol.names.AccountNames;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispProtocolException;
import org.opencluster.auth.protocol.session.SecureChannel;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.SuitePolicy;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.token.TokenException;

/**
 * The client side of the login handshake for one connection: a state machine over the immutable states of
 * {@link ClientStates}, fed one command at a time, collecting what to send in {@link #takeOutput()}. The server is
 * authenticated (pinned key or CA, then its signature over the hello hash, {@link ClientHelloFlights}) before the
 * username leaves the client; the proof is made by this login's prover ({@link ProofProvers}), the token asked for
 * one proof only.
 */
public final class ClientHandshake {
    /** Where the handshake stands. */
    public enum State { AWAIT_SERVER_HELLO, AWAIT_CERTIFICATE, AWAIT_CERTIFICATE_VERIFY, AWAIT_CHALLENGE,
        AWAIT_SERVER_FINISHED, AWAIT_RESULT, ESTABLISHED, FAILED }

    private final SuiteRegistry registry;
    private final Set<Integer> supported;
    private final ServerTrust trust;
    private final String username;
    private final CommandRegistry applicationRegistry;
    private final SecureRandom random;
    private final MessageAssembler assembler = new MessageAssembler();
    private final HandshakeOutput output = new HandshakeOutput();
    private final ClientLoginFlights login;
    /** Written by {@link #enter} only. */
    private ClientState current = new AwaitServerHello(new byte[0], false, List.of());

    public ClientHandshake(String username, LoginCredential credential, ServerTrust trust, Set<Integer> supported,
            SuiteRegistry registry, CommandRegistry applicationRegistry, SecureRandom random) {
        // What a person types may arrive decomposed; the account name itself is NFC (AccountNames' one rule).
        String nfc = AccountNames.require(Normalizer.normalize(Objects.requireNonNull(username), Normalizer.Form.NFC));
        this.username = nfc;
        this.trust = Objects.requireNonNull(trust);
        this.supported = Set.copyOf(supported);
        this.registry = Objects.requireNonNull(registry);
        this.applicationRegistry = Objects.requireNonNull(applicationRegistry);
        this.random = Objects.requireNonNull(random);
        this.login = new ClientLoginFlights(nfc, ProofProvers.credential(Objects.requireNonNull(credential)), random);
    }

    /**
     * Makes this handshake an enrolment: the LOGIN_REQUEST carries the enrolment extension and the proof is keyed by
     * the one-time code's hash instead of an account key (the credential is not used). Call before {@link #start}.
     */
    public ClientHandshake enrolWith(byte[] codeHash) {
        login.provers = ProofProvers.enrolment(codeHash);
        return this;
    }

    /**
     * Makes this handshake a security-key login: LOGIN_REQUEST carries the WEBAUTHN extension and the proof is the
     * assertion {@code authenticator} makes over the handshake's challenge (the credential is not used).
     */
    public ClientHandshake withSecurityKey(WebAuthnAuthenticator authenticator) {
        if (login.provers.enrols()) {
            throw new IllegalStateException("a login either enrols or uses a security key");
        }
        login.provers = ProofProvers.securityKey(authenticator);
        return this;
    }

    /**
     * Keeps device tokens in {@code store} (section 5.14): LOGIN_REQUEST carries the DEVICE_TOKEN extension with the
     * token kept for this server and name (or empty), and the token of a successful LOGIN_RESULT is saved there.
     * Not for enrolments (a new account has no device yet).
     */
    public ClientHandshake withDeviceTokens(DeviceTokenStore store) {
        login.deviceTokens = Objects.requireNonNull(store);
        return this;
    }

    /**
     * Speaks protocol version 2 (no PADDING, the version-2 challenge) instead of 3, as a client built before
     * version 3 does: for tests that such clients still log in. Call before {@link #start}.
     */
    public ClientHandshake version2() {
        login.version = PROTOCOL_VERSION_2;
        return this;
    }

    /** Sends no OPRF extension, as a client built before the OPRF step (section 5.5.6): for tests. */
    public ClientHandshake withoutOprfStep() {
        login.oprfStep = false;
        return this;
    }

    /** CLIENT_HELLO. */
    public ByteBuffer start() {
        byte[] clientRandom = new byte[32];
        random.nextBytes(clientRandom);
        sendHello(clientRandom, false, new byte[0]);
        return takeOutput();
    }

    private void sendHello(byte[] clientRandom, boolean retried, byte[] extensions) {
        byte[] hello = output.clear(ClientHelloFlights.hello(login.version, clientRandom, supported, extensions));
        enter(new AwaitServerHello(clientRandom, retried, List.of(hello)));
    }

    public State state() {
        return current.phase();
    }

    public ByteBuffer takeOutput() {
        return output.take();
    }

    /** Why it failed (after {@link State#FAILED}). */
    public LoginException failure() {
        return current instanceof Failed f ? f.failure() : null;
    }

    public State onCommand(RispCommand outer) {
        if (isOver()) {
            throw new IllegalStateException("the handshake is over (" + state() + ")");
        }
        try {
            Optional<HandshakeKeys> keys = current.keys();
            if (keys.isEmpty()) {
                onMessageCommand(outer);
            } else {
                List<RispCommand> inner = new ArrayList<>();
                if (!SecureChannel.isFrameCommand(outer.id())) {
                    throw ClientHelloFlights.clearAfterChoice(outer);
                }
                keys.get().channel().receive(outer, inner::add);
                for (RispCommand c : inner) {
                    if (isOver()) {
                        break;
                    }
                    onMessageCommand(c);
                }
            }
        } catch (HandshakeException e) {
            fail(new LoginException(e.error().code(), e.getMessage(), e));
        } catch (FrameException e) {
            fail(new LoginException(HandshakeError.MALFORMED_MESSAGE.code(),
                    "the server's frames did not authenticate: " + e.getMessage(), e));
        } catch (TokenException e) {
            // The server never learns why: the client stops before sending a proof.
            fail(new LoginException(-1, "the login credential could not be used (" + e.error() + "): "
                    + e.getMessage(), e));
        } catch (RispProtocolException e) {
            fail(new LoginException(HandshakeError.MALFORMED_MESSAGE.code(), e.getMessage(), e));
        } catch (LoginException e) {
            fail(e);
        }
        return state();
    }

    private void onMessageCommand(RispCommand c) throws HandshakeException, FrameException, TokenException,
            LoginException {
        MessageAssembler.Result r = assembler.accept(c);
        if (r instanceof MessageAssembler.PeerError e) {
            // Sealed after CLIENT_CHOICE (the server's word); before it nothing is authenticated yet (5.3.10).
            fail(new LoginException(e.code(), current.keys().isPresent() ? "the server refused: " + e.text()
                    : "refused in clear text, before any key (not authenticated): " + e.text()));
            return;
        }
        if (r == null) {
            return;
        }
        HandshakeMessage m = ((MessageAssembler.Message) r).message();
        if (current instanceof AwaitServerHello s) {
            if (m.marker() == HS_HELLO_RETRY) {
                if (s.helloRetried()) {
                    throw new HandshakeException(HandshakeError.UNEXPECTED_MESSAGE,
                            "a second HELLO_RETRY (one at most)");
                }
                // The first CLIENT_HELLO leaves the transcript; the same hello goes again with the cookie.
                sendHello(s.clientRandom(), true, ClientHelloFlights.cookieExtensions(m));
                return;
            }
            m.require(HS_SERVER_HELLO);
            enter(new AwaitCertificate(m, append(s.messages(), m)));
        } else if (current instanceof AwaitCertificate s) {
            m.require(HS_SERVER_CERTIFICATE);
            List<X509Certificate> chain = ClientHelloFlights.certificates(m);
            enter(new AwaitCertificateVerify(s.hello(), List.copyOf(chain), append(s.messages(), m)));
            trust.check(chain);
        } else if (current instanceof AwaitCertificateVerify s) {
            m.require(HS_SERVER_CERTIFICATE_VERIFY);
            Negotiated session = ClientHelloFlights.verify(s, m, login.version, registry, supported);
            enter(login.request(session, append(s.messages(), m), output));
        } else if (current instanceof AwaitChallenge s) {
            m.require(HS_LOGIN_CHALLENGE);
            s.handshakeKeys().transcript().add(m.encode());
            enter(new AwaitServerFinished(s, m));
        } else if (current instanceof AwaitServerFinished s) {
            m.require(HS_SERVER_FINISHED);
            enter(login.prove(s, m, output));
        } else if (current instanceof AwaitResult s) {
            m.require(HS_LOGIN_RESULT);
            enter(login.established(s, m, applicationRegistry));
        } else {
            throw new HandshakeException(HandshakeError.UNEXPECTED_MESSAGE, "no message expected now");
        }
    }

    private static List<byte[]> append(List<byte[]> messages, HandshakeMessage m) {
        List<byte[]> more = new ArrayList<>(messages);
        more.add(m.encode());
        return List.copyOf(more);
    }

    /**
     * The one way from one state to the next: the key schedule and the handshake channel are closed once no state
     * holds them (on ESTABLISHED the session has its own keys; on FAILED, after the close frame was sealed).
     */
    private void enter(ClientState next) {
        ClientState left = current;
        current = next;
        if (left.keys().isPresent() && next.keys().isEmpty()) {
            left.keys().get().schedule().close();
            left.keys().get().channel().close();
        }
    }

    private boolean isOver() {
        return current instanceof Established || current instanceof Failed;
    }

    /** After SERVER_HELLO: the protocol version of the session (the server's answer, at most 3). */
    public long protocolVersion() {
        return current.serverHello().orElseThrow(ClientHandshake::notThatFar).number(PROTOCOL_VERSION);
    }

    /** Why the device token of a successful login could not be saved, if it could not (the login stands). */
    public Optional<RuntimeException> deviceTokenNotSaved() {
        return current instanceof Established e ? e.deviceTokenNotSaved() : Optional.empty();
    }

    public SecureChannel applicationChannel() {
        return established().applicationChannel();
    }

    /**
     * The client's close frame under its handshake keys, for a client that gives up mid-login where the transport
     * asks for it (REST {@code DELETE}, docs/PROTOCOL.md section 10.2): empty before CLIENT_CHOICE (no keys yet)
     * and after the login succeeded (then the application channel closes).
     */
    public Optional<ByteBuffer> handshakeCloseFrame() throws FrameException {
        if (current instanceof Failed f) {
            return f.abandonFrame().map(ByteBuffer::duplicate);
        }
        Optional<HandshakeKeys> keys = current.keys();
        return keys.isEmpty() ? Optional.empty()
                : Optional.of(keys.get().channel().sendClose(ByteBuffer.allocate(64)).flip());
    }

    public CipherSuite suite() {
        return negotiated().suite();
    }

    /** After {@link State#ESTABLISHED}: the session's re-authentication schedule (section 5.13), owned by the caller. */
    public ReauthSchedule reauthSchedule() {
        return established().reauth();
    }

    /** The envelope the server sent (unpadded; a decoy for card holders and services), for re-authentication. */
    public byte[] envelope() {
        return current.openedEnvelope().orElse(new byte[0]).clone();
    }

    public SuitePolicy policy() {
        return negotiated().policy();
    }

    public byte[] sessionId() {
        return established().sessionId().clone();
    }

    public List<X509Certificate> serverChain() {
        return current.knownChain().orElseThrow(ClientHandshake::notThatFar);
    }

    private Negotiated negotiated() {
        return current.negotiated().orElseThrow(ClientHandshake::notThatFar);
    }

    private Established established() {
        return Optional.of(current).filter(Established.class::isInstance).map(Established.class::cast)
                .orElseThrow(ClientHandshake::notThatFar);
    }

    private static IllegalStateException notThatFar() {
        return new IllegalStateException("the handshake has not got that far");
    }

    private void fail(LoginException e) {
        Optional<ByteBuffer> abandonFrame = Optional.empty();
        Optional<HandshakeKeys> keys = current.keys();
        if (keys.isPresent()) {
            try {
                // Sealed before the keys go, for a transport where giving up must be proven (REST DELETE).
                abandonFrame = Optional.of(keys.get().channel().sendClose(ByteBuffer.allocate(64)).flip());
            } catch (FrameException | IllegalStateException unsealable) {
                abandonFrame = Optional.empty();
            }
        }
        enter(new Failed(current, e, abandonFrame));
    }
}
