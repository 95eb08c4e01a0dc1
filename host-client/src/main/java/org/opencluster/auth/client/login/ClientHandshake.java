package org.opencluster.auth.client.login;

import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.*;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.opencluster.auth.protocol.frame.FrameConfig;
import org.opencluster.auth.protocol.frame.FrameException;
import org.opencluster.auth.protocol.handshake.EnvelopeField;
import org.opencluster.auth.protocol.handshake.HandshakeCommands;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.HandshakeLabels;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.handshake.HandshakeOutput;
import org.opencluster.auth.protocol.handshake.HandshakePadding;
import org.opencluster.auth.protocol.handshake.KeySchedule;
import org.opencluster.auth.protocol.handshake.MessageAssembler;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.handshake.Role;
import org.opencluster.auth.protocol.handshake.SignatureAlgorithm;
import org.opencluster.auth.protocol.handshake.TrafficSecrets;
import org.opencluster.auth.protocol.handshake.Transcript;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.Direction;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.session.SecureChannel;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.HashAlgorithm;
import org.opencluster.auth.protocol.suite.KeyExchange;
import org.opencluster.auth.protocol.suite.KeyExchanges;
import org.opencluster.auth.protocol.suite.SuiteException;
import org.opencluster.auth.protocol.suite.SuitePolicy;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenException;

/**
 * The client side of the login handshake for one connection: an explicit state machine, fed one command at a
 * time, collecting what to send in {@link #takeOutput()}. The server is authenticated (pinned key or CA, then its
 * signature over the hello hash) before the username leaves the client; the token is asked for one proof only.
 */
public final class ClientHandshake {
    /** Where the handshake stands. */
    public enum State { AWAIT_SERVER_HELLO, AWAIT_CERTIFICATE, AWAIT_CERTIFICATE_VERIFY, AWAIT_CHALLENGE,
        AWAIT_SERVER_FINISHED, AWAIT_RESULT, ESTABLISHED, FAILED }

    private final SuiteRegistry registry;
    private final Set<Integer> supported;
    private final ServerTrust trust;
    private final String username;
    private final LoginCredential credential;
    private final CommandRegistry applicationRegistry;
    private final SecureRandom random;
    private final MessageAssembler assembler = new MessageAssembler();
    private final List<byte[]> messages = new ArrayList<>();
    private final HandshakeOutput output = new HandshakeOutput();
    private State state = State.AWAIT_SERVER_HELLO;
    private byte[] clientRandom;
    /** A HELLO_RETRY was answered (at most one per handshake). */
    private boolean helloRetried;
    /** The version this client sends in CLIENT_HELLO and requires back in SERVER_HELLO. */
    private int version = PROTOCOL_VERSION_3;

    private HandshakeMessage serverHello;
    private List<X509Certificate> serverChain;
    private SuitePolicy policy;
    private CipherSuite suite;
    private FrameConfig frames;
    private KeySchedule schedule;
    private Transcript transcript;
    private SecureChannel handshakeChannel;
    /** The close frame under the handshake keys, once sealed (a channel seals its close frame only once). */
    private ByteBuffer abandonFrame;
    private HandshakeMessage challenge;
    private SecureChannel applicationChannel;
    private byte[] sessionId;
    private LoginException failure;
    private byte[] enrolmentCodeHash;
    private byte[] envelope = new byte[0];
    private org.opencluster.auth.protocol.handshake.ReauthSchedule reauth;
    private WebAuthnAuthenticator securityKey;
    private DeviceTokenStore deviceTokens;
    /** Whether this login's LOGIN_REQUEST carried the DEVICE_TOKEN extension: only then may LOGIN_RESULT carry one. */
    private boolean deviceTokenAsked;
    private RuntimeException deviceTokenNotSaved;

