package org.opencluster.auth.client.login;

import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.*;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.opencluster.auth.client.login.ClientStates.AwaitChallenge;
import org.opencluster.auth.client.login.ClientStates.AwaitResult;
import org.opencluster.auth.client.login.ClientStates.AwaitServerFinished;
import org.opencluster.auth.client.login.ClientStates.Established;
import org.opencluster.auth.client.login.ClientStates.HandshakeKeys;
import org.opencluster.auth.client.login.ClientStates.Negotiated;
import org.opencluster.auth.protocol.frame.FrameException;
import org.opencluster.auth.protocol.handshake.EnvelopeField;
import org.opencluster.auth.protocol.handshake.HandshakeCommands;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.HandshakeExtensions;
import org.opencluster.auth.protocol.handshake.HandshakeLabels;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.handshake.HandshakeOutput;
import org.opencluster.auth.protocol.handshake.HandshakePadding;
import org.opencluster.auth.protocol.handshake.KeyFingerprint;
import org.opencluster.auth.protocol.handshake.KeySchedule;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.handshake.Role;
import org.opencluster.auth.protocol.handshake.TrafficSecrets;
import org.opencluster.auth.protocol.handshake.Transcript;
import org.opencluster.auth.protocol.pake.CredentialRequest;
import org.opencluster.auth.protocol.pake.CredentialResponse;
import org.opencluster.auth.protocol.pake.PakeException;
import org.opencluster.auth.protocol.pake.PendingRequest;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.Direction;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.session.SecureChannel;
import org.opencluster.auth.protocol.suite.KeyExchange;
import org.opencluster.auth.protocol.suite.KeyExchanges;
import org.opencluster.auth.protocol.suite.SuiteException;
import org.opencluster.auth.token.TokenException;

/**
 * The client's flights from CLIENT_CHOICE on (docs/PROTOCOL.md 5.3.5-5.6): the key exchange and LOGIN_REQUEST, the
 * proof and CLIENT_FINISHED, and LOGIN_RESULT. What differs per proof kind is asked of {@link ProofProvers}.
 * The three settings are chosen before the handshake starts and not changed after.
 */
final class ClientLoginFlights {
    private final String username;
    private final SecureRandom random;
    /** This login's prover: the account key (default), an enrolment code or a security key. */
    ProofProvers provers;
    /** Where device tokens are kept, if the client keeps them (section 5.14). */
    DeviceTokenStore deviceTokens;
    /** The version this client sends in CLIENT_HELLO and requires back in SERVER_HELLO. */
    int version = PROTOCOL_VERSION_3;
    /** Whether LOGIN_REQUEST carries the OPRF extension (section 5.5.6); off only for clients before the step. */
    boolean oprfStep = true;

    ClientLoginFlights(String username, ProofProvers provers, SecureRandom random) {
        this.username = username;
        this.provers = provers;
        this.random = random;
    }

