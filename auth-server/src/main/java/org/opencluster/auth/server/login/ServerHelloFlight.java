package org.opencluster.auth.server.login;

import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.*;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.command.ErrorReply;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.HandshakeExtensions;
import org.opencluster.auth.protocol.handshake.HandshakeLabels;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.handshake.HandshakeOutput;
import org.opencluster.auth.protocol.handshake.SignatureAlgorithm;
import org.opencluster.auth.protocol.handshake.Transcript;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.HashAlgorithm;
import org.opencluster.auth.protocol.suite.KeyExchange;
import org.opencluster.auth.protocol.suite.KeyExchanges;
import org.opencluster.auth.protocol.suite.SuitePolicy;
import org.opencluster.auth.server.login.ServerStates.AwaitChoice;
import org.opencluster.auth.server.login.ServerStates.AwaitHello;
import org.opencluster.auth.server.login.ServerStates.Failed;
import org.opencluster.auth.server.login.ServerStates.ServerState;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.TokenException;

/**
 * The server's first flight (docs/PROTOCOL.md 5.3): a CLIENT_HELLO checked, then SERVER_HELLO with one key share,
 * SERVER_CERTIFICATE and SERVER_CERTIFICATE_VERIFY, the signature over the hello hash.
 */
final class ServerHelloFlight {
    /** What the cookie round of section 5.3.11 makes of a hello: answer it in full, ask again, or refuse it. */
    sealed interface Admission permits Answer, Retry, Refuse {
    }

    record Answer() implements Admission {
    }

    record Retry(HandshakeMessage helloRetry) implements Admission {
    }

    record Refuse(String reason) implements Admission {
    }

    /**
     * What a CLIENT_HELLO led to: the next state (AWAIT_CHOICE, AWAIT_HELLO after a retry, or FAILED) and, for a
     * retry or a refusal, the reason word the pre-authentication metrics count.
     */
    record HelloStep(ServerState next, Optional<String> rejection) {
    }

    private ServerHelloFlight() {
    }

    /**
     * A CLIENT_HELLO in full: the cookie round, then the answer. A refusal is a clear ERROR RATE_LIMITED, then the
     * connection closes (section 5.3.11); a retry keeps nothing of the hello (the hello with the cookie comes next,
     * a retry is sent once).
     */
    static HelloStep onClientHello(HandshakeSettings settings, String remote, AwaitHello state, HandshakeMessage m,
            HandshakeOutput output) throws HandshakeException {
        Set<Integer> offered = offeredSuites(m);
        Admission admission = admit(settings, remote, state.helloRetried(), m);
        if (admission instanceof Refuse refusal) {
            output.clear(new ErrorReply(ErrorCode.RATE_LIMITED.code(), refusal.reason()).commands());
            return new HelloStep(new Failed(0, Optional.empty()), Optional.of("hello_refused"));
        }
        if (admission instanceof Retry retry) {
            output.clear(retry.helloRetry());
            return new HelloStep(new AwaitHello(true), Optional.of("hello_retry"));
        }
        try {
            return new HelloStep(answer(settings, m, offered, output), Optional.empty());
        } catch (ServerKeyUnavailable e) { // HealingToken logs the state change, not each login
            output.clear(new ErrorReply(ErrorCode.TOKEN_UNAVAILABLE.code(),
                    "the server's key token is unavailable; retry shortly").commands());
            return new HelloStep(new Failed(0, Optional.empty()), Optional.empty());
        }
    }

    /** The cookie round, before any key generation or signature. */
    static Admission admit(HandshakeSettings settings, String remote, boolean helloRetried, HandshakeMessage m) {
        HelloGate gate = settings.hello();
        if (gate.mode() == HelloGate.Mode.OFF) {
            return new Answer();
        }
        byte[] withoutCookie = HelloCookies.helloWithoutCookie(m);
        HelloGate.Verdict verdict = gate.decide(remote, withoutCookie, HelloCookies.cookieOf(m.bytes(EXTENSIONS)));
        if (verdict == HelloGate.Verdict.SIGN) {
            return new Answer();
        }
        if (verdict == HelloGate.Verdict.RATE_LIMITED) {
            return new Refuse("too many hellos from this source; retry later");
        }
        if (m.number(PROTOCOL_VERSION) < PROTOCOL_VERSION_2) {
            return new Refuse("this server asks for a cookie round (HELLO_RETRY), which needs protocol version 2;"
                    + " retry later");
        }
        if (helloRetried) {
            return new Refuse("the second CLIENT_HELLO carries no valid cookie (expired, altered, or from another"
                    + " source); retry later on a new connection");
        }
        return new Retry(HandshakeMessage.of(HS_HELLO_RETRY, RispCommand.string(COOKIE, gate.cookie(remote,
                withoutCookie))));
    }

