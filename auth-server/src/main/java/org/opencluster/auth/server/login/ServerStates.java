package org.opencluster.auth.server.login;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.opencluster.auth.protocol.handshake.KeySchedule;
import org.opencluster.auth.protocol.handshake.ReauthSchedule;
import org.opencluster.auth.protocol.handshake.Transcript;
import org.opencluster.auth.protocol.session.SecureChannel;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.KeyExchange;
import org.opencluster.auth.protocol.suite.SuitePolicy;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.log.LogValues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server handshake's states, one immutable record each, holding only what exists in that state. Secrets
 * (key pairs, the key schedule, the handshake channel) are listed by {@link ServerState#secrets()}; the handshake
 * moves between states in one place only, which closes every secret the state it leaves holds and the next does
 * not ({@link ServerHandshake}'s {@code enter}). A {@link Transcript} is a running hash, carried along, not copied.
 */
final class ServerStates {
    private static final Logger LOG = LoggerFactory.getLogger(ServerStates.class);

    private ServerStates() {
    }

    /**
     * What leaving {@code left} for {@code next} entails. A login that got LOGIN_CHALLENGE and leaves it settles
     * with the throttle, once: success on ESTABLISHED, else one failure whatever ended it (a refusal, a bad frame, a
     * wrong proof, the connection closing), so envelopes cannot be harvested for offline guessing without ever
     * meeting the limit. Then every secret {@code left} holds and {@code next} does not is closed (key pairs
     * wiped, the key schedule and channel closed): no secret outlives the last state that holds it.
     */
    static void leave(ServerState left, ServerState next, LoginThrottle throttle, boolean endedFromOutside) {
        try {
            if (left.challenged().isPresent() && next.challenged().isEmpty()) {
                settle(left.challenged().get().attempt(), next instanceof Established, throttle, endedFromOutside);
            }
        } finally {
            Set<AutoCloseable> kept = Collections.newSetFromMap(new IdentityHashMap<>());
            kept.addAll(next.secrets());
            for (AutoCloseable secret : left.secrets()) {
                if (!kept.contains(secret)) {
                    closeQuietly(secret);
                }
            }
        }
    }

    /**
     * Tells the throttle the login's outcome. With the buckets in the database that is a transaction, and the
     * database may fail just then: the login's answer stands (LOGIN_FAILED, or the session), never INTERNAL, and
     * the lost update errs on the safe side or cannot be exploited: a success that does not clear the account's count
     * leaves it to decay, and a failure that is not counted happened while every new login's throttle check fails
     * (STORE_UNAVAILABLE) on the same database.
     */
    private static void settle(LoginThrottle.Attempt attempt, boolean succeeded, LoginThrottle throttle,
            boolean endedFromOutside) {
        try {
            if (succeeded) {
                throttle.recordSuccess(attempt);
            } else if (endedFromOutside) {
                throttle.recordFailureDetached(attempt);
            } else {
                throttle.recordFailure(attempt);
            }
        } catch (RuntimeException e) {
            LOG.warn("event=login.outcome_not_stored user={} outcome={} error={}",
                    LogValues.quote(attempt.account()), succeeded ? "ok" : "failed",
                    LogValues.quote(e.getClass().getSimpleName()));
        }
    }

    private static void closeQuietly(AutoCloseable secret) {
        try {
            secret.close();
        } catch (Exception e) {
            // closing wipes; nothing of it can fail in a way the handshake could act on
        }
    }

    sealed interface ServerState permits AwaitHello, AwaitChoice, AwaitLoginRequest, Challenged, Established,
            Failed {
        ServerHandshake.State phase();

        /**
         * Whether the message that completes next may wait on something besides this CPU: the server key's token
         * (unless it is a software key), the account store (every login request), enrolment codes and
         * security-key credentials (also in the store). The rest is arithmetic and runs where the bytes arrived.
         */
        default boolean nextStepMayBlock(HandshakeSettings settings) {
            // After a challenge the outcome is recorded too, in the database when the throttle's buckets are shared.
            return challenged().map(login -> login.issued().verifier().checkMayBlock()
                    || settings.throttle().settlingMayBlock()).orElse(true);
        }

        /** What must be closed when no state holds it any more. */
        default List<AutoCloseable> secrets() {
            return List.of();
        }

        /** The protocol version both sides speak (after SERVER_HELLO; 0 before). */
        default long version() {
            return 0;
        }

        /** The handshake keys, from CLIENT_CHOICE until the handshake is over. */
        default Optional<HandshakeKeys> keys() {
            return Optional.empty();
        }

        /** The name a client asked for, if it got that far. */
        default Optional<String> attemptedUsername() {
            return challenged().map(login -> login.issued().subject().username());
        }

        /** The login, from LOGIN_CHALLENGE until its outcome is known (it then owes the throttle one outcome). */
        default Optional<ChallengedLogin> challenged() {
            return Optional.empty();
        }
    }

    /** The key schedule, the transcript and the channel under the handshake keys, from CLIENT_CHOICE on. */
    record HandshakeKeys(CipherSuite suite, KeySchedule schedule, Transcript transcript, SecureChannel channel) {
        List<AutoCloseable> secrets() {
            return List.of(schedule, channel);
        }
    }

    /** @param helloRetried a HELLO_RETRY went out on this connection (there is at most one) */
    record AwaitHello(boolean helloRetried) implements ServerState {
        @Override
        public ServerHandshake.State phase() {
            return ServerHandshake.State.AWAIT_HELLO;
        }

        @Override
        public boolean nextStepMayBlock(HandshakeSettings settings) {
            return settings.serverKey().operationsMayBlock(); // the signature of SERVER_CERTIFICATE_VERIFY
        }
    }

    /** @param messages the clear hello messages, in order: the transcript's start */
    record AwaitChoice(long version, SuitePolicy policy, Set<Integer> offered, KeyExchange.EphemeralKeyPair share,
            List<byte[]> messages) implements ServerState {
        @Override
        public ServerHandshake.State phase() {
            return ServerHandshake.State.AWAIT_CHOICE;
        }

        @Override
        public boolean nextStepMayBlock(HandshakeSettings settings) {
            return false; // a key agreement and the key schedule
        }

        @Override
        public List<AutoCloseable> secrets() {
            return List.of(share);
        }
    }

    record AwaitLoginRequest(long version, HandshakeKeys handshakeKeys) implements ServerState {
        @Override
        public ServerHandshake.State phase() {
            return ServerHandshake.State.AWAIT_LOGIN_REQUEST;
        }

        @Override
        public List<AutoCloseable> secrets() {
            return handshakeKeys.secrets();
        }

        @Override
        public Optional<HandshakeKeys> keys() {
            return Optional.of(handshakeKeys);
        }
    }

    /**
     * A login that got its LOGIN_CHALLENGE: it owes the throttle exactly one outcome, whatever ends it.
     *
     * @param keepsDeviceToken the LOGIN_REQUEST carried the device-token extension: a successful LOGIN_RESULT
     *                         carries a token
     */
    record ChallengedLogin(long version, HandshakeKeys keys, ProofVerifiers.Issued issued,
            byte[] transcriptThroughServerFinished, LoginThrottle.Attempt attempt, boolean keepsDeviceToken) {
        List<AutoCloseable> secrets() {
            return List.of(keys.schedule(), keys.channel(), issued.challenge());
        }
    }

    /** The states of a login that got its challenge and has no outcome yet; all they hold is in the login. */
    sealed interface Challenged extends ServerState permits AwaitProof, AwaitFinished {
        ChallengedLogin login();

        @Override
        default List<AutoCloseable> secrets() {
            return login().secrets();
        }

        @Override
        default long version() {
            return login().version();
        }

        @Override
        default Optional<HandshakeKeys> keys() {
            return Optional.of(login().keys());
        }

        @Override
        default Optional<ChallengedLogin> challenged() {
            return Optional.of(login());
        }
    }

    record AwaitProof(ChallengedLogin login) implements Challenged {
        @Override
        public ServerHandshake.State phase() {
            return ServerHandshake.State.AWAIT_PROOF;
        }

        /** The same login, as a server breaking section 5.14 would answer it: with a device token nobody asked for. */
        AwaitProof keepingDeviceTokenAnyway() {
            return new AwaitProof(new ChallengedLogin(login.version(), login.keys(), login.issued(),
                    login.transcriptThroughServerFinished(), login.attempt(), true));
        }
    }

    record AwaitFinished(ChallengedLogin login, ProofAnswer answer) implements Challenged {
        @Override
        public ServerHandshake.State phase() {
            return ServerHandshake.State.AWAIT_CLIENT_FINISHED;
        }
    }

    /** The session's channel and re-authentication schedule belong to the caller from here on. */
    record Established(long version, String username, CipherSuite suite, LoginGrant grant,
            SecureChannel applicationChannel, ReauthSchedule reauth, byte[] sessionId) implements ServerState {
        @Override
        public ServerHandshake.State phase() {
            return ServerHandshake.State.ESTABLISHED;
        }

        @Override
        public Optional<String> attemptedUsername() {
            return Optional.of(username);
        }
    }

    record Failed(long version, Optional<String> attemptedUsername) implements ServerState {
        @Override
        public ServerHandshake.State phase() {
            return ServerHandshake.State.FAILED;
        }
    }
}
