package org.opencluster.auth.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.opencluster.auth.client.login.ClientHandshake;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.client.login.ServerTrust;
import org.opencluster.auth.client.login.WebAuthnAuthenticator;
import org.opencluster.auth.client.net.RispSocket;
import org.opencluster.auth.protocol.command.AdminCommands;
import org.opencluster.auth.protocol.command.CoreCommands;
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
public final class OcaSession implements AutoCloseable {
    private final RispSocket socket;
    private final SecureChannel channel;
    private final CipherSuite suite;
    private final SuitePolicy policy;
    private final byte[] sessionId;

    private OcaSession(RispSocket socket, ClientHandshake hs) {
        this.socket = socket;
        this.channel = hs.applicationChannel();
        this.suite = hs.suite();
        this.policy = hs.policy();
        this.sessionId = hs.sessionId();
    }

    /** The built-in, admin and enrolment commands: immutable, so one instance serves every session. */
    private static final CommandRegistry DEFAULT_COMMANDS = CommandRegistry.builder().include(CoreCommands.registry())
            .include(AdminCommands.registry()).include(org.opencluster.auth.protocol.command.EnrolCommands.registry())
            .include(WebAuthnCommands.registry())
            .build();
    /** SecureRandom is thread-safe; seeding one per login costs more than the login's own randomness. */
    private static final SecureRandom DEFAULT_RANDOM = new SecureRandom();

    /** Login settings; defaults: every suite this client knows, the shared SecureRandom, 10 s timeout. */
    public static final class Options {
        private Set<Integer> suites = SuiteRegistry.standard().all().stream().map(CipherSuite::id)
                .collect(Collectors.toSet());
        private CommandRegistry commands = DEFAULT_COMMANDS;
        private SecureRandom random = DEFAULT_RANDOM;
        private Duration timeout = Duration.ofSeconds(10);

        public Options suites(Set<Integer> ids) {
            this.suites = Set.copyOf(ids);
            return this;
        }

        /** The commands the client accepts in replies (include an embedding system's own). */
        public Options commands(CommandRegistry registry) {
            this.commands = Objects.requireNonNull(registry);
            return this;
        }

        public Options random(SecureRandom random) {
            this.random = Objects.requireNonNull(random);
            return this;
        }

        public Options timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout);
            return this;
        }
    }

    public static OcaSession login(InetSocketAddress server, String username, LoginCredential credential,
            ServerTrust trust, Options options) throws IOException, LoginException {
        return open(server, new ClientHandshake(username, credential, trust, options.suites, SuiteRegistry.standard(),
                options.commands, options.random), options);
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
                        org.opencluster.auth.protocol.handshake.EnrolmentCodes.hash(code)), options);
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
        return open(server, new ClientHandshake(username, none, trust, options.suites, SuiteRegistry.standard(),
                options.commands, options.random).withSecurityKey(authenticator), options);
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

    private static RispCommand expect(int id, List<RispCommand> reply) throws IOException {
        if (!reply.isEmpty() && reply.get(0).id() == id) {
            return reply.get(0);
        }
        if (reply.size() > 1 && reply.get(0).id() == CoreCommands.ERROR.id()) {
            throw new CommandRefusedException((int) reply.get(0).number(),
                    StandardCharsets.UTF_8.decode(reply.get(1).bytes()).toString());
        }
        throw new IOException("unexpected reply " + reply);
    }

    private static OcaSession open(InetSocketAddress server, ClientHandshake hs, Options options)
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
            return new OcaSession(socket, hs);
        } catch (java.io.EOFException e) {
            throw new LoginException(-1, "the server closed the connection during login", e);
        } finally {
            if (!ok) {
                socket.close();
            }
        }
    }

    /** Sends {@code commands} in one frame; returns the reply frame's commands. */
    public List<RispCommand> exec(RispCommand... commands) throws IOException {
        try {
            socket.writeRaw(channel.send(List.of(commands), ByteBuffer.allocate(256)).flip());
            socket.flush();
            List<RispCommand> reply = new ArrayList<>();
            int seen = 0;
            while (seen < 3) {
                RispCommand outer = socket.read();
                if (!SecureChannel.isFrameCommand(outer.id())) {
                    throw new IOException("the server sent a clear command in an encrypted session");
                }
                if (channel.receive(outer, reply::add)) {
                    throw new java.io.EOFException("the server closed the session");
                }
                seen++;
            }
            return reply;
        } catch (FrameException e) {
            throw new IOException("the session's frames failed (" + e.error() + "): " + e.getMessage(), e);
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

    /** Sends the authenticated close frame and closes the socket. */
    @Override
    public void close() throws IOException {
        try {
            socket.writeRaw(channel.sendClose(ByteBuffer.allocate(64)).flip());
            socket.flush();
        } catch (FrameException | IOException e) {
            // closing anyway
        } finally {
            channel.close();
            socket.close();
        }
    }

}