    /** The suites a CLIENT_HELLO offers, checked (n x u16, n >= 1, none twice), and its extensions' layout. */
    static Set<Integer> offeredSuites(HandshakeMessage hello) throws HandshakeException {
        if (hello.number(PROTOCOL_VERSION) < PROTOCOL_VERSION_1) {
            throw new HandshakeException(HandshakeError.UNSUPPORTED_VERSION, "protocol version 1 or later is needed");
        }
        byte[] list = hello.bytes(SUPPORTED_SUITES);
        if (list.length == 0 || list.length % 2 != 0) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "SUPPORTED_SUITES is n x u16, n >= 1");
        }
        Set<Integer> offered = new LinkedHashSet<>();
        for (int i = 0; i < list.length; i += 2) {
            if (!offered.add(((list[i] & 0xff) << 8) | (list[i + 1] & 0xff))) {
                throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "SUPPORTED_SUITES repeats a suite");
            }
        }
        HandshakeExtensions.check(hello.bytes(EXTENSIONS));
        return offered;
    }

    /** Answers an admitted hello: sends the first flight through {@code output}, returns the next state. */
    static AwaitChoice answer(HandshakeSettings settings, HandshakeMessage hello, Set<Integer> offered,
            HandshakeOutput output) throws HandshakeException, ServerKeyUnavailable {
        List<byte[]> messages = new ArrayList<>(List.of(hello.encode()));
        long version = Math.min(hello.number(PROTOCOL_VERSION), PROTOCOL_VERSION_3);
        SuitePolicy policy = settings.policy().get();
        CipherSuite preferred = policy.choose(offered).orElseThrow(() -> new HandshakeException(
                HandshakeError.NO_COMMON_SUITE, "none of the client's suites is enabled on this server"));
        byte[] serverRandom = new byte[32];
        settings.random().nextBytes(serverRandom);
        List<RispCommand> fields = new ArrayList<>(List.of(
                RispCommand.integer(PROTOCOL_VERSION, version),
                RispCommand.fixed(SERVER_RANDOM, serverRandom),
                RispCommand.string(SUITE_POLICY, policy.encode())));
        // The choice rule is deterministic, so one share, for the suite the client must choose, is enough.
        KeyExchange.EphemeralKeyPair share = KeyExchanges.forGroup(preferred.group()).generate(settings.random());
        fields.add(RispCommand.string(KEY_SHARE, HandshakeOutput.keyShare(preferred.group(), share.publicKey())));
        fields.add(RispCommand.integer(KEY_UPDATE_BYTES, settings.frames().keyUpdateAfterBytes()));
        fields.add(RispCommand.integer(KEY_UPDATE_RECORDS, settings.frames().keyUpdateAfterRecords()));
        fields.add(RispCommand.integer(MAX_FRAME_PLAINTEXT, settings.frames().maxPlaintextLength()));
        fields.add(RispCommand.string(EXTENSIONS, new byte[0]));
        messages.add(output.clear(HandshakeMessage.of(HS_SERVER_HELLO, fields.toArray(new RispCommand[0]))));
        List<RispCommand> certs = new ArrayList<>();
        for (X509Certificate cert : settings.serverChain()) {
            try {
                certs.add(RispCommand.string(CERTIFICATE, cert.getEncoded()));
            } catch (CertificateEncodingException e) {
                share.close();
                throw new IllegalStateException("the server certificate cannot be encoded", e);
            }
        }
        messages.add(output.clear(HandshakeMessage.of(HS_SERVER_CERTIFICATE, certs.toArray(new RispCommand[0]))));
        Transcript helloHash = new Transcript(HashAlgorithm.SHA384);
        messages.forEach(helloHash::add);
        SignatureScheme scheme = settings.serverKey().signatureSchemes().iterator().next();
        byte[] signature;
        try {
            signature = settings.serverKey().sign(scheme, HandshakeLabels.signatureInput(
                    HandshakeLabels.SERVER_SIGNATURE_CONTEXT, helloHash.hash()));
        } catch (TokenException e) {
            share.close();
            throw new ServerKeyUnavailable(e);
        }
        messages.add(output.clear(HandshakeMessage.of(HS_SERVER_CERTIFICATE_VERIFY,
                RispCommand.integer(SIGNATURE_SCHEME, SignatureAlgorithm.valueOf(scheme.name()).code()),
                RispCommand.string(SIGNATURE, signature))));
        return new AwaitChoice(version, policy, java.util.Collections.unmodifiableSet(offered), share,
                List.copyOf(messages));
    }

    /**
     * The server's own key token is gone or failing: the login ends with a clear TOKEN_UNAVAILABLE and nothing is
     * counted against the caller (a {@code HealingToken} logs the state change once and reopens the token).
     */
    static final class ServerKeyUnavailable extends Exception {
        private static final long serialVersionUID = 1L;

        ServerKeyUnavailable(TokenException cause) {
            super("the server key cannot sign: " + cause.getMessage(), cause);
        }
    }
}
