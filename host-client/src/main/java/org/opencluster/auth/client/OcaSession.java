package org.opencluster.auth.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.opencluster.auth.client.login.PassphraseCredential;
import org.opencluster.auth.protocol.command.OpaqueCommands;
import org.opencluster.auth.protocol.pake.FinalizedRegistration;
import org.opencluster.auth.token.TokenException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.opencluster.auth.client.login.ClientHandshake;
import org.opencluster.auth.client.login.DeviceTokenStore;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.client.login.ServerTrust;
import org.opencluster.auth.client.login.WebAuthnAuthenticator;
import org.opencluster.auth.client.net.RispSocket;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.command.ErrorReply;
import org.opencluster.auth.protocol.command.ReauthCommands;
import org.opencluster.auth.protocol.command.SessionCommands;
import org.opencluster.auth.protocol.command.StandardCommands;
import org.opencluster.auth.protocol.handshake.HandshakeCommandIds;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.handshake.ReauthSchedule;
import org.opencluster.auth.protocol.handshake.TrafficSecrets;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.client.login.TokenProofs;
import org.opencluster.auth.protocol.command.WebAuthnCommands;
import org.opencluster.auth.protocol.frame.FrameException;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.session.SecureChannel;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.SuitePolicy;
import org.opencluster.auth.protocol.suite.SuiteRegistry;

/**
 * A logged-in session with an OpenCluster Auth server: {@link #login} runs the handshake, {@link #exec} sends
 * commands in one encrypted frame and returns the commands of the reply frame. Not thread-safe.
 */
public final class OcaSession implements AutoCloseable, CommandChannel {
    private final RispSocket socket;
    private final SecureChannel channel;
    private final CipherSuite suite;
    private final SuitePolicy policy;
    private final byte[] sessionId;
    private final String username;
    private final LoginCredential credential;
    private final byte[] envelope;
    private final ReauthSchedule reauth;
    private final boolean autoReauthenticate;
    /** Protocol version 3: the re-authentication proof frame is padded to one size (section 5.13). */
    private final boolean padReauthProof;
    private boolean ended;
    private boolean released;
    /** Reused for every request frame (grown to the largest one); wiped on close. */
    private ByteBuffer sendBuffer = ByteBuffer.allocate(256);

    private OcaSession(RispSocket socket, ClientHandshake hs, String username, LoginCredential credential,
            Options options) {
        this.socket = socket;
        this.channel = hs.applicationChannel();
        this.suite = hs.suite();
        this.policy = hs.policy();
        this.sessionId = hs.sessionId();
        this.reauth = hs.reauthSchedule();
        this.envelope = hs.envelope();
        this.username = username;
        this.credential = credential;
        this.autoReauthenticate = options.autoReauthenticate;
        this.padReauthProof = hs.protocolVersion() >= HandshakeCommandIds.PROTOCOL_VERSION_3;
        this.channel.padFramesTo(options.framePadding);
    }

    /** SecureRandom is thread-safe; seeding one per login costs more than the login's own randomness. */
    private static final SecureRandom DEFAULT_RANDOM = new SecureRandom();

    /** Login settings; defaults: every suite this client knows, the shared SecureRandom, 10 s timeout. */
    public static final class Options {
        private Set<Integer> suites = SuiteRegistry.standard().all().stream().map(CipherSuite::id)
                .collect(Collectors.toSet());
        private CommandRegistry commands = StandardCommands.registry();
        private SecureRandom random = DEFAULT_RANDOM;
        private Duration timeout = Duration.ofSeconds(10);
        private boolean autoReauthenticate = true;
        private DeviceTokenStore deviceTokens;
        private int framePadding;

        /**
         * Pads every frame this client sends after login (docs/PROTOCOL.md section 6): {@code none} (the default)
         * or {@code block-N}, N a power of two from 16 to 4096. The server need not pad for this to work.
         *
         * @throws IllegalArgumentException any other policy
         */
        public Options framePadding(String policy) {
            this.framePadding = org.opencluster.auth.protocol.session.FramePadding.parse(policy);
            return this;
        }

        public Options suites(Set<Integer> ids) {
            this.suites = Set.copyOf(ids);
            return this;
        }

        /** The commands the client accepts in replies (include an embedding system's own). */
        public Options commands(CommandRegistry registry) {
            this.commands = Objects.requireNonNull(registry);
            return this;
        }