    public ClientHandshake(String username, LoginCredential credential, ServerTrust trust, Set<Integer> supported,
            SuiteRegistry registry, CommandRegistry applicationRegistry, SecureRandom random) {
        String nfc = Normalizer.normalize(Objects.requireNonNull(username), Normalizer.Form.NFC);
        int len = nfc.getBytes(StandardCharsets.UTF_8).length;
        if (len < 1 || len > 255) {
            throw new IllegalArgumentException("a username is 1-255 bytes of UTF-8");
        }
        this.username = nfc;
        this.credential = Objects.requireNonNull(credential);
        this.trust = Objects.requireNonNull(trust);
        this.supported = Set.copyOf(supported);
        this.registry = Objects.requireNonNull(registry);
        this.applicationRegistry = Objects.requireNonNull(applicationRegistry);
        this.random = Objects.requireNonNull(random);
    }

    /**
     * Makes this handshake an enrolment: the LOGIN_REQUEST carries the enrolment extension and the proof is keyed by
     * the one-time code's hash instead of an account key (the credential is not used). Call before {@link #start}.
     */
    public ClientHandshake enrolWith(byte[] codeHash) {
        this.enrolmentCodeHash = codeHash.clone();
        return this;
    }

    /**
     * Makes this handshake a security-key login: LOGIN_REQUEST carries the WEBAUTHN extension and the proof is the
     * assertion {@code authenticator} makes over the handshake's challenge (the credential is not used).
     */
    public ClientHandshake withSecurityKey(WebAuthnAuthenticator authenticator) {
        if (enrolmentCodeHash != null) {
            throw new IllegalStateException("a login either enrols or uses a security key");
        }
        this.securityKey = Objects.requireNonNull(authenticator);
        return this;
    }

    /**
     * Keeps device tokens in {@code store} (section 5.14): LOGIN_REQUEST carries the DEVICE_TOKEN extension with the
     * token kept for this server and name (or empty), and the token of a successful LOGIN_RESULT is saved there.
     * Not for enrolments (a new account has no device yet).
     */
    public ClientHandshake withDeviceTokens(DeviceTokenStore store) {
        this.deviceTokens = Objects.requireNonNull(store);
        return this;
    }

    /**
     * Speaks protocol version 2 (no PADDING, the version-2 challenge) instead of 3, as a client built before
     * version 3 does: for tests that such clients still log in. Call before {@link #start}.
     */
    public ClientHandshake version2() {
        this.version = PROTOCOL_VERSION_2;
        return this;
    }

    /** CLIENT_HELLO. */
    public ByteBuffer start() {
        clientRandom = random(32);
        sendHello(new byte[0]);
        return takeOutput();
    }

    /**
     * CLIENT_HELLO, version 2: the first one with {@code extensions} empty; after a HELLO_RETRY the same hello again
     * with the HELLO_COOKIE extension (section 5.3.11).
     */
    private void sendHello(byte[] extensions) {
        ByteBuffer list = ByteBuffer.allocate(2 * supported.size());
        supported.stream().sorted().forEach(id -> list.putShort((short) (int) id));
        send(HandshakeMessage.of(HS_CLIENT_HELLO, RispCommand.integer(PROTOCOL_VERSION, version),
                RispCommand.fixed(CLIENT_RANDOM, clientRandom), RispCommand.string(SUPPORTED_SUITES, list.array()),
                RispCommand.string(EXTENSIONS, extensions)));
    }