    /** CLIENT_CHOICE in clear, the handshake keys, then LOGIN_REQUEST under them. */
    AwaitChallenge request(Negotiated session, List<byte[]> messages, HandshakeOutput output)
            throws HandshakeException, FrameException, TokenException {
        byte[] share = session.serverHello().bytes(KEY_SHARE);
        List<byte[]> transcribed = new ArrayList<>(messages);
        byte[] shared;
        // The server's share came first: this side answers it (for a KEM group, by encapsulating to it).
        try (KeyExchange.Response mine = KeyExchanges.forGroup(session.suite().group()).respond(
                Arrays.copyOfRange(share, 2, share.length), random)) {
            shared = mine.sharedSecret().clone();
            transcribed.add(output.clear(HandshakeMessage.of(HS_CLIENT_CHOICE,
                    RispCommand.integer(CHOSEN_SUITE, session.suite().id()),
                    RispCommand.integer(POLICY_VERSION, session.policy().version()),
                    RispCommand.string(KEY_SHARE, HandshakeOutput.keyShare(session.suite().group(), mine.share())),
                    RispCommand.string(EXTENSIONS, new byte[0]))));
        } catch (SuiteException e) {
            throw new HandshakeException(HandshakeError.INVALID_KEY_SHARE, e.getMessage());
        }
        Transcript transcript = new Transcript(session.suite().hash());
        transcribed.forEach(transcript::add);
        KeySchedule schedule = new KeySchedule(session.suite());
        schedule.mixKeyExchange(shared);
        Arrays.fill(shared, (byte) 0);
        SecureChannel channel;
        try (TrafficSecrets hs = schedule.handshakeTraffic(transcript.hash())) {
            channel = new SecureChannel(hs.sealer(Role.CLIENT, session.frames()), hs.opener(Role.CLIENT,
                    session.frames()), RispDecoder.builder().registry(HandshakeCommands.registry(),
                    Direction.SERVER_TO_CLIENT).build());
        }
        boolean deviceTokenAsked = deviceTokens != null && provers.usesDeviceTokens();
        // Without the step nothing is blinded: a client before it computed no element either.
        Optional<PendingRequest<CredentialRequest>> oprf = oprfStep ? Optional.of(provers.oprfRequest(random))
                : Optional.empty();
        HandshakeMessage request = padded(HS_LOGIN_REQUEST, HandshakePadding.LOGIN_REQUEST_BYTES,
                RispCommand.string(USERNAME, username.getBytes(StandardCharsets.UTF_8)),
                RispCommand.string(EXTENSIONS, requestExtensions(session, deviceTokenAsked, oprf)));
        transcript.add(request.encode());
        AwaitChallenge next = new AwaitChallenge(session, new HandshakeKeys(schedule, transcript, channel),
                deviceTokenAsked, oprf);
        output.framed(channel, request);
        return next;
    }

    /** LOGIN_REQUEST extensions, in increasing type order: OPRF, ENROLMENT or WEBAUTHN, then DEVICE_TOKEN. */
    private byte[] requestExtensions(Negotiated session, boolean deviceTokenAsked,
            Optional<PendingRequest<CredentialRequest>> oprf) {
        HandshakeExtensions.Writer ext = HandshakeExtensions.writer();
        oprf.ifPresent(o -> ext.add(HandshakeLabels.EXTENSION_OPRF, o.request().serialize()));
        provers.requestExtension().ifPresent(type -> ext.add(type, new byte[0]));
        if (deviceTokenAsked) {
            byte[] token;
            try {
                token = deviceTokens.find(serverKeyFingerprint(session), username)
                        .filter(t -> t.length <= HandshakeCommands.MAX_DEVICE_TOKEN).orElse(new byte[0]);
            } catch (RuntimeException e) {
                token = new byte[0]; // an unreadable store: log in as a device that has no token yet
            }
            ext.add(HandshakeLabels.EXTENSION_DEVICE_TOKEN, token);
        }
        return ext.toBytes();
    }

    private static String serverKeyFingerprint(Negotiated session) {
        return KeyFingerprint.of(session.serverChain().get(0).getPublicKey().getEncoded());
    }

