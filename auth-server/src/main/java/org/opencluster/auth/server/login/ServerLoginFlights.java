package org.opencluster.auth.server.login;

import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.opencluster.auth.protocol.frame.FrameException;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.HandshakeExtensions;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.handshake.HandshakeOutput;
import org.opencluster.auth.protocol.handshake.HandshakePadding;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.handshake.Role;
import org.opencluster.auth.protocol.handshake.TrafficSecrets;
import org.opencluster.auth.protocol.names.AccountNames;
import org.opencluster.auth.protocol.pake.CredentialRequest;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.Direction;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.session.SecureChannel;
import org.opencluster.auth.server.log.LogValues;
import org.opencluster.auth.server.store.StoreException;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.login.ServerStates.AwaitFinished;
import org.opencluster.auth.server.login.ServerStates.AwaitLoginRequest;
import org.opencluster.auth.server.login.ServerStates.AwaitProof;
import org.opencluster.auth.server.login.ServerStates.ChallengedLogin;
import org.opencluster.auth.server.login.ServerStates.Established;
import org.opencluster.auth.server.login.ServerStates.HandshakeKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The login flights under the handshake keys (docs/PROTOCOL.md 5.4-5.6): LOGIN_REQUEST answered with
 * LOGIN_CHALLENGE and SERVER_FINISHED, LOGIN_PROOF taken, CLIENT_FINISHED checked with the proof. What differs
 * per proof kind is asked of {@link ProofVerifiers}; nothing here looks at the kind.
 */
final class ServerLoginFlights {
    private static final Logger LOG = LoggerFactory.getLogger(ServerLoginFlights.class);

    /** What a LOGIN_REQUEST leads to: a challenge to send (after entering {@code next}), or a throttled login. */
    sealed interface RequestOutcome permits Challenge, Throttled {
    }

    record Challenge(AwaitProof next, HandshakeMessage challenge, HandshakeMessage finished)
            implements RequestOutcome {
    }

    /** Refused before any proof work: the lock is about the name, the source or the device, which the client knows. */
    record Throttled(String username, String text) implements RequestOutcome {
    }

    private final HandshakeSettings settings;
    private final String remote;
    private final CommandRegistry applicationRegistry;
    private final ProofVerifiers verifiers;

    ServerLoginFlights(HandshakeSettings settings, String remote, CommandRegistry applicationRegistry,
            ProofVerifiers verifiers) {
        this.settings = settings;
        this.remote = remote;
        this.applicationRegistry = applicationRegistry;
        this.verifiers = verifiers;
    }