    /** HELLO_RETRY: the first CLIENT_HELLO leaves the transcript; the same hello goes again with the cookie. */
    private void onHelloRetry(HandshakeMessage m) throws HandshakeException {
        if (helloRetried) {
            throw new HandshakeException(HandshakeError.UNEXPECTED_MESSAGE, "a second HELLO_RETRY (one at most)");
        }
        helloRetried = true;
        byte[] cookie = m.bytes(COOKIE);
        if (cookie.length == 0) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "HELLO_RETRY with an empty cookie");
        }
        messages.clear();
        sendHello(ByteBuffer.allocate(4 + cookie.length).putShort((short) HandshakeLabels.EXTENSION_HELLO_COOKIE)
                .putShort((short) cookie.length).put(cookie).array());
    }

    public State state() {
        return state;
    }

    public ByteBuffer takeOutput() {
        return output.take();
    }

    /** Why it failed (after {@link State#FAILED}). */
    public LoginException failure() {
        return failure;
    }

    public State onCommand(RispCommand outer) {
        if (state == State.FAILED || state == State.ESTABLISHED) {
            throw new IllegalStateException("the handshake is over (" + state + ")");
        }
        try {
            if (handshakeChannel == null) {
                onMessageCommand(outer);
            } else {
                List<RispCommand> inner = new ArrayList<>();
                if (!SecureChannel.isFrameCommand(outer.id())) {
                    throw clearAfterChoice(outer);
                }
                handshakeChannel.receive(outer, inner::add);
                for (RispCommand c : inner) {
                    if (state == State.FAILED || state == State.ESTABLISHED) {
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
        } catch (org.opencluster.auth.protocol.risp.RispProtocolException e) {
            fail(new LoginException(HandshakeError.MALFORMED_MESSAGE.code(), e.getMessage(), e));
        } catch (LoginException e) {
            fail(e);
        }
        return state;
    }

    /**
     * After CLIENT_CHOICE only sealed frames are the server's word (section 5.3.10): a clear command may come from
     * anyone on the path, so its text is never shown. The one clear answer the server gives there is its refusal
     * of CLIENT_CHOICE itself, made before any shared key: that code is kept (it tells of a tampered negotiation),
     * marked as unauthenticated; anything else ends the login as cut off.
     */
    private static HandshakeException clearAfterChoice(RispCommand outer) {
        if (outer.id() == org.opencluster.auth.protocol.command.CoreCommands.ERROR.id()) {
            for (HandshakeError e : CLEAR_CHOICE_REFUSALS) {
                if (e.code() == outer.number()) {
                    return new HandshakeException(e, "CLIENT_CHOICE was refused in clear text (" + e + "); the"
                            + " refusal is not authenticated, so its text is not shown: the negotiation may have"
                            + " been tampered with on the way");
                }
            }
        }
        return new HandshakeException(HandshakeError.UNEXPECTED_MESSAGE, "the login was cut off by a clear-text"
                + " command " + org.opencluster.auth.protocol.risp.CommandIds.hex(outer.id()) + " after"
                + " CLIENT_CHOICE, where only sealed frames count; it is not authenticated, so what it says is not"
                + " shown");
    }

    /** What a server answers in clear to a CLIENT_CHOICE it refuses (section 5.3.5), before any shared key. */
    private static final List<HandshakeError> CLEAR_CHOICE_REFUSALS = List.of(HandshakeError.DOWNGRADE_DETECTED,
            HandshakeError.INVALID_KEY_SHARE, HandshakeError.MALFORMED_MESSAGE);

    private void onMessageCommand(RispCommand c) throws HandshakeException, FrameException, TokenException,
            LoginException {
        MessageAssembler.Result r = assembler.accept(c);
        if (r instanceof MessageAssembler.PeerError) {
            MessageAssembler.PeerError e = (MessageAssembler.PeerError) r;
            // Sealed after CLIENT_CHOICE (the server's word); before it nothing is authenticated yet (5.3.10).
            fail(new LoginException(e.code(), handshakeChannel != null ? "the server refused: " + e.text()
                    : "refused in clear text, before any key (not authenticated): " + e.text()));
            return;
        }
        if (r == null) {
            return;
        }
        HandshakeMessage m = ((MessageAssembler.Message) r).message();
        switch (state) {
            case AWAIT_SERVER_HELLO:
                if (m.marker() == HS_HELLO_RETRY) {
                    onHelloRetry(m);
                    break;
                }
                m.require(HS_SERVER_HELLO);
                serverHello = m;
                messages.add(m.encode());
                state = State.AWAIT_CERTIFICATE;
                break;
            case AWAIT_CERTIFICATE:
                m.require(HS_SERVER_CERTIFICATE);
                serverChain = certificates(m);
                messages.add(m.encode());
                trust.check(serverChain);
                state = State.AWAIT_CERTIFICATE_VERIFY;
                break;
            case AWAIT_CERTIFICATE_VERIFY:
                m.require(HS_SERVER_CERTIFICATE_VERIFY);
                onCertificateVerify(m);
                break;
            case AWAIT_CHALLENGE:
                m.require(HS_LOGIN_CHALLENGE);
                challenge = m;
                transcript.add(m.encode());
                state = State.AWAIT_SERVER_FINISHED;
                break;
            case AWAIT_SERVER_FINISHED:
                m.require(HS_SERVER_FINISHED);
                if (!schedule.verifyServerFinished(transcript.hash(), m.bytes(VERIFY_DATA))) {
                    throw new HandshakeException(HandshakeError.BAD_FINISHED, "SERVER_FINISHED does not verify");
                }
                transcript.add(m.encode());
                prove();
                break;
            case AWAIT_RESULT:
                m.require(HS_LOGIN_RESULT);
                onResult(m);
                break;
            default:
                throw new HandshakeException(HandshakeError.UNEXPECTED_MESSAGE, "no message expected now");
        }
    }

    private void onCertificateVerify(HandshakeMessage m) throws HandshakeException, FrameException {
        Transcript hello = new Transcript(HashAlgorithm.SHA384);
        messages.forEach(hello::add);
        SignatureAlgorithm alg = SignatureAlgorithm.fromCode((int) m.number(SIGNATURE_SCHEME)).orElseThrow(
                () -> new HandshakeException(HandshakeError.BAD_SERVER_SIGNATURE, "unknown signature scheme"));
        if (!alg.verify(serverChain.get(0).getPublicKey(), HandshakeLabels.signatureInput(
                HandshakeLabels.SERVER_SIGNATURE_CONTEXT, hello.hash()), m.bytes(SIGNATURE))) {
            throw new HandshakeException(HandshakeError.BAD_SERVER_SIGNATURE,
                    "the server's signature over the hello does not verify: not the server it claims to be");
        }
        messages.add(m.encode());
        long serverVersion = serverHello.number(PROTOCOL_VERSION);
        if (serverVersion > version) {
            throw new HandshakeException(HandshakeError.UNSUPPORTED_VERSION, "the server answered version "
                    + serverVersion + " to a version-" + version + " hello");
        }
        if (serverVersion < version) {
            // Signed, so no man in the middle made it; but a server answering below the client's version would
            // give up what that version protects (version 3: sizes and challenge shapes), so it is refused.
            throw new HandshakeException(HandshakeError.DOWNGRADE_DETECTED, "the server answered version "
                    + serverVersion + " to a version-" + version + " hello (docs/PROTOCOL.md 5.3.4)");
        }
        try {
            policy = SuitePolicy.parse(registry, serverHello.bytes(SUITE_POLICY));
        } catch (SuiteException e) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, e.getMessage());
        }
        suite = policy.choose(supported).orElseThrow(() -> new HandshakeException(HandshakeError.NO_COMMON_SUITE,
                "the server enables none of this client's suites"));
        try {
            frames = FrameConfig.builder().keyUpdateAfterBytes(serverHello.number(KEY_UPDATE_BYTES))
                    .keyUpdateAfterRecords(serverHello.number(KEY_UPDATE_RECORDS))
                    .maxPlaintextLength((int) serverHello.number(MAX_FRAME_PLAINTEXT)).build();
        } catch (IllegalArgumentException e) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, e.getMessage());
        }
        byte[] s = serverHello.bytes(KEY_SHARE);
        if (s.length <= 2 || HandshakeOutput.groupOf(s) != suite.group().wireId()) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "the server's key share is not for the "
                    + "suite the choice rule picks: " + suite.name());
        }
        byte[] serverShare = Arrays.copyOfRange(s, 2, s.length);
        byte[] shared;
        KeyExchange.EphemeralKeyPair mine = KeyExchanges.forGroup(suite.group()).generate(random);
        try {
            shared = mine.agree(serverShare);
            send(HandshakeMessage.of(HS_CLIENT_CHOICE, RispCommand.integer(CHOSEN_SUITE, suite.id()),
                    RispCommand.integer(POLICY_VERSION, policy.version()),
                    RispCommand.string(KEY_SHARE, HandshakeOutput.keyShare(suite.group(), mine.publicKey())),
                    RispCommand.string(EXTENSIONS, new byte[0])));
        } catch (SuiteException e) {
            throw new HandshakeException(HandshakeError.INVALID_KEY_SHARE, e.getMessage());
        } finally {
            mine.close();
        }
        transcript = new Transcript(suite.hash());
        messages.forEach(transcript::add);
        schedule = new KeySchedule(suite);
        schedule.mixKeyExchange(shared);
        Arrays.fill(shared, (byte) 0);
        try (TrafficSecrets hs = schedule.handshakeTraffic(transcript.hash())) {
            handshakeChannel = new SecureChannel(hs.sealer(Role.CLIENT, frames), hs.opener(Role.CLIENT, frames),
                    RispDecoder.builder().registry(HandshakeCommands.registry(), Direction.SERVER_TO_CLIENT).build());
        }
        HandshakeMessage request = padded(HS_LOGIN_REQUEST, HandshakePadding.LOGIN_REQUEST_BYTES,
                RispCommand.string(USERNAME, username.getBytes(StandardCharsets.UTF_8)),
                RispCommand.string(EXTENSIONS, loginRequestExtensions()));
        transcript.add(request.encode());
        sendFramed(request);
        state = State.AWAIT_CHALLENGE;
    }

    /** LOGIN_REQUEST extensions, in increasing type order: ENROLMENT or WEBAUTHN, then DEVICE_TOKEN. */
    private byte[] loginRequestExtensions() {
        ByteBuffer ext = ByteBuffer.allocate(8 + HandshakeCommands.MAX_DEVICE_TOKEN);
        if (enrolmentCodeHash != null) {
            ext.putShort((short) HandshakeLabels.EXTENSION_ENROLMENT).putShort((short) 0);
        } else if (securityKey != null) {
            ext.putShort((short) HandshakeLabels.EXTENSION_WEBAUTHN).putShort((short) 0);
        }
        if (deviceTokens != null && enrolmentCodeHash == null) {
            byte[] token;
            try {
                token = deviceTokens.find(serverKeyFingerprint(), username)
                        .filter(t -> t.length <= HandshakeCommands.MAX_DEVICE_TOKEN).orElse(new byte[0]);
            } catch (RuntimeException e) {
                token = new byte[0]; // an unreadable store: log in as a device that has no token yet
            }
            ext.putShort((short) HandshakeLabels.EXTENSION_DEVICE_TOKEN).putShort((short) token.length).put(token);
            deviceTokenAsked = true;
        }
        return Arrays.copyOf(ext.array(), ext.position());
    }

    private String serverKeyFingerprint() {
        return org.opencluster.auth.protocol.handshake.KeyFingerprint.of(serverChain.get(0).getPublicKey()
                .getEncoded());
    }

    private void prove() throws HandshakeException, FrameException, TokenException, LoginException {
        byte[] t = transcript.hash();
        ProofKind kind = ProofKind.fromWire((int) challenge.number(PROOF_KIND)).orElseThrow(
                () -> new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "unknown PROOF_KIND"));
        byte[] envelope = EnvelopeField.unpad(challenge.bytes(ENVELOPE));
        byte[] proof;
        int scheme = 0;
        if (enrolmentCodeHash != null || kind == ProofKind.ENROLMENT_CODE) {
            if (enrolmentCodeHash == null || kind != ProofKind.ENROLMENT_CODE) {
                throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE,
                        "the server asked for a proof kind that does not fit this login or enrolment");
            }
            // code_hash || HMAC(proof_key, T) (docs/PROTOCOL.md 5.5.3): the server keeps only a keyed verifier of
            // code_hash, so it needs code_hash itself; this flight is encrypted to the server authenticated above.
            byte[] bound = schedule.enrolmentProof(enrolmentCodeHash, t);
            proof = Arrays.copyOf(enrolmentCodeHash, enrolmentCodeHash.length + bound.length);
            System.arraycopy(bound, 0, proof, enrolmentCodeHash.length, bound.length);
            finishProof(kind, scheme, proof);
            return;
        }
        if (securityKey != null || kind == ProofKind.WEBAUTHN) {
            if (securityKey == null || kind != ProofKind.WEBAUTHN || !challenge.has(WEBAUTHN_OPTIONS)) {
                throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE,
                        "the server asked for a proof kind that does not fit this security-key login");
            }
            byte[] webauthnChallenge = schedule.webauthnChallenge(t);
            proof = securityKey.getAssertion(challenge.bytes(WEBAUTHN_OPTIONS), webauthnChallenge);
            if (proof == null || proof.length == 0 || proof.length > HandshakeCommands.MAX_WEBAUTHN_PROOF) {
                throw new LoginException(-1, "the security key's assertion must be 1-"
                        + HandshakeCommands.MAX_WEBAUTHN_PROOF + " bytes of JSON");
            }
            finishProof(kind, scheme, proof);
            return;
        }
        this.envelope = envelope;
        try (Token token = credential.unlock(username, envelope)) {
            boolean x25519 = token.keyType() == org.opencluster.auth.token.KeyType.X25519;
            if (challenge.has(PROOF_EPHEMERAL_X25519)) {
                // Version 3: the challenge is the same for every account; the kind asked for is the server's
                // preference, and a key that cannot do it proves the other way (section 5.3.7).
                boolean canAgree = token.operations().contains(org.opencluster.auth.token.TokenOperation.KEY_AGREEMENT)
                        && (x25519 || token.keyType() == org.opencluster.auth.token.KeyType.EC_P256);
                boolean canSign = !token.signatureSchemes().isEmpty();
                if (kind == ProofKind.KEY_AGREEMENT ? !canAgree && canSign : !canSign && canAgree) {
                    kind = kind == ProofKind.KEY_AGREEMENT ? ProofKind.SIGNATURE : ProofKind.KEY_AGREEMENT;
                }
            }
            if (kind == ProofKind.KEY_AGREEMENT) {
                byte[] z = TokenProofs.agree(token, challenge.bytes(x25519 && challenge.has(PROOF_EPHEMERAL_X25519)
                        ? PROOF_EPHEMERAL_X25519 : PROOF_EPHEMERAL));
                try {
                    proof = schedule.keyAgreementProof(z, t);
                } finally {
                    Arrays.fill(z, (byte) 0);
                }
            } else {
                TokenProofs.Proof sig = TokenProofs.sign(token,
                        HandshakeLabels.signatureInput(HandshakeLabels.CLIENT_PROOF_SIGNATURE_CONTEXT, t));
                scheme = sig.scheme();
                proof = sig.value();
            }
        }
        finishProof(kind, scheme, proof);
    }

    /** After SERVER_HELLO: the protocol version of the session (the server's answer, at most 3). */
    public long protocolVersion() {
        return serverHello.number(PROTOCOL_VERSION);
    }

    /** Version 3 pads LOGIN_REQUEST and LOGIN_PROOF to their size class, so their frames say nothing by size. */
    private HandshakeMessage padded(int marker, int sizeClass, RispCommand... fields) {
        return version >= PROTOCOL_VERSION_3
                ? HandshakePadding.pad(marker, sizeClass, fields) : HandshakeMessage.of(marker, fields);
    }

    private void finishProof(ProofKind kind, int scheme, byte[] proof) throws FrameException {
        HandshakeMessage lp = padded(HS_LOGIN_PROOF, HandshakePadding.LOGIN_PROOF_BYTES,
                RispCommand.integer(PROOF_KIND, kind.wireValue()), RispCommand.integer(SIGNATURE_SCHEME, scheme),
                RispCommand.string(PROOF, proof));
        transcript.add(lp.encode());
        HandshakeMessage cf = HandshakeMessage.of(HS_CLIENT_FINISHED,
                RispCommand.string(VERIFY_DATA, schedule.clientFinished(transcript.hash())));
        transcript.add(cf.encode());
        sendFramed(lp, cf);
        state = State.AWAIT_RESULT;
    }

    private void onResult(HandshakeMessage m) throws HandshakeException {
        int status = (int) m.number(LOGIN_STATUS);
        if (status != 0) {
            fail(new LoginException(status, status == HandshakeError.LOGIN_FAILED.code()
                    ? "login failed: wrong passphrase or key, unknown or disabled account (the server does not say which)"
                    : String.format("login refused (code 0x%04x)", status)));
            return;
        }
        if (m.has(DEVICE_TOKEN) && !deviceTokenAsked) {
            // Section 5.14: a token answers the extension only. One the request did not ask for (an enrolment, a
            // client without a store) is a server breaking the protocol: fail closed, keep nothing.
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE,
                    "the server sent a DEVICE_TOKEN this login did not ask for");
        }
        sessionId = m.bytes(SESSION_ID);
        if (m.has(DEVICE_TOKEN)) {
            // The login stands even if the token cannot be kept: the next login asks for a new one.
            try {
                deviceTokens.save(serverKeyFingerprint(), username, m.bytes(DEVICE_TOKEN));
            } catch (RuntimeException e) {
                deviceTokenNotSaved = e;
            }
        }
        try (TrafficSecrets ap = schedule.applicationTraffic(transcript.hash())) {
            applicationChannel = new SecureChannel(ap.sealer(Role.CLIENT, frames), ap.opener(Role.CLIENT, frames),
                    RispDecoder.builder().registry(applicationRegistry, Direction.SERVER_TO_CLIENT).build());
        }
        reauth = schedule.reauthSchedule(transcript.hash());
        handshakeChannel.close();
        schedule.close();
        state = State.ESTABLISHED;
    }

    /** Why the device token of a successful login could not be saved, if it could not (the login stands). */
    public Optional<RuntimeException> deviceTokenNotSaved() {
        return Optional.ofNullable(deviceTokenNotSaved);
    }

    public SecureChannel applicationChannel() {
        return require(applicationChannel);
    }

    /**
     * The client's close frame under its handshake keys, for a client that gives up mid-login where the transport
     * asks for it (REST {@code DELETE}, docs/PROTOCOL.md section 10.2): empty before CLIENT_CHOICE (no keys yet)
     * and after the login succeeded (then the application channel closes).
     */
    public Optional<ByteBuffer> handshakeCloseFrame() throws org.opencluster.auth.protocol.frame.FrameException {
        if (state == State.FAILED) {
            return Optional.ofNullable(abandonFrame).map(ByteBuffer::duplicate);
        }
        if (handshakeChannel == null || state == State.ESTABLISHED) {
            return Optional.empty();
        }
        abandonFrame = handshakeChannel.sendClose(ByteBuffer.allocate(64)).flip();
        return Optional.of(abandonFrame.duplicate());
    }

    public CipherSuite suite() {
        return require(suite);
    }

    /** After {@link State#ESTABLISHED}: the session's re-authentication schedule (section 5.13), owned by the caller. */
    public org.opencluster.auth.protocol.handshake.ReauthSchedule reauthSchedule() {
        return require(reauth);
    }

    /** The envelope the server sent (unpadded; a decoy for card holders and services), for re-authentication. */
    public byte[] envelope() {
        return envelope.clone();
    }

    public SuitePolicy policy() {
        return require(policy);
    }

    public byte[] sessionId() {
        return require(sessionId).clone();
    }

    public List<X509Certificate> serverChain() {
        return require(serverChain);
    }

    private static <T> T require(T v) {
        if (v == null) {
            throw new IllegalStateException("the handshake has not got that far");
        }
        return v;
    }

    private void fail(LoginException e) {
        failure = e;
        state = State.FAILED;
        if (schedule != null) {
            schedule.close();
        }
        if (handshakeChannel != null) {
            try {
                // Sealed before the keys go, for a transport where giving up must be proven (REST DELETE).
                abandonFrame = handshakeChannel.sendClose(ByteBuffer.allocate(64)).flip();
            } catch (org.opencluster.auth.protocol.frame.FrameException | IllegalStateException unsealable) {
                abandonFrame = null;
            }
            handshakeChannel.close();
        }
    }

    private static List<X509Certificate> certificates(HandshakeMessage m) throws HandshakeException {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (RispCommand c : m.all(CERTIFICATE)) {
                chain.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(c.copyBytes())));
            }
        } catch (GeneralSecurityException e) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "a server certificate does not parse");
        }
        return chain;
    }

    private void send(HandshakeMessage m) {
        messages.add(output.clear(m));
    }

    private void sendFramed(HandshakeMessage... ms) throws FrameException {
        output.framed(handshakeChannel, ms);
    }

    private byte[] random(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

}