    /** SERVER_FINISHED checked, then LOGIN_PROOF by this login's prover and CLIENT_FINISHED. */
    AwaitResult prove(AwaitServerFinished s, HandshakeMessage finished, HandshakeOutput output)
            throws HandshakeException, FrameException, TokenException, LoginException {
        HandshakeKeys keys = s.keys().orElseThrow();
        if (!keys.schedule().verifyServerFinished(keys.transcript().hash(), finished.bytes(VERIFY_DATA))) {
            throw new HandshakeException(HandshakeError.BAD_FINISHED, "SERVER_FINISHED does not verify");
        }
        keys.transcript().add(finished.encode());
        ProofKind asked = ProofKind.fromWire((int) s.challenge().number(PROOF_KIND)).orElseThrow(
                () -> new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "unknown PROOF_KIND"));
        byte[] envelope = EnvelopeField.unpad(s.challenge().bytes(ENVELOPE));
        ProofProver.Proof proof = provers.prove(new ProofProver.Request(asked, s.challenge(), envelope,
                keys.schedule(), keys.transcript().hash(), username, oprfAnswer(s)));
        HandshakeMessage lp = padded(HS_LOGIN_PROOF, HandshakePadding.LOGIN_PROOF_BYTES,
                RispCommand.integer(PROOF_KIND, proof.kind().wireValue()),
                RispCommand.integer(SIGNATURE_SCHEME, proof.scheme()), RispCommand.string(PROOF, proof.value()));
        keys.transcript().add(lp.encode());
        HandshakeMessage cf = HandshakeMessage.of(HS_CLIENT_FINISHED,
                RispCommand.string(VERIFY_DATA, keys.schedule().clientFinished(keys.transcript().hash())));
        keys.transcript().add(cf.encode());
        output.framed(keys.channel(), lp, cf);
        return new AwaitResult(s.request(), proof.envelope());
    }

    /** The OPRF step's answer: the server's OPRF_CREDENTIAL_RESPONSE (absent from servers before the step). */
    private static OprfAnswer oprfAnswer(AwaitServerFinished s) throws HandshakeException {
        if (!s.challenge().has(OPRF_CREDENTIAL_RESPONSE)) {
            return new OprfAnswer(s.request().oprfRequest(), Optional.empty());
        }
        if (s.request().oprfRequest().isEmpty()) {
            throw new HandshakeException(HandshakeError.UNEXPECTED_MESSAGE,
                    "OPRF_CREDENTIAL_RESPONSE answers no credential request");
        }
        try {
            return new OprfAnswer(s.request().oprfRequest(), Optional.of(
                    CredentialResponse.deserialize(s.challenge().bytes(OPRF_CREDENTIAL_RESPONSE))));
        } catch (PakeException e) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "OPRF_CREDENTIAL_RESPONSE: "
                    + e.getMessage());
        }
    }

    /** Version 3 pads LOGIN_REQUEST and LOGIN_PROOF to their size class, so their frames say nothing by size. */
    private HandshakeMessage padded(int marker, int sizeClass, RispCommand... fields) {
        return version >= PROTOCOL_VERSION_3
                ? HandshakePadding.pad(marker, sizeClass, fields) : HandshakeMessage.of(marker, fields);
    }

    /** LOGIN_RESULT: a refusal, or the session's keys, and the device token if this login asked for one. */
    Established established(AwaitResult s, HandshakeMessage m, CommandRegistry applicationRegistry)
            throws HandshakeException, LoginException {
        int status = (int) m.number(LOGIN_STATUS);
        if (status != 0) {
            throw new LoginException(status, status == HandshakeError.LOGIN_FAILED.code()
                    ? "login failed: wrong passphrase or key, unknown or disabled account (the server does not say"
                    + " which)" : String.format("login refused (code 0x%04x)", status));
        }
        if (m.has(DEVICE_TOKEN) && !s.request().deviceTokenAsked()) {
            // Section 5.14: a token answers the extension only. One the request did not ask for (an enrolment, a
            // client without a store) is a server breaking the protocol: fail closed, keep nothing.
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE,
                    "the server sent a DEVICE_TOKEN this login did not ask for");
        }
        Negotiated session = s.request().session();
        byte[] sessionId = m.bytes(SESSION_ID);
        Optional<RuntimeException> notSaved = Optional.empty();
        if (m.has(DEVICE_TOKEN)) {
            // The login stands even if the token cannot be kept: the next login asks for a new one.
            try {
                deviceTokens.save(serverKeyFingerprint(session), username, m.bytes(DEVICE_TOKEN));
            } catch (RuntimeException e) {
                notSaved = Optional.of(e);
            }
        }
        HandshakeKeys keys = s.keys().orElseThrow();
        SecureChannel application;
        try (TrafficSecrets ap = keys.schedule().applicationTraffic(keys.transcript().hash())) {
            application = new SecureChannel(ap.sealer(Role.CLIENT, session.frames()), ap.opener(Role.CLIENT,
                    session.frames()), RispDecoder.builder().registry(applicationRegistry,
                    Direction.SERVER_TO_CLIENT).build());
        }
        return new Established(session, application, keys.schedule().reauthSchedule(keys.transcript().hash()),
                sessionId, s.openedEnvelope(), notSaved);
    }
}