    RequestOutcome onLoginRequest(AwaitLoginRequest s, HandshakeMessage m) throws HandshakeException {
        ServerKeyFlights.checkPadding(s.version(), m, HandshakePadding.LOGIN_REQUEST_BYTES);
        String name = username(m);
        byte[] extensions = m.bytes(EXTENSIONS);
        int requested = HandshakeExtensions.check(extensions);
        boolean enrolling = (requested & HandshakeExtensions.ENROLMENT_REQUESTED) != 0;
        boolean webAuthn = (requested & HandshakeExtensions.WEBAUTHN_REQUESTED) != 0;
        if (enrolling && webAuthn) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE,
                    "a login either enrols with a code or proves with a security key, not both");
        }
        if (webAuthn && verifiers.forKind(ProofKind.WEBAUTHN).isEmpty()) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE,
                    "this server does not accept security-key (WebAuthn) logins");
        }
        Optional<CredentialRequest> oprfRequest = HandshakeExtensions.oprfRequest(extensions);
        if (oprfRequest.isEmpty() && settings.oprf().requireOprf()) {
            // About the client, not the name: every login without the step is refused alike (login.require-oprf).
            throw new HandshakeException(HandshakeError.UNSUPPORTED_VERSION,
                    "this server requires the OPRF step (LOGIN_REQUEST extension 0x0001); update the client");
        }
        HandshakeKeys keys = s.handshakeKeys();
        keys.transcript().add(m.encode());
        LoginSubject subject = new LoginSubject(name, servableAccount(name).filter(settings.oprf()::serves),
                enrolling, webAuthn, s.version(), oprfRequest);
        Optional<byte[]> deviceToken = HandshakeExtensions.deviceToken(extensions).filter(t -> !enrolling);
        LoginThrottle.Attempt attempt = new LoginThrottle.Attempt(name, remote,
                deviceToken.flatMap(t -> settings.throttle().deviceTokens().verify(t, name)),
                verifiers.asked(subject).guessableOnline(subject));
        if (settings.throttle().check(attempt) != LoginThrottle.Verdict.ALLOWED) {
            return new Throttled(name, "too many failed logins; retry in "
                    + Math.max(1, settings.throttle().retryAfter(attempt).toSeconds()) + " s");
        }
        ProofVerifiers.Issued issued = verifiers.issue(subject);
        HandshakeMessage challenge = HandshakeMessage.of(HS_LOGIN_CHALLENGE,
                issued.challenge().fields().toArray(new RispCommand[0]));
        keys.transcript().add(challenge.encode());
        HandshakeMessage finished = HandshakeMessage.of(HS_SERVER_FINISHED,
                RispCommand.string(VERIFY_DATA, keys.schedule().serverFinished(keys.transcript().hash())));
        keys.transcript().add(finished.encode());
        return new Challenge(new AwaitProof(new ChallengedLogin(s.version(), keys, issued, keys.transcript().hash(),
                attempt, deviceToken.isPresent())), challenge, finished);
    }

    /** USERNAME: an account name by the one rule of {@link AccountNames} (a name ends up in log lines). */
    static String username(HandshakeMessage m) throws HandshakeException {
        try {
            return AccountNames.decode(ByteBuffer.wrap(m.bytes(USERNAME)));
        } catch (IllegalArgumentException e) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "USERNAME: " + e.getMessage());
        }
    }

    /**
     * The account as the handshake can serve it; empty for an unknown name and for an account the directory cannot
     * read (a stored key that does not decode, a store error): those answer exactly as an unknown name (item 5).
     */
    private Optional<LoginAccount> servableAccount(String name) {
        try {
            return settings.accounts().find(name);
        } catch (RuntimeException e) {
            if (e instanceof StoreException s && s.unavailable()) {
                // A database outage fails every name alike, so saying so reveals none (and a decoy would make the
                // client count a wrong passphrase): the connection answers STORE_UNAVAILABLE (issue 15).
                throw s;
            }
            LOG.warn("event=login.account_unservable user={} error={}", LogValues.quote(name), e.toString());
            return Optional.empty();
        }
    }

    AwaitFinished onLoginProof(AwaitProof s, HandshakeMessage m) throws HandshakeException {
        ChallengedLogin login = s.login();
        long wire = m.number(PROOF_KIND);
        Optional<ProofKind> answered = wire == (int) wire ? ProofKind.fromWire((int) wire) : Optional.empty();
        if (answered.isEmpty() || !login.issued().verifier().accepts(answered.get(), login.version())) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "the proof is not of the kind asked for");
        }
        ServerKeyFlights.checkPadding(login.version(), m, HandshakePadding.LOGIN_PROOF_BYTES);
        ProofAnswer answer = new ProofAnswer(answered.get(), (int) m.number(SIGNATURE_SCHEME), m.bytes(PROOF));
        int max = verifiers.forKind(answered.get()).orElseThrow().maxProofLength();
        if (answer.proof().length > max) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "PROOF of kind "
                    + answered.get().wireValue() + " is at most " + max + " bytes");
        }
        login.keys().transcript().add(m.encode());
        return new AwaitFinished(login, answer);
    }

    /**
     * CLIENT_FINISHED and the proof, checked together (every check runs for every login, known or not, so the
     * answer's timing says as little as its bytes). Empty: the login is refused. Else LOGIN_RESULT is in the output.
     */
    Optional<Established> onClientFinished(AwaitFinished s, HandshakeMessage m, HandshakeOutput output)
            throws FrameException {
        ChallengedLogin login = s.login();
        HandshakeKeys keys = login.keys();
        boolean finishedOk = keys.schedule().verifyClientFinished(keys.transcript().hash(), m.bytes(VERIFY_DATA));
        keys.transcript().add(m.encode());
        LoginSubject subject = login.issued().subject();
        Optional<LoginGrant> grant = verifiers.forKind(s.answer().kind()).orElseThrow().verify(new ProofCheck(
                subject, login.issued().challenge(), s.answer(), keys.schedule(),
                login.transcriptThroughServerFinished(), finishedOk));
        if (grant.isEmpty()) {
            return Optional.empty();
        }
        byte[] sessionId = new byte[16];
        settings.random().nextBytes(sessionId);
        List<RispCommand> result = new ArrayList<>(List.of(RispCommand.integer(LOGIN_STATUS, 0),
                RispCommand.fixed(SESSION_ID, sessionId)));
        if (login.keepsDeviceToken()) {
            result.add(RispCommand.string(DEVICE_TOKEN, settings.throttle().deviceTokens().issue(subject.username(),
                    login.attempt().device())));
        }
        output.framed(keys.channel(), HandshakeMessage.of(HS_LOGIN_RESULT, result.toArray(new RispCommand[0])));
        SecureChannel application;
        try (TrafficSecrets ap = keys.schedule().applicationTraffic(keys.transcript().hash())) {
            // The session answers each frame before it reads the next, so one decryption buffer serves them all.
            // Inside a session an unregistered id is a command the dispatcher answers with UNKNOWN_COMMAND (section
            // 7); registered ids keep their direction and length limits.
            application = new SecureChannel(ap.sealer(Role.SERVER, settings.frames()),
                    ap.opener(Role.SERVER, settings.frames()), RispDecoder.builder()
                    .registry(applicationRegistry, Direction.CLIENT_TO_SERVER).admitUnknown(true).build(), true);
        }
        return Optional.of(new Established(login.version(), subject.username(), keys.suite(), grant.get(),
                application, keys.schedule().reauthSchedule(keys.transcript().hash()), sessionId));
    }
}