        /** The commands the client accepts in replies: by default {@link StandardCommands#registry()}. */
        public CommandRegistry commands() {
            return commands;
        }

        public Options random(SecureRandom random) {
            this.random = Objects.requireNonNull(random);
            return this;
        }

        public Options timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout);
            return this;
        }

        /**
         * Whether {@link #exec} answers the server's {@code REAUTH_REQUIRED} by re-authenticating (a fresh token
         * operation: the passphrase, PIN or token is asked again) and resending the commands; default on.
         */
        public Options autoReauthenticate(boolean on) {
            this.autoReauthenticate = on;
            return this;
        }

        /**
         * Keeps device tokens in {@code store} (docs/PROTOCOL.md section 5.14): a device that logged in before is
         * not locked out by strangers' failed logins. Default: none (the login asks for no token).
         */
        public Options deviceTokens(DeviceTokenStore store) {
            this.deviceTokens = Objects.requireNonNull(store);
            return this;
        }

        private ClientHandshake apply(ClientHandshake hs) {
            return deviceTokens == null ? hs : hs.withDeviceTokens(deviceTokens);
        }
    }

    /**
     * Logs in. The credential is checked first ({@link LoginCredential#checkReady}): a token or card that is not
     * present fails here with {@link TokenNotPresentException} before anything is sent, so the server counts no
     * failed login for it. A person whose login opened a credential-version-1 envelope ({@link PassphraseCredential})
     * is re-registered with OPAQUE in this session (docs/PROTOCOL.md 8.4, issue 14 item 4); if the server refuses
     * that, the login stands and the next one tries again.
     */
    public static OcaSession login(InetSocketAddress server, String username, LoginCredential credential,
            ServerTrust trust, Options options) throws IOException, LoginException {
        try {
            credential.checkReady();
        } catch (org.opencluster.auth.token.TokenException e) {
            throw new TokenNotPresentException(username, e);
        }
        OcaSession session = open(server, options.apply(new ClientHandshake(username, credential, trust,
                options.suites, SuiteRegistry.standard(), options.commands, options.random)), username, credential,
                options);
        if (credential instanceof PassphraseCredential passphrase && passphrase.openedVersion() == 1) {
            try {
                session.registerOpaque(passphrase, options.random);
            } catch (CommandRefusedException | TokenException e) {
                // The server does not take the registration (an older server, a refused upload): stay on version 1.
            }
        }
        return session;
    }

    /**
     * OPAQUE_REGISTER_BEGIN / FINISH (docs/PROTOCOL.md 8.4): replaces this person's version 1 envelope by a version 2
     * credential (a new registration record and the same key sealed under the export key); the old envelope stops working at once.
     */
    public void registerOpaque(PassphraseCredential passphrase, SecureRandom random)
            throws IOException, TokenException {
        FinalizedRegistration registration = OpaqueRegistration.register(this, username, passphrase, random);
        byte[] record = registration.record().serialize();
        try {
            byte[] sealed = passphrase.resealUnderExportKey(username, envelope, registration.exportKey());
            expect(CoreCommands.OK.id(), exec(new OpaqueCommands.RegisterFinish(record, sealed).toCommand()));
        } finally {
            java.util.Arrays.fill(record, (byte) 0);
            registration.wipe();
        }
    }

    /**
     * Opens an enrolment session with a one-time code: the only thing it can do is register the new account's
     * key ({@link org.opencluster.auth.client.enrol.Enroller}).
     */
    public static OcaSession enrol(InetSocketAddress server, String username, String code, ServerTrust trust,
            Options options) throws IOException, LoginException {
        LoginCredential none = (u, envelope) -> {
            throw new IllegalStateException("an enrolment proves the code, not a key");
        };
        return open(server, new ClientHandshake(username, none, trust, options.suites, SuiteRegistry.standard(),
                options.commands, options.random).enrolWith(
                        org.opencluster.auth.protocol.handshake.EnrolmentCodes.hash(code)), username, none, options);
    }

    /**
     * Logs in with a security key (proof kind 4): {@code authenticator} turns the server's request options and the
     * challenge this handshake derives into the assertion JSON.
     */
    public static OcaSession loginWithSecurityKey(InetSocketAddress server, String username,
            WebAuthnAuthenticator authenticator, ServerTrust trust, Options options) throws IOException, LoginException {
        LoginCredential none = (u, envelope) -> {
            throw new IllegalStateException("a security-key login proves with the key, not an envelope");
        };
        return open(server, options.apply(new ClientHandshake(username, none, trust, options.suites,
                SuiteRegistry.standard(), options.commands, options.random).withSecurityKey(authenticator)), username,
                none, options);
    }

    /**
     * WEBAUTHN_REGISTER_BEGIN: the options for navigator.credentials.create(), as JSON ({@code {"publicKey":...}}).
     * Works in a person's session (a key for their account) and in an enrolment session.
     */
    public String webAuthnRegistrationOptions() throws IOException {
        RispCommand r = expect(WebAuthnCommands.WEBAUTHN_CREATION_OPTIONS.id(),
                exec(RispCommand.none(WebAuthnCommands.WEBAUTHN_REGISTER_BEGIN.id())));
        return StandardCharsets.UTF_8.decode(r.bytes()).toString();
    }

    /** WEBAUTHN_REGISTER_FINISH with the created credential's JSON; returns normally when the key is stored. */
    public void webAuthnRegister(String credentialJson) throws IOException {
        expect(CoreCommands.OK.id(), exec(RispCommand.string(WebAuthnCommands.WEBAUTHN_REGISTER_FINISH.id(),
                credentialJson.getBytes(StandardCharsets.UTF_8))));
    }

    /** WEBAUTHN_REGISTRATION_CODE: a one-time code to add a security key to this account from a browser. */
    public String webAuthnRegistrationCode() throws IOException {
        RispCommand r = expect(org.opencluster.auth.protocol.command.EnrolCommands.ENROLMENT_CODE_IS.id(),
                exec(RispCommand.none(WebAuthnCommands.WEBAUTHN_REGISTRATION_CODE.id())));
        return StandardCharsets.US_ASCII.decode(r.bytes()).toString();
    }

    /** One of the account's security keys as WEBAUTHN_LIST_CREDENTIALS reports it. */
    public record SecurityKey(byte[] credentialId, String label) {
        public SecurityKey {
            credentialId = credentialId.clone();
        }

        @Override
        public byte[] credentialId() {
            return credentialId.clone();
        }
    }

    /** WEBAUTHN_LIST_CREDENTIALS: this account's security keys, in registration order. */
    public List<SecurityKey> webAuthnCredentials() throws IOException {
        List<RispCommand> reply = exec(RispCommand.none(WebAuthnCommands.WEBAUTHN_LIST_CREDENTIALS.id()));
        if (reply.isEmpty() || reply.get(reply.size() - 1).id() != WebAuthnCommands.WEBAUTHN_CREDENTIALS_END.id()) {
            expect(WebAuthnCommands.WEBAUTHN_CREDENTIALS_END.id(), reply);
        }
        List<SecurityKey> keys = new ArrayList<>();
        for (int i = 0; i + 1 < reply.size(); i += 2) {
            keys.add(new SecurityKey(reply.get(i).copyBytes(),
                    StandardCharsets.UTF_8.decode(reply.get(i + 1).bytes()).toString()));
        }
        return keys;
    }

    /** WEBAUTHN_REMOVE_CREDENTIAL: removes one of this account's keys ({@link CommandRefusedException} NOT_FOUND). */
    public void webAuthnRemove(byte[] credentialId) throws IOException {
        expect(CoreCommands.OK.id(), exec(RispCommand.string(WebAuthnCommands.WEBAUTHN_REMOVE_CREDENTIAL.id(),
                credentialId)));
    }

    /** The reply's first command if it is {@code id}; an ERROR as {@link CommandRefusedException}. */
    static RispCommand expect(int id, List<RispCommand> reply) throws IOException {
        if (!reply.isEmpty() && reply.get(0).id() == id) {
            return reply.get(0);
        }
        Optional<ErrorReply> refused = ErrorReply.read(reply);
        if (refused.isPresent()) {
            throw new CommandRefusedException(refused.get().code(), refused.get().text());
        }
        throw new IOException("unexpected reply " + reply);
    }

    private static OcaSession open(InetSocketAddress server, ClientHandshake hs, String username,
            LoginCredential credential, Options options)
            throws IOException, LoginException {
        RispSocket socket = RispSocket.connect(server, options.timeout);
        boolean ok = false;
        try {
            socket.writeRaw(hs.start());
            socket.flush();
            while (hs.state() != ClientHandshake.State.ESTABLISHED) {
                ClientHandshake.State s = hs.onCommand(socket.read());
                ByteBuffer out = hs.takeOutput();
                if (out.hasRemaining()) {
                    socket.writeRaw(out);
                    socket.flush();
                }
                if (s == ClientHandshake.State.FAILED) {
                    throw hs.failure();
                }
            }
            ok = true;
            return new OcaSession(socket, hs, username, credential, options);
        } catch (java.io.EOFException e) {
            throw new LoginException(-1, "the server closed the connection during login", e);
        } finally {
            if (!ok) {
                socket.close();
            }
        }
    }

    /**
     * Sends {@code commands} in one frame; returns the reply frame's commands. When the server answers
     * {@code REAUTH_REQUIRED}, re-authenticates first (see {@link Options#autoReauthenticate}) and sends again.
     *
     * @throws SessionEndedException the session is over (ended by the server, or the card was removed)
     */
    public List<RispCommand> exec(RispCommand... commands) throws IOException {
        List<RispCommand> reply = roundTrip(List.of(commands));
        if (autoReauthenticate && errorCode(reply) == ErrorCode.REAUTH_REQUIRED.code()) {
            reauthenticate();
            reply = roundTrip(List.of(commands));
        }
        return reply;
    }

    /**
     * Proves possession of the account key again (docs/PROTOCOL.md section 5.13) with a fresh token operation, and
     * moves both directions to new keys. A token that cannot be opened or was removed ends the session
     * ({@link SessionEndedException} with the token's error as the cause); any other token failure (a wrong PIN)
     * leaves the session as it was, so the caller may try again within the server's grace period.
     */
    public void reauthenticate() throws IOException {
        List<RispCommand> challenge = roundTrip(List.of(RispCommand.none(ReauthCommands.REAUTH_BEGIN.id())));
        if (errorCode(challenge) >= 0) {
            throw new IOException("the server refused re-authentication: " + errorText(challenge));
        }
        byte[] nonce = value(challenge, ReauthCommands.REAUTH_NONCE.id()).copyBytes();
        int kindValue = (int) value(challenge, ReauthCommands.REAUTH_PROOF_KIND.id()).number();
        byte[] share = value(challenge, ReauthCommands.REAUTH_EPHEMERAL.id()).copyBytes();
        ProofKind kind = ProofKind.fromWire(kindValue).filter(k -> k == ProofKind.SIGNATURE
                || k == ProofKind.KEY_AGREEMENT).orElseThrow(() -> new IOException("the server asked for proof kind "
                        + kindValue + ", which a re-authentication does not use"));
        byte[] context = reauth.context(kind, nonce, share);
        byte[] z = null;
        try {
            TokenProofs.Proof proof;
            try (Token token = credential.unlock(username, envelope)) {
                if (kind == ProofKind.KEY_AGREEMENT) {
                    z = TokenProofs.agree(token, share);
                    proof = new TokenProofs.Proof(0, reauth.keyAgreementProof(z, context));
                } else {
                    proof = TokenProofs.sign(token, ReauthSchedule.signatureInput(context));
                }
            } catch (TokenException e) {
                if (e.error() == TokenError.TOKEN_REMOVED || e.error() == TokenError.TOKEN_ABSENT) {
                    end();
                    throw new SessionEndedException("the card or token of '" + username + "' is gone ("
                            + e.getMessage() + "): the session ended at re-authentication; log in again", -1, e);
                }
                throw new IOException("re-authentication failed: " + e.getMessage(), e);
            } catch (HandshakeException e) {
                end();
                throw new SessionEndedException("re-authentication impossible: " + e.getMessage(), -1, e);
            }
            List<RispCommand> done = roundTrip(ReauthCommands.proofFrame(proof.scheme(), proof.value(),
                    padReauthProof));
            int code = errorCode(done);
            if (code >= 0 || done.isEmpty() || done.get(0).id() != ReauthCommands.REAUTH_DONE.id()) {
                end();
                throw new SessionEndedException("the server refused the re-authentication and ended the session: "
                        + errorText(done), code, null);
            }
            try (TrafficSecrets fresh = reauth.advance(z, context)) {
                channel.rekey(fresh.clientToServer(), fresh.serverToClient());
            } catch (FrameException e) {
                throw new IOException("the session's frames failed (" + e.error() + "): " + e.getMessage(), e);
            }
        } finally {
            Arrays.fill(context, (byte) 0);
            if (z != null) {
                Arrays.fill(z, (byte) 0);
            }
        }
    }

    private List<RispCommand> roundTrip(List<RispCommand> commands) throws IOException {
        if (ended) {
            throw new SessionEndedException("this session has ended; log in again", -1, null);
        }
        try {
            if (socket.hasPendingInput()) {
                // Unasked: the server ended the session (section 7.1), with SESSION_CLOSING or, when an admin, a
                // policy or the account's rotation ended it, with ERROR and ERROR_TEXT; a close frame follows.
                endedByServer(readFrame());
            }
            sendBuffer.clear();
            sendBuffer = channel.send(commands, sendBuffer);
            socket.writeRaw(sendBuffer.flip());
            socket.flush();
            List<RispCommand> reply = readFrame();
            closingNotice(reply);
            return reply;
        } catch (java.io.EOFException e) {
            ended = true;
            throw new SessionEndedException("the server ended the session", -1, e);
        } catch (FrameException e) {
            ended = true;
            throw new IOException("the session's frames failed (" + e.error() + "): " + e.getMessage(), e);
        }
    }

    /** One data frame from the server; a close frame ends the session. */
    private List<RispCommand> readFrame() throws IOException, FrameException {
        List<RispCommand> frame = new ArrayList<>();
        for (int seen = 0; seen < 3; seen++) {
            RispCommand outer = socket.read();
            if (!SecureChannel.isFrameCommand(outer.id())) {
                throw new IOException("the server sent a clear command in an encrypted session");
            }
            if (channel.receive(outer, frame::add)) {
                ended = true;
                throw new SessionEndedException("the server closed the session", -1, null);
            }
        }
        return frame;
    }

    /**
     * A frame holding SESSION_CLOSING is the server's last (a close frame follows): the session is over, for the
     * reason given (e.g. {@code SHUTTING_DOWN}, "server shutting down"); whatever was sent was not answered.
     */
    private void closingNotice(List<RispCommand> frame) throws SessionEndedException {
        for (RispCommand c : frame) {
            if (c.id() == SessionCommands.SESSION_CLOSING.id()) {
                ended = true;
                String why = frame.stream().filter(t -> t.id() == SessionCommands.SESSION_CLOSING_TEXT.id())
                        .map(t -> java.nio.charset.StandardCharsets.UTF_8.decode(t.bytes()).toString())
                        .findFirst().orElse("no reason given");
                throw new SessionEndedException("the server closed the session: " + why, (int) c.number(), null);
            }
        }
    }

    /** An unasked frame: the server's reason for ending the session, which the caller gets with its code. */
    private void endedByServer(List<RispCommand> frame) throws IOException {
        closingNotice(frame);
        ended = true;
        int code = errorCode(frame);
        throw code >= 0 ? new SessionEndedException("the server ended the session: " + errorText(frame), code, null)
                : new IOException("the server sent a frame nobody asked for");
    }

    private static int errorCode(List<RispCommand> reply) {
        return ErrorReply.read(reply).map(ErrorReply::code).orElse(-1);
    }

    private static String errorText(List<RispCommand> reply) {
        return ErrorReply.read(reply).map(ErrorReply::text).filter(t -> !t.isEmpty()).orElse("no explanation");
    }

    private static RispCommand value(List<RispCommand> reply, int id) throws IOException {
        for (RispCommand c : reply) {
            if (c.id() == id) {
                return c;
            }
        }
        throw new IOException("the re-authentication challenge lacks " + org.opencluster.auth.protocol.risp.CommandIds.hex(id));
    }

    /**
     * Ends the session from this side (the authenticated close frame, unless the session already ended) and
     * releases the socket and every key; idempotent.
     */
    private void end() {
        if (!ended) {
            ended = true;
            try {
                socket.writeRaw(channel.sendClose(ByteBuffer.allocate(64)).flip());
                socket.flush();
            } catch (FrameException | IOException | RuntimeException e) {
                // ending anyway
            }
        }
        if (!released) {
            released = true;
            channel.close();
            reauth.close();
            java.util.Arrays.fill(sendBuffer.array(), (byte) 0);
            try {
                socket.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }

    public CipherSuite suite() {
        return suite;
    }

    /** The server's suite policy as it was offered (version and order). */
    public SuitePolicy offeredPolicy() {
        return policy;
    }

    public byte[] sessionId() {
        return sessionId.clone();
    }

    /** True once the session has ended (closed, ended by the server, or the token was removed). */
    public boolean ended() {
        return ended;
    }

    /** Sends the authenticated close frame and closes the socket. */
    @Override
    public void close() {
        end();
    }

}
