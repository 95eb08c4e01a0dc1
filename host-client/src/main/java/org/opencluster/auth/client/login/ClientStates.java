package org.opencluster.auth.client.login;

import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import org.opencluster.auth.protocol.frame.FrameConfig;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.handshake.KeySchedule;
import org.opencluster.auth.protocol.handshake.ReauthSchedule;
import org.opencluster.auth.protocol.handshake.Transcript;
import org.opencluster.auth.protocol.pake.CredentialRequest;
import org.opencluster.auth.protocol.pake.PendingRequest;
import org.opencluster.auth.protocol.session.SecureChannel;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.SuitePolicy;

/**
 * The client handshake's states, one immutable record each, holding only what exists in that state. The handshake
 * moves between them in one place ({@link ClientHandshake}'s {@code enter}), which closes the key schedule and the
 * handshake channel once no state holds them: on ESTABLISHED (the session has its own keys) and on FAILED.
 */
final class ClientStates {
    private ClientStates() {
    }

    sealed interface ClientState permits AwaitServerHello, AwaitCertificate, AwaitCertificateVerify, AwaitChallenge,
            Challenged, Established, Failed {
        ClientHandshake.State phase();

        /** SERVER_HELLO, once received. */
        default Optional<HandshakeMessage> serverHello() {
            return negotiated().map(Negotiated::serverHello);
        }

        /** The server's certificate chain, once received. */
        default Optional<List<X509Certificate>> knownChain() {
            return negotiated().map(Negotiated::serverChain);
        }

        /** What the server's authenticated first flight settled, from CERTIFICATE_VERIFY on. */
        default Optional<Negotiated> negotiated() {
            return Optional.empty();
        }

        /** The handshake keys, from CLIENT_CHOICE until the handshake is over. */
        default Optional<HandshakeKeys> keys() {
            return Optional.empty();
        }

        /** The envelope the proof opened (unpadded), once it did. */
        default Optional<byte[]> openedEnvelope() {
            return Optional.empty();
        }
    }

    /** The server's authenticated first flight: its hello, its chain, the policy, the suite and frame limits. */
    record Negotiated(HandshakeMessage serverHello, List<X509Certificate> serverChain, SuitePolicy policy,
            CipherSuite suite, FrameConfig frames) {
    }

    /** The key schedule, the running transcript and the channel under the handshake keys. */
    record HandshakeKeys(KeySchedule schedule, Transcript transcript, SecureChannel channel) {
    }

    /**
     * @param clientRandom the CLIENT_RANDOM of the hello (the same again after a HELLO_RETRY)
     * @param helloRetried a HELLO_RETRY was answered (at most one per handshake)
     * @param messages     the clear messages so far: the CLIENT_HELLO that counts
     */
    record AwaitServerHello(byte[] clientRandom, boolean helloRetried, List<byte[]> messages) implements ClientState {
        @Override
        public ClientHandshake.State phase() {
            return ClientHandshake.State.AWAIT_SERVER_HELLO;
        }
    }

    record AwaitCertificate(HandshakeMessage hello, List<byte[]> messages) implements ClientState {
        @Override
        public ClientHandshake.State phase() {
            return ClientHandshake.State.AWAIT_CERTIFICATE;
        }

        @Override
        public Optional<HandshakeMessage> serverHello() {
            return Optional.of(hello);
        }
    }

    record AwaitCertificateVerify(HandshakeMessage hello, List<X509Certificate> serverChain, List<byte[]> messages)
            implements ClientState {
        @Override
        public ClientHandshake.State phase() {
            return ClientHandshake.State.AWAIT_CERTIFICATE_VERIFY;
        }

        @Override
        public Optional<List<X509Certificate>> knownChain() {
            return Optional.of(serverChain);
        }

        @Override
        public Optional<HandshakeMessage> serverHello() {
            return Optional.of(hello);
        }
    }

    /**
     * @param deviceTokenAsked LOGIN_REQUEST carried DEVICE_TOKEN: only then may LOGIN_RESULT carry one
     * @param oprfRequest      the OPRF credential request LOGIN_REQUEST carried, and its blind (section 5.5.6);
     *                         empty for a client without the step, which computes none
     */
    record AwaitChallenge(Negotiated session, HandshakeKeys handshakeKeys, boolean deviceTokenAsked,
            Optional<PendingRequest<CredentialRequest>> oprfRequest)
            implements ClientState {
        @Override
        public ClientHandshake.State phase() {
            return ClientHandshake.State.AWAIT_CHALLENGE;
        }

        @Override
        public Optional<Negotiated> negotiated() {
            return Optional.of(session);
        }

        @Override
        public Optional<HandshakeKeys> keys() {
            return Optional.of(handshakeKeys);
        }
    }

    /** The states after LOGIN_CHALLENGE: what they know and hold comes from the request they answer. */
    sealed interface Challenged extends ClientState permits AwaitServerFinished, AwaitResult {
        AwaitChallenge request();

        @Override
        default Optional<Negotiated> negotiated() {
            return request().negotiated();
        }

        @Override
        default Optional<HandshakeKeys> keys() {
            return request().keys();
        }
    }

    record AwaitServerFinished(AwaitChallenge request, HandshakeMessage challenge) implements Challenged {
        @Override
        public ClientHandshake.State phase() {
            return ClientHandshake.State.AWAIT_SERVER_FINISHED;
        }
    }

    record AwaitResult(AwaitChallenge request, Optional<byte[]> openedEnvelope) implements Challenged {
        @Override
        public ClientHandshake.State phase() {
            return ClientHandshake.State.AWAIT_RESULT;
        }
    }

    /** The session's channel and re-authentication schedule belong to the caller from here on. */
    record Established(Negotiated session, SecureChannel applicationChannel, ReauthSchedule reauth,
            byte[] sessionId, Optional<byte[]> openedEnvelope, Optional<RuntimeException> deviceTokenNotSaved)
            implements ClientState {
        @Override
        public ClientHandshake.State phase() {
            return ClientHandshake.State.ESTABLISHED;
        }

        @Override
        public Optional<Negotiated> negotiated() {
            return Optional.of(session);
        }
    }

    /**
     * @param last         the state the handshake failed in (its secrets closed), for what it had learnt
     * @param abandonFrame the close frame under the handshake keys, sealed before they went (REST DELETE)
     */
    record Failed(ClientState last, LoginException failure, Optional<ByteBuffer> abandonFrame)
            implements ClientState {
        @Override
        public ClientHandshake.State phase() {
            return ClientHandshake.State.FAILED;
        }

        @Override
        public Optional<HandshakeMessage> serverHello() {
            return last.serverHello();
        }

        @Override
        public Optional<Negotiated> negotiated() {
            return last.negotiated();
        }

        @Override
        public Optional<List<X509Certificate>> knownChain() {
            return last.knownChain();
        }

        @Override
        public Optional<byte[]> openedEnvelope() {
            return last.openedEnvelope();
        }
    }
}
