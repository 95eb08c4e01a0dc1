package org.opencluster.auth.server.login;

import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
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
import org.opencluster.auth.protocol.handshake.PublicKeys;
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
import org.opencluster.auth.protocol.suite.KeyExchangeGroup;
import org.opencluster.auth.protocol.suite.KeyExchanges;
import org.opencluster.auth.protocol.suite.SuiteException;
import org.opencluster.auth.protocol.suite.SuitePolicy;
import org.opencluster.auth.server.dispatch.Caller;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.TokenException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of the login handshake (docs/PROTOCOL.md section 5) for one connection: an explicit state
 * machine fed one outer command at a time; whatever it wants to send accumulates in {@link #takeOutput()}. On
 * success it hands over the application {@link SecureChannel}. Every failure is answered with an error the
 * client can act on and ends the connection; a wrong proof, a wrong passphrase and an unknown user look alike.
 */
public final class ServerHandshake {
    private static final Logger LOG = LoggerFactory.getLogger(ServerHandshake.class);

    /** Where the handshake stands. */
    public enum State { AWAIT_HELLO, AWAIT_CHOICE, AWAIT_LOGIN_REQUEST, AWAIT_PROOF, AWAIT_CLIENT_FINISHED,
        ESTABLISHED, FAILED }

    private final HandshakeSettings settings;
    private final String remote;
    private final CommandRegistry applicationRegistry;
    private final MessageAssembler assembler = new MessageAssembler();
    private final List<byte[]> messages = new ArrayList<>();
    private final HandshakeOutput output = new HandshakeOutput();
    private State state = State.AWAIT_HELLO;
    /** A HELLO_RETRY went out on this connection (there is at most one). */
    private boolean helloRetried;
    /** The protocol version of SERVER_HELLO: min(client's, 3). */
    private long version;

    private SuitePolicy policy;
    private Set<Integer> offered;
    private final List<KeyExchange.EphemeralKeyPair> shares = new ArrayList<>();
    private CipherSuite suite;
    private KeySchedule schedule;
    private Transcript transcript;
    private SecureChannel handshakeChannel;
    private KeyExchange.EphemeralKeyPair proofEphemeral;
    /** Version 3: the X25519 ephemeral every challenge carries beside the P-256 one (section 5.3.7). */
    private KeyExchange.EphemeralKeyPair x25519Ephemeral;
    private ProofKind proofKind;
    private String username;
    private Optional<LoginAccount> account = Optional.empty();
    private boolean enrolling;
    private boolean webAuthnLogin;
    private byte[] webAuthnChallenge;
    private List<org.opencluster.auth.server.store.EnrolmentCode> enrolmentCandidates = List.of();
    private org.opencluster.auth.server.store.EnrolmentCode enrolment;
    private byte[] transcriptThroughServerFinished;
    private byte[] proofBytes;
    private org.opencluster.auth.protocol.handshake.ReauthSchedule reauth;
    private int proofScheme;
    private SecureChannel applicationChannel;
    private byte[] sessionId;
    /** The LOGIN_REQUEST carried the device-token extension: a successful LOGIN_RESULT carries a token. */
    private boolean keepsDeviceToken;
    /** The throttle's view of this login, from LOGIN_REQUEST on. */
    private LoginThrottle.Attempt attempt;
    /**
     * Set when LOGIN_CHALLENGE is sent, cleared when the outcome is recorded: a login that got its envelope owes the
     * throttle exactly one outcome, whatever ends it ({@link #settle}).
     */
    private boolean outcomeOwed;

    public ServerHandshake(HandshakeSettings settings, String remoteAddress, CommandRegistry applicationRegistry) {
        this.settings = settings;
        this.remote = remoteAddress;
        this.applicationRegistry = applicationRegistry;
    }

    public State state() {
        return state;
    }

    /**
     * Whether the message that completes next may wait on something besides this CPU: the server key's token
     * (unless it is a software key), the account store (every login request), enrolment codes and security-key
     * credentials (also in the store). The rest is arithmetic and runs where the bytes arrived.
     */
    public boolean nextStepMayBlock() {
        switch (state) {
            case AWAIT_HELLO:
                return settings.serverKey().operationsMayBlock();
            case AWAIT_CHOICE:
                return false;
            case AWAIT_PROOF:
            case AWAIT_CLIENT_FINISHED:
                return enrolling || webAuthnLogin;
            default:
                return true;
        }
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
        if (state == State.FAILED || state == State.ESTABLISHED) {
            throw new IllegalStateException("the handshake is over (" + state + ")");
        }
        try {
            if (handshakeChannel == null) {
                onMessageCommand(outer);
            } else {
                if (!SecureChannel.isFrameCommand(outer.id())) {
                    throw new HandshakeException(HandshakeError.UNEXPECTED_MESSAGE,
                            "after CLIENT_CHOICE everything travels in frames");
                }
                List<RispCommand> inner = new ArrayList<>();
                handshakeChannel.receive(outer, inner::add);
                for (RispCommand c : inner) {
                    if (state == State.FAILED || state == State.ESTABLISHED) {
                        break;
                    }
                    onMessageCommand(c);
                }
            }
        } catch (HandshakeException e) {
            fail(e.error().code(), e.getMessage());
        } catch (FrameException e) {
            // The channel is dead: nothing more can be sent under it. Close.
            enterFailed();
        } catch (org.opencluster.auth.protocol.risp.RispProtocolException e) {
            fail(ErrorCode.PROTOCOL_ERROR.code(), e.getMessage());
        } catch (RuntimeException e) {
            if (!owesLoginResult()) {
                throw e;
            }
            // After LOGIN_CHALLENGE a failure of ours (the store, a key that will not decode) must not answer
            // differently from a wrong proof: INTERNAL would say that the name exists (issue 13 item 5).
            LOG.warn("event=login.internal_failure user={} error={}", username, e.toString());
            refuseLogin();
        }
        return state;
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
        switch (state) {
            case AWAIT_HELLO:
                m.require(HS_CLIENT_HELLO);
                onClientHello(m);
                break;
            case AWAIT_CHOICE:
                m.require(HS_CLIENT_CHOICE);
                onClientChoice(m);
                break;
            case AWAIT_LOGIN_REQUEST:
                m.require(HS_LOGIN_REQUEST);
                onLoginRequest(m);
                break;
            case AWAIT_PROOF:
                m.require(HS_LOGIN_PROOF);
                onLoginProof(m);
                break;
            case AWAIT_CLIENT_FINISHED:
                m.require(HS_CLIENT_FINISHED);
                onClientFinished(m);
                break;
            default:
                throw new HandshakeException(HandshakeError.UNEXPECTED_MESSAGE, "no message expected now");
        }
    }

    private void onClientHello(HandshakeMessage m) throws HandshakeException {
        long clientVersion = m.number(PROTOCOL_VERSION);
        if (clientVersion < PROTOCOL_VERSION_1) {
            throw new HandshakeException(HandshakeError.UNSUPPORTED_VERSION, "protocol version 1 or later is needed");
        }
        byte[] list = m.bytes(SUPPORTED_SUITES);
        if (list.length == 0 || list.length % 2 != 0) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "SUPPORTED_SUITES is n x u16, n >= 1");
        }
        offered = new LinkedHashSet<>();
        for (int i = 0; i < list.length; i += 2) {
            if (!offered.add(((list[i] & 0xff) << 8) | (list[i + 1] & 0xff))) {
                throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "SUPPORTED_SUITES repeats a suite");
            }
        }
        checkExtensions(m.bytes(EXTENSIONS));
        if (!admitHello(m, clientVersion)) {
            return;
        }
        record(m);
        version = Math.min(clientVersion, PROTOCOL_VERSION_3);
        policy = settings.policy().get();
        CipherSuite preferred = policy.choose(offered).orElseThrow(() -> new HandshakeException(
                HandshakeError.NO_COMMON_SUITE, "none of the client's suites is enabled on this server"));
        List<RispCommand> hello = new ArrayList<>(List.of(
                RispCommand.integer(PROTOCOL_VERSION, version),
                RispCommand.fixed(SERVER_RANDOM, random(32)),
                RispCommand.string(SUITE_POLICY, policy.encode())));
        // The choice rule is deterministic, so one share, for the suite the client must choose, is enough.
        KeyExchange.EphemeralKeyPair eph = KeyExchanges.forGroup(preferred.group()).generate(settings.random());
        shares.add(eph);
        hello.add(RispCommand.string(KEY_SHARE, HandshakeOutput.keyShare(preferred.group(), eph.publicKey())));
        hello.add(RispCommand.integer(KEY_UPDATE_BYTES, settings.frames().keyUpdateAfterBytes()));
        hello.add(RispCommand.integer(KEY_UPDATE_RECORDS, settings.frames().keyUpdateAfterRecords()));
        hello.add(RispCommand.integer(MAX_FRAME_PLAINTEXT, settings.frames().maxPlaintextLength()));
        hello.add(RispCommand.string(EXTENSIONS, new byte[0]));
        sendClear(HandshakeMessage.of(HS_SERVER_HELLO, hello.toArray(new RispCommand[0])));
        List<RispCommand> certs = new ArrayList<>();
        for (X509Certificate cert : settings.serverChain()) {
            try {
                certs.add(RispCommand.string(CERTIFICATE, cert.getEncoded()));
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException("the server certificate cannot be encoded", e);
            }
        }
        sendClear(HandshakeMessage.of(HS_SERVER_CERTIFICATE, certs.toArray(new RispCommand[0])));
        Transcript helloHash = new Transcript(HashAlgorithm.SHA384);
        messages.forEach(helloHash::add);
        SignatureScheme scheme = settings.serverKey().signatureSchemes().iterator().next();
        byte[] signature;
        try {
            signature = settings.serverKey().sign(scheme, HandshakeLabels.signatureInput(
                    HandshakeLabels.SERVER_SIGNATURE_CONTEXT, helloHash.hash()));
        } catch (TokenException e) {
            throw new IllegalStateException("the server key cannot sign: " + e.getMessage(), e);
        }
        sendClear(HandshakeMessage.of(HS_SERVER_CERTIFICATE_VERIFY,
                RispCommand.integer(SIGNATURE_SCHEME, SignatureAlgorithm.valueOf(scheme.name()).code()),
                RispCommand.string(SIGNATURE, signature)));
        state = State.AWAIT_CHOICE;
    }

    /**
     * The cookie round of section 5.3.11, before any key generation or signature: whether this hello is answered in
     * full. If not, the answer (HELLO_RETRY, or a clear RATE_LIMITED) is already in the output; nothing of the hello
     * is kept, and the state stays AWAIT_HELLO for the hello with the cookie (a retry is sent once per connection).
     */
    private boolean admitHello(HandshakeMessage m, long clientVersion) {
        HelloGate gate = settings.hello();
        if (gate.mode() == HelloGate.Mode.OFF) {
            return true;
        }
        byte[] withoutCookie = HelloCookies.helloWithoutCookie(m);
        HelloGate.Verdict verdict = gate.decide(remote, withoutCookie, HelloCookies.cookieOf(m.bytes(EXTENSIONS)));
        if (verdict == HelloGate.Verdict.SIGN) {
            return true;
        }
        // Each refusal is a clear ERROR RATE_LIMITED, then the connection closes (section 5.3.11).
        if (verdict == HelloGate.Verdict.RATE_LIMITED) {
            fail(ErrorCode.RATE_LIMITED.code(), "too many hellos from this source; retry later");
            return false;
        }
        if (clientVersion < PROTOCOL_VERSION_2) {
            fail(ErrorCode.RATE_LIMITED.code(), "this server asks for a cookie round (HELLO_RETRY), which needs "
                    + "protocol version 2; retry later");
            return false;
        }
        if (helloRetried) {
            fail(ErrorCode.RATE_LIMITED.code(), "the second CLIENT_HELLO carries no valid cookie (expired, altered, "
                    + "or from another source); retry later on a new connection");
            return false;
        }
        helloRetried = true;
        output.clear(HandshakeMessage.of(HS_HELLO_RETRY, RispCommand.string(COOKIE, gate.cookie(remote,
                withoutCookie))));
        return false;
    }

    private void onClientChoice(HandshakeMessage m) throws HandshakeException {
        int chosen = (int) m.number(CHOSEN_SUITE);
        CipherSuite expected = policy.choose(offered).orElseThrow();
        if (chosen != expected.id() || m.number(POLICY_VERSION) != policy.version()) {
            throw new HandshakeException(HandshakeError.DOWNGRADE_DETECTED, String.format(
                    "the client chose 0x%04x under policy version %d; the preferred common suite is 0x%04x under %d",
                    chosen, m.number(POLICY_VERSION), expected.id(), policy.version()));
        }
        checkExtensions(m.bytes(EXTENSIONS));
        suite = expected;
        byte[] keyShare = m.bytes(KEY_SHARE);
        KeyExchange.EphemeralKeyPair mine = shares.stream().filter(p -> p.group() == suite.group()).findFirst()
                .orElseThrow();
        if (HandshakeOutput.groupOf(keyShare) != suite.group().wireId()) {
            throw new HandshakeException(HandshakeError.INVALID_KEY_SHARE, "the key share is not in the suite's group");
        }
        byte[] shared;
        try {
            shared = mine.agree(Arrays.copyOfRange(keyShare, 2, keyShare.length));
        } catch (SuiteException e) {
            throw new HandshakeException(HandshakeError.INVALID_KEY_SHARE, e.getMessage());
        } finally {
            shares.forEach(KeyExchange.EphemeralKeyPair::close);
            shares.clear();
        }
        record(m);
        transcript = new Transcript(suite.hash());
        messages.forEach(transcript::add);
        schedule = new KeySchedule(suite);
        schedule.mixKeyExchange(shared);
        Arrays.fill(shared, (byte) 0);
        try (TrafficSecrets hs = schedule.handshakeTraffic(transcript.hash())) {
            handshakeChannel = new SecureChannel(hs.sealer(Role.SERVER, settings.frames()),
                    hs.opener(Role.SERVER, settings.frames()), strictDecoder(HandshakeCommands.registry()));
        }
        state = State.AWAIT_LOGIN_REQUEST;
    }

    private void onLoginRequest(HandshakeMessage m) throws HandshakeException, FrameException {
        checkPadding(m, HandshakePadding.LOGIN_REQUEST_BYTES);
        byte[] raw = m.bytes(USERNAME);
        String name = new String(raw, StandardCharsets.UTF_8);
        if (raw.length == 0 || !Arrays.equals(raw, name.getBytes(StandardCharsets.UTF_8))
                || !Normalizer.isNormalized(name, Normalizer.Form.NFC)
                || name.codePoints().anyMatch(Character::isISOControl)) {
            // Control characters are refused too: a name ends up in log lines, where a newline could forge one.
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE,
                    "USERNAME must be NFC UTF-8 without control characters, 1-255 bytes");
        }
        byte[] extensions = m.bytes(EXTENSIONS);
        int requested = checkExtensions(extensions);
        enrolling = (requested & ENROLMENT_REQUESTED) != 0;
        webAuthnLogin = (requested & WEBAUTHN_REQUESTED) != 0;
        if (enrolling && webAuthnLogin) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE,
                    "a login either enrols with a code or proves with a security key, not both");
        }
        if (webAuthnLogin && settings.webAuthn().isEmpty()) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE,
                    "this server does not accept security-key (WebAuthn) logins");
        }
        transcript.add(m.encode());
        username = name;
        account = servableAccount(name);
        Optional<byte[]> deviceToken = deviceTokenOf(extensions);
        keepsDeviceToken = deviceToken.isPresent() && !enrolling;
        attempt = new LoginThrottle.Attempt(name, remote, deviceToken.filter(t -> !enrolling)
                .flatMap(t -> settings.throttle().deviceTokens().verify(t, name)), guessableOnline());
        if (settings.throttle().check(attempt) != LoginThrottle.Verdict.ALLOWED) {
            // Said before any proof work: the lock is about the name, the source or the device, which the client
            // already knows.
            fail(ErrorCode.RATE_LIMITED.code(), "too many failed logins; retry in "
                    + Math.max(1, settings.throttle().retryAfter(attempt).toSeconds()) + " s");
            return;
        }
        if (enrolling) {
            // An existing name cannot be enrolled again, only get a security key added by a code issued for it;
            // the answer has the usual shape either way.
            boolean exists = account.isPresent();
            enrolmentCandidates = settings.enrolments().active(name).stream()
                    .filter(code -> exists ? code.addsSecurityKey() && code.username().filter(name::equals)
                            .isPresent() : !code.addsSecurityKey())
                    .collect(java.util.stream.Collectors.toList());
            account = Optional.empty();
        }
        List<RispCommand> challengeFields;
        try {
            challengeFields = challengeFields(name);
        } catch (RuntimeException e) {
            // The account cannot be served (an envelope larger than the field, a WebAuthn lookup that failed):
            // it gets what an unknown name gets, never an INTERNAL error that says the name exists (item 5).
            LOG.warn("event=login.account_unservable user={} error={}", name, e.toString());
            if (proofEphemeral != null) {
                proofEphemeral.close();
                proofEphemeral = null;
            }
            if (x25519Ephemeral != null) {
                x25519Ephemeral.close();
                x25519Ephemeral = null;
            }
            account = Optional.empty();
            challengeFields = challengeFields(name);
        }
        HandshakeMessage challenge = HandshakeMessage.of(HS_LOGIN_CHALLENGE, challengeFields.toArray(new RispCommand[0]));
        transcript.add(challenge.encode());
        HandshakeMessage finished = HandshakeMessage.of(HS_SERVER_FINISHED,
                RispCommand.string(VERIFY_DATA, schedule.serverFinished(transcript.hash())));
        transcript.add(finished.encode());
        transcriptThroughServerFinished = transcript.hash();
        if (webAuthnLogin) {
            webAuthnChallenge = schedule.webauthnChallenge(transcriptThroughServerFinished);
        }
        outcomeOwed = true;
        sendFramed(challenge, finished);
        state = State.AWAIT_PROOF;
    }

    /**
     * The account as the handshake can serve it; empty for an unknown name and for an account the directory cannot
     * read (a stored key that does not decode, a store error): those answer exactly as an unknown name (item 5).
     */
    private Optional<LoginAccount> servableAccount(String name) {
        try {
            return settings.accounts().find(name);
        } catch (RuntimeException e) {
            if (e instanceof org.opencluster.auth.server.store.StoreException s && s.unavailable()) {
                // A database outage fails every name alike, so saying so reveals none (and a decoy would make the
                // client count a wrong passphrase): the connection answers STORE_UNAVAILABLE (issue 15).
                throw s;
            }
            LOG.warn("event=login.account_unservable user={} error={}", name, e.toString());
            return Optional.empty();
        }
    }

    /**
     * The fields of LOGIN_CHALLENGE for {@link #account} (empty: the decoy); sets {@link #proofKind} and, for the
     * key-agreement proof, {@link #proofEphemeral}. Throws before anything is sent or recorded.
     */
    private List<RispCommand> challengeFields(String name) {
        // A security-key login needs no envelope: it gets the decoy, so the real one is not handed out for nothing.
        // Every name pays for the decoy, so a known name does not answer sooner than an unknown one (item 2).
        byte[] decoy = DecoyEnvelopes.derive(settings.decoySecret(), name);
        byte[] envelope = (webAuthnLogin ? Optional.<byte[]>empty() : account.flatMap(LoginAccount::envelope))
                .orElse(decoy);
        // First, as it is what fails for an envelope that does not fit: the fallback then repeats no key generation.
        byte[] envelopeField = EnvelopeField.pad(envelope, settings.envelopeFieldLength());
        if (version >= PROTOCOL_VERSION_3) {
            return uniformChallengeFields(name, envelopeField);
        }
        PublicKey key = account.map(LoginAccount::key).orElse(null);
        Optional<KeyExchangeGroup> group = key == null ? Optional.of(KeyExchangeGroup.P256) : PublicKeys.groupOf(key);
        boolean canAgree = key == null || group.isPresent();
        boolean canSign = key == null || !"XDH".equals(key.getAlgorithm()) && !"X25519".equals(key.getAlgorithm())
                && account.get().keySigns();
        proofKind = enrolling ? ProofKind.ENROLMENT_CODE : webAuthnLogin ? ProofKind.WEBAUTHN
                : canAgree && (!canSign || settings.ecProofKind() == ProofKind.KEY_AGREEMENT)
                ? ProofKind.KEY_AGREEMENT : ProofKind.SIGNATURE;
        KeyExchangeGroup ephemeralGroup = group.orElse(KeyExchangeGroup.P256);
        // Only the key-agreement proof uses the ephemeral; every other challenge carries a decoy share of the same
        // group and distribution, so the field looks the same (which proof is asked for is said in clear anyway).
        KeyExchange exchange = KeyExchanges.forGroup(ephemeralGroup);
        byte[] ephemeralShare;
        if (proofKind == ProofKind.KEY_AGREEMENT) {
            proofEphemeral = exchange.generate(settings.random());
            ephemeralShare = proofEphemeral.publicKey();
        } else {
            ephemeralShare = exchange.decoyPublicKey(settings.random());
        }
        List<RispCommand> fields = new ArrayList<>(List.of(
                RispCommand.string(ENVELOPE, envelopeField),
                RispCommand.integer(PROOF_KIND, proofKind.wireValue()),
                RispCommand.string(PROOF_EPHEMERAL, HandshakeOutput.keyShare(ephemeralGroup, ephemeralShare))));
        if (webAuthnLogin) {
            fields.add(RispCommand.string(WEBAUTHN_OPTIONS,
                    settings.webAuthn().orElseThrow().requestOptions(name, account)));
        }
        return fields;
    }

    /**
     * Version 3 (issue 13 item 4): one challenge for every name, known or not, whatever its key. PROOF_KIND is key
     * agreement (the client signs when its key cannot agree in P-256 or X25519), and both ephemerals
     * are fresh key pairs, P-256 and X25519, so neither the fields nor the work say what key the account has.
     */
    private List<RispCommand> uniformChallengeFields(String name, byte[] envelopeField) {
        // Key agreement for everyone: every P-256 and X25519 key can answer it, derive-only keys included, and a key
        // that cannot (Ed25519, P-384, RSA) signs instead; the server's EC preference applies to versions 1 and 2.
        proofKind = enrolling ? ProofKind.ENROLMENT_CODE : webAuthnLogin ? ProofKind.WEBAUTHN
                : ProofKind.KEY_AGREEMENT;
        proofEphemeral = KeyExchanges.forGroup(KeyExchangeGroup.P256).generate(settings.random());
        x25519Ephemeral = KeyExchanges.forGroup(KeyExchangeGroup.X25519).generate(settings.random());
        List<RispCommand> fields = new ArrayList<>(List.of(
                RispCommand.string(ENVELOPE, envelopeField),
                RispCommand.integer(PROOF_KIND, proofKind.wireValue()),
                RispCommand.string(PROOF_EPHEMERAL, HandshakeOutput.keyShare(KeyExchangeGroup.P256,
                        proofEphemeral.publicKey())),
                RispCommand.string(PROOF_EPHEMERAL_X25519, HandshakeOutput.keyShare(KeyExchangeGroup.X25519,
                        x25519Ephemeral.publicKey()))));
        if (webAuthnLogin) {
            fields.add(RispCommand.string(WEBAUTHN_OPTIONS,
                    settings.webAuthn().orElseThrow().requestOptions(name, account)));
        }
        return fields;
    }

    /** In version 3 a login asked for kind 1 or 2 may prove with either (the client's key decides). */
    private boolean proofKindAccepted(long answered) {
        if (answered == proofKind.wireValue()) {
            return true;
        }
        boolean eitherKeyProof = proofKind == ProofKind.SIGNATURE || proofKind == ProofKind.KEY_AGREEMENT;
        return version >= PROTOCOL_VERSION_3 && eitherKeyProof && (answered == ProofKind.SIGNATURE.wireValue()
                || answered == ProofKind.KEY_AGREEMENT.wireValue());
    }

    /**
     * Whether a stranger could guess this login's secret online, so the account-wide lock applies: a passphrase
     * envelope, an enrolment code, or an unknown name (which must stay indistinguishable from a passphrase
     * account: its decoy envelope looks like one). An account that needs a private key (service, card, security
     * key only) cannot be guessed; only its sources are throttled (section 5.14 says what that reveals).
     */
    private boolean guessableOnline() {
        return enrolling || account.isEmpty() || account.get().envelope().isPresent();
    }

    private void onLoginProof(HandshakeMessage m) throws HandshakeException {
        if (!proofKindAccepted(m.number(PROOF_KIND))) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "the proof is not of the kind asked for");
        }
        proofKind = ProofKind.fromWire((int) m.number(PROOF_KIND)).orElseThrow();
        checkPadding(m, HandshakePadding.LOGIN_PROOF_BYTES);
        proofScheme = (int) m.number(SIGNATURE_SCHEME);
        proofBytes = m.bytes(PROOF);
        if (proofKind != ProofKind.WEBAUTHN && proofBytes.length > HandshakeCommands.MAX_KEY_PROOF) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "PROOF of kind " + proofKind.wireValue()
                    + " is at most " + HandshakeCommands.MAX_KEY_PROOF + " bytes");
        }
        transcript.add(m.encode());
        state = State.AWAIT_CLIENT_FINISHED;
    }

    private void onClientFinished(HandshakeMessage m) throws FrameException {
        boolean finishedOk = schedule.verifyClientFinished(transcript.hash(), m.bytes(VERIFY_DATA));
        transcript.add(m.encode());
        // Every check runs for every login, known or not, so the answer's timing says as little as its bytes.
        boolean proofOk = verifyProof();
        // An enrolment login does not use its code up: ENROL_ACCOUNT does, with the account (docs/PROTOCOL.md 8.1).
        boolean accountOk = enrolling ? enrolment != null
                : account.isPresent() && account.get().refusal().isEmpty();
        if (finishedOk && proofOk && !enrolling && account.isPresent() && !accountOk) {
            // The client learns only LOGIN_FAILED, as for a wrong proof; the operator learns why.
            LOG.info("event=login.refused user={} remote={} reason=\"{}\"", username, remote,
                    account.get().refusal().orElse("-"));
        }
        if (!(finishedOk && proofOk && accountOk)) {
            refuseLogin();
            return;
        }
        sessionId = random(16);
        List<RispCommand> result = new ArrayList<>(List.of(RispCommand.integer(LOGIN_STATUS, 0),
                RispCommand.fixed(SESSION_ID, sessionId)));
        if (keepsDeviceToken) {
            result.add(RispCommand.string(DEVICE_TOKEN, settings.throttle().deviceTokens().issue(username,
                    attempt.device())));
        }
        sendFramed(HandshakeMessage.of(HS_LOGIN_RESULT, result.toArray(new RispCommand[0])));
        try (TrafficSecrets ap = schedule.applicationTraffic(transcript.hash())) {
            // The session answers each frame before it reads the next, so one decryption buffer serves them all.
            applicationChannel = new SecureChannel(ap.sealer(Role.SERVER, settings.frames()),
                    ap.opener(Role.SERVER, settings.frames()), applicationDecoder(applicationRegistry), true);
        }
        reauth = schedule.reauthSchedule(transcript.hash());
        handshakeChannel.close();
        schedule.close();
        settle(true);
        state = State.ESTABLISHED;
    }

    /** Version 3 pads LOGIN_REQUEST and LOGIN_PROOF to their size class; earlier versions know no PADDING. */
    private void checkPadding(HandshakeMessage m, int sizeClass) throws HandshakeException {
        if (version >= PROTOCOL_VERSION_3) {
            HandshakePadding.check(m, sizeClass);
        } else if (m.has(PADDING)) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "PADDING needs protocol version 3");
        }
    }

    /** Whether the client has its challenge and no LOGIN_RESULT yet: whatever goes wrong now is LOGIN_FAILED. */
    private boolean owesLoginResult() {
        return (state == State.AWAIT_PROOF || state == State.AWAIT_CLIENT_FINISHED) && applicationChannel == null;
    }

    /** The one answer to every failed login after its challenge: LOGIN_FAILED, then close. */
    private void refuseLogin() {
        try {
            sendFramed(HandshakeMessage.of(HS_LOGIN_RESULT,
                    RispCommand.integer(LOGIN_STATUS, HandshakeError.LOGIN_FAILED.code()),
                    RispCommand.fixed(SESSION_ID, new byte[16])));
        } catch (FrameException | RuntimeException e) {
            // the channel is gone: closing is all that is left
        } finally {
            enterFailed();
        }
    }

    private boolean verifyProof() {
        byte[] z = null;
        try {
            PublicKey key = account.map(LoginAccount::key).orElse(null);
            if (proofKind == ProofKind.WEBAUTHN) {
                return settings.webAuthn().orElseThrow().verify(username, account, webAuthnChallenge, proofBytes);
            }
            if (proofKind == ProofKind.ENROLMENT_CODE) {
                // PROOF = code_hash || HMAC(proof_key, T) (docs/PROTOCOL.md 5.5.3): the store keeps only a keyed
                // verifier of code_hash, so the client must present code_hash itself (encrypted, to this server).
                int codeHashLength = EnrolmentCodeKey.CODE_HASH_LENGTH;
                if (proofBytes.length <= codeHashLength) {
                    return false;
                }
                byte[] codeHash = Arrays.copyOf(proofBytes, codeHashLength);
                boolean bound = schedule.verifyEnrolmentProof(codeHash, transcriptThroughServerFinished,
                        Arrays.copyOfRange(proofBytes, codeHashLength, proofBytes.length));
                byte[] verifier = settings.enrolments().verifier(codeHash);
                // Every candidate is compared, whatever matched: an unknown or taken name costs the same time.
                for (org.opencluster.auth.server.store.EnrolmentCode code : enrolmentCandidates) {
                    if (java.security.MessageDigest.isEqual(code.verifier(), verifier) && bound && enrolment == null) {
                        enrolment = code.presentedAs(codeHash);
                    }
                }
                Arrays.fill(codeHash, (byte) 0);
                return enrolment != null;
            }
            if (proofKind == ProofKind.KEY_AGREEMENT) {
                // Version 3 offers an X25519 ephemeral beside the P-256 one: the account key's group picks.
                KeyExchange.EphemeralKeyPair mine = key != null && x25519Ephemeral != null
                        && PublicKeys.groupOf(key).filter(g -> g == KeyExchangeGroup.X25519).isPresent()
                        ? x25519Ephemeral : proofEphemeral;
                if (key == null) {
                    // Unknown user: the same agreement and HMAC work against a key nobody holds, then refuse.
                    z = mine.agree(KeyExchanges.forGroup(mine.group()).decoyPublicKey(settings.random()));
                    schedule.verifyKeyAgreementProof(z, transcriptThroughServerFinished, proofBytes);
                    return false;
                }
                z = mine.agree(PublicKeys.encode(key));
                return schedule.verifyKeyAgreementProof(z, transcriptThroughServerFinished, proofBytes);
            }
            Optional<SignatureAlgorithm> alg = SignatureAlgorithm.fromCode(proofScheme);
            if (alg.isEmpty()) {
                return false;
            }
            // Unknown user: the same verification against a key nobody holds, then refuse.
            boolean verified = alg.get().verify(key != null ? key : DecoyVerifyingKeys.forScheme(alg.get()),
                    HandshakeLabels.signatureInput(HandshakeLabels.CLIENT_PROOF_SIGNATURE_CONTEXT,
                            transcriptThroughServerFinished), proofBytes);
            // A key its certificate marks for key agreement only may not prove by signature (version 3 lets the
            // client choose the kind).
            return key != null && verified && account.get().keySigns();
        } catch (SuiteException | RuntimeException e) {
            return false;
        } finally {
            if (z != null) {
                Arrays.fill(z, (byte) 0);
            }
            if (proofEphemeral != null) {
                proofEphemeral.close();
            }
            if (x25519Ephemeral != null) {
                x25519Ephemeral.close();
            }
        }
    }

    /**
     * The connection ended (disconnect, timeout, REST DELETE or reap). If the handshake had not finished it has
     * failed, and a login that got its challenge counts as failed ({@link #enterFailed}).
     */
    public void abandon() {
        if (state != State.ESTABLISHED && state != State.FAILED) {
            enterFailed();
        }
    }

    /**
     * Every unsuccessful end of the handshake comes here, whatever ended it (a refusal, a bad frame, a wrong proof,
     * the connection closing): a login that got LOGIN_CHALLENGE counts as one failure. Otherwise envelopes could be
     * harvested for offline guessing without ever meeting the limit.
     */
    private void enterFailed() {
        state = State.FAILED;
        try {
            settle(false);
        } finally {
            wipe();
        }
    }

    /** Records the login's outcome with the throttle, once, and only for a login that got its challenge. */
    private void settle(boolean succeeded) {
        if (!outcomeOwed) {
            return;
        }
        outcomeOwed = false;
        if (succeeded) {
            settings.throttle().recordSuccess(attempt);
        } else {
            settings.throttle().recordFailure(attempt);
        }
    }

    /** True while the client sends under handshake keys (after CLIENT_CHOICE, until the handshake is over). */
    public boolean hasInboundKeys() {
        return handshakeChannel != null && state != State.FAILED && state != State.ESTABLISHED;
    }

    /**
     * Whether the client's next handshake frame would be accepted (see {@link SecureChannel#check}), decided
     * without effect on the handshake. Only while {@link #hasInboundKeys()}.
     */
    public Optional<org.opencluster.auth.protocol.frame.FrameError> checkInboundFrame(RispCommand marker,
            RispCommand length, RispCommand ciphertext) {
        if (!hasInboundKeys()) {
            throw new IllegalStateException("no handshake keys to check a frame with");
        }
        return handshakeChannel.check(marker, length, ciphertext);
    }

    /** After {@link State#ESTABLISHED}: the session's channel. */
    public SecureChannel applicationChannel() {
        return require(applicationChannel);
    }

    public String username() {
        return require(username);
    }

    /** After {@link State#ESTABLISHED}: the session's re-authentication schedule (section 5.13), owned by the caller. */
    public org.opencluster.auth.protocol.handshake.ReauthSchedule reauthSchedule() {
        return require(reauth);
    }

    /**
     * After {@link State#ESTABLISHED}: the account key a re-authentication must prove again, and the proof kind the
     * login used; empty for an enrolling session (it has no key yet) and for a security-key login (a browser
     * re-authenticates by logging in again).
     */
    public Optional<AccountProof> accountProof() {
        require(reauth);
        return enrolling || proofKind == ProofKind.WEBAUTHN ? Optional.empty()
                : Optional.of(new AccountProof(account.get().key(), proofKind));
    }

    /** After SERVER_HELLO: the protocol version both sides speak, min(client's, 3). */
    public long protocolVersion() {
        return version;
    }

    /** Whether the session must re-authenticate at the interval: every login session, not an enrolment. */
    public boolean reauthenticationDue() {
        return !enrolling;
    }

    /** The name a client asked for, if it got that far (for logs of failed logins). */
    public Optional<String> attemptedUsername() {
        return Optional.ofNullable(username);
    }

    public Caller caller() {
        if (enrolling) {
            return new Caller(username, Caller.Role.ENROLLING, Optional.of(require(enrolment)));
        }
        return new Caller(username, require(account.orElse(null)).role());
    }

    public CipherSuite suite() {
        return require(suite);
    }

    public byte[] sessionId() {
        return require(sessionId).clone();
    }

    private static <T> T require(T v) {
        if (v == null) {
            throw new IllegalStateException("the handshake has not got that far");
        }
        return v;
    }

    /**
     * Ends an unfinished handshake from outside (its deadline, a transport failure): the error under the handshake
     * keys once they exist, else in clear. Returns the bytes to send (empty when the handshake is already over).
     */
    public ByteBuffer endWith(int code, String text) {
        if (state == State.FAILED || state == State.ESTABLISHED) {
            return ByteBuffer.allocate(0);
        }
        fail(code, text);
        return takeOutput();
    }

    private void fail(int code, String text) {
        List<RispCommand> err = new ArrayList<>();
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        err.add(RispCommand.integer(CoreCommands.ERROR.id(), code));
        err.add(RispCommand.string(CoreCommands.ERROR_TEXT.id(), Arrays.copyOf(utf8, Math.min(utf8.length, 1024))));
        try {
            if (handshakeChannel != null) {
                output.framed(handshakeChannel, err);
            } else {
                output.clear(err);
            }
        } catch (FrameException | RuntimeException e) {
            // nothing more can be said
        }
        enterFailed();
    }

    private void wipe() {
        if (webAuthnChallenge != null) {
            Arrays.fill(webAuthnChallenge, (byte) 0);
        }
        shares.forEach(KeyExchange.EphemeralKeyPair::close);
        shares.clear();
        if (proofEphemeral != null) {
            proofEphemeral.close();
        }
        if (x25519Ephemeral != null) {
            x25519Ephemeral.close();
        }
        if (schedule != null) {
            schedule.close();
        }
        if (handshakeChannel != null) {
            handshakeChannel.close();
        }
    }

    private void record(HandshakeMessage m) {
        messages.add(m.encode());
    }

    private void sendClear(HandshakeMessage m) {
        messages.add(output.clear(m));
    }

    private void sendFramed(HandshakeMessage... ms) throws FrameException {
        output.framed(handshakeChannel, ms);
    }

    private byte[] random(int n) {
        byte[] b = new byte[n];
        settings.random().nextBytes(b);
        return b;
    }

    private static final int ENROLMENT_REQUESTED = ExtensionList.ENROLMENT_REQUESTED;
    private static final int WEBAUTHN_REQUESTED = ExtensionList.WEBAUTHN_REQUESTED;

    /**
     * The data of the DEVICE_TOKEN extension (empty: the client keeps tokens but has none for this server and name),
     * or empty when the extension is absent. Call after {@link #checkExtensions} has checked the layout.
     */
    private static Optional<byte[]> deviceTokenOf(byte[] ext) throws HandshakeException {
        Optional<byte[]> token = ExtensionList.find(ext, HandshakeLabels.EXTENSION_DEVICE_TOKEN);
        if (token.isPresent() && token.get().length > HandshakeCommands.MAX_DEVICE_TOKEN) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "a device token is at most "
                    + HandshakeCommands.MAX_DEVICE_TOKEN + " bytes");
        }
        return token;
    }

    /** See {@link ExtensionList#check}: ENROLMENT and WEBAUTHN (LOGIN_REQUEST only) as bit flags. */
    private static int checkExtensions(byte[] ext) throws HandshakeException {
        return ExtensionList.check(ext);
    }

    private static RispDecoder strictDecoder(CommandRegistry registry) {
        return RispDecoder.builder().registry(registry, Direction.CLIENT_TO_SERVER).build();
    }

    /**
     * Inside an established session an unregistered id is a command the dispatcher answers with UNKNOWN_COMMAND,
     * the session staying usable (section 7); registered ids keep their direction and length limits.
     */
    private static RispDecoder applicationDecoder(CommandRegistry registry) {
        return RispDecoder.builder().registry(registry, Direction.CLIENT_TO_SERVER).admitUnknown(true).build();
    }
}
