package org.opencluster.auth.server.session;

import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.server.log.LogValues;
import org.opencluster.auth.protocol.command.ReauthCommands;
import org.opencluster.auth.protocol.handshake.HandshakeOutput;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.handshake.PublicKeys;
import org.opencluster.auth.protocol.handshake.ReauthSchedule;
import org.opencluster.auth.protocol.handshake.SignatureAlgorithm;
import org.opencluster.auth.protocol.handshake.TrafficSecrets;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.suite.KeyExchange;
import org.opencluster.auth.protocol.suite.KeyExchangeGroup;
import org.opencluster.auth.protocol.suite.KeyExchanges;
import org.opencluster.auth.protocol.suite.SuiteException;
import org.opencluster.auth.server.dispatch.CommandDispatcher;
import org.opencluster.auth.server.login.AccountProof;
import org.opencluster.auth.server.login.LoginAccount;

/**
 * The server side of re-authentication for one session (docs/PROTOCOL.md section 5.13): an explicit state
 * machine IDLE -> CHALLENGED -> (SCHEME_SEEN) -> IDLE, deciding each REAUTH_* request. A proof that fails or comes
 * out of order ends the session; a verified one yields the new traffic secrets, which the caller installs after
 * the reply frame. Not thread-safe (the session's lock guards it).
 */
final class SessionReauth implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SessionReauth.class);
    /** What the session does after the reply frame. */
    enum Outcome { CONTINUE, REKEY, FAIL }

    private enum State { IDLE, CHALLENGED, SCHEME_SEEN, PROOF_SEEN }

    private final ReauthSchedule schedule;
    private final Optional<AccountProof> account;
    /** Reads the account again from the store: a re-authentication proves the key the account has now. */
    private final Supplier<Optional<LoginAccount>> current;
    private final boolean timed;
    /** Protocol version 3: the proof frame ends with REAUTH_PADDING (section 5.13); earlier versions send none. */
    private final boolean padded;
    private final ReauthPolicy policy;
    /** Only for the REAUTH_DUE stamp the client is told; the decisions use {@link #ticker}. */
    private final Clock clock;
    /** Monotonic nanoseconds ({@code MonotonicClock}): a stepped wall clock neither ends nor extends a session. */
    private final LongSupplier ticker;
    private final SecureRandom random;
    private State state = State.IDLE;
    /** The ticker reading at which re-authentication is due. */
    private long dueNanos;
    private byte[] context;
    private KeyExchange.EphemeralKeyPair ephemeral;
    private int scheme;
    /** Version 3: the proof, held until REAUTH_PADDING (the next command of its frame) has been checked. */
    private byte[] proof;
    private TrafficSecrets fresh;

    /**
     * @param account what a re-authentication proves; empty when this session cannot re-authenticate in place
     * @param timed   whether the interval applies (false for an enrolment session; a security-key session is timed
     *                but has nothing to prove here, so it ends at its due time plus the grace)
     * @param current the account as stored now (re-read at each proof): gone, disabled, re-keyed or with a
     *                certificate no longer valid ends the session like a wrong proof
     * @param padded  whether the proof frame must end with REAUTH_PADDING (protocol version 3) or must not
     */
    SessionReauth(ReauthSchedule schedule, Optional<AccountProof> account, Supplier<Optional<LoginAccount>> current,
            boolean timed, boolean padded, ReauthPolicy policy, Clock clock, LongSupplier ticker,
            SecureRandom random) {
        this.schedule = schedule;
        this.account = account;
        this.current = current;
        this.timed = timed;
        this.padded = padded;
        this.policy = policy;
        this.clock = clock;
        this.ticker = ticker;
        this.random = random;
        this.dueNanos = ticker.getAsLong() + policy.interval().toNanos();
    }

    /** True once the interval has passed (an enrolling session is never due). */
    boolean overdue() {
        return timed && ticker.getAsLong() - dueNanos >= 0;
    }

    /** True once the grace period after the due time has passed too: the session must end. */
    boolean expired() {
        return timed && ticker.getAsLong() - (dueNanos + policy.grace().toNanos()) >= 0;
    }

    /** How long ago re-authentication fell due (zero or negative: not yet), for messages and logs. */
    Duration overdueBy() {
        return Duration.ofNanos(ticker.getAsLong() - dueNanos);
    }

    /** Decides one REAUTH_* request, appending the replies. */
    Outcome handle(RispCommand c, List<RispCommand> replies) {
        int id = c.id();
        if (account.isEmpty()) {
            CommandDispatcher.error(replies::add, ErrorCode.FORBIDDEN, timed
                    ? "a security-key session re-authenticates by logging in again"
                    : "an enrolment session has no key to prove");
            return Outcome.CONTINUE;
        }
        if (id == ReauthCommands.REAUTH_BEGIN.id()) {
            challenge(replies);
            return Outcome.CONTINUE;
        }
        if (id == ReauthCommands.REAUTH_SIGNATURE_SCHEME.id() && state == State.CHALLENGED) {
            scheme = (int) c.number();
            state = State.SCHEME_SEEN;
            return Outcome.CONTINUE;
        }
        if (id == ReauthCommands.REAUTH_PROOF.id() && state == State.SCHEME_SEEN) {
            if (!padded) {
                return verify(c.copyBytes(), replies);
            }
            proof = c.copyBytes();
            state = State.PROOF_SEEN;
            return Outcome.CONTINUE;
        }
        if (id == ReauthCommands.REAUTH_PADDING.id() && state == State.PROOF_SEEN) {
            if (!ReauthCommands.paddingFits(proof.length, c.copyBytes())) {
                return fail(replies, "REAUTH_PADDING must be zero bytes making the proof frame "
                        + ReauthCommands.PROOF_FRAME_BYTES + " bytes");
            }
            return verify(proof, replies);
        }
        return fail(replies, padded || id != ReauthCommands.REAUTH_PADDING.id()
                ? "re-authentication messages out of order" : "REAUTH_PADDING needs protocol version 3");
    }

    /**
     * After the last command of a frame, or before another command in it: a version-3 proof frame without
     * REAUTH_PADDING right after REAUTH_PROOF fails (its size would tell the key type, and a client would wait for an
     * answer that never comes).
     */
    Outcome endOfFrame(List<RispCommand> replies) {
        return awaitingPadding() ? fail(replies, "protocol version 3 ends the proof frame with REAUTH_PADDING")
                : Outcome.CONTINUE;
    }

    /** Version 3: REAUTH_PROOF was seen and REAUTH_PADDING must be the next command of the frame. */
    boolean awaitingPadding() {
        return state == State.PROOF_SEEN;
    }

    private void challenge(List<RispCommand> replies) {
        discardChallenge();
        AccountProof a = account.get();
        byte[] nonce = new byte[ReauthSchedule.NONCE_LENGTH];
        random.nextBytes(nonce);
        byte[] share = new byte[0];
        if (a.kind() == ProofKind.KEY_AGREEMENT) {
            KeyExchangeGroup group = PublicKeys.groupOf(a.key()).orElseThrow();
            ephemeral = KeyExchanges.forGroup(group).generate(random);
            share = HandshakeOutput.keyShare(group, ephemeral.publicKey());
        }
        context = schedule.context(a.kind(), nonce, share);
        state = State.CHALLENGED;
        replies.add(RispCommand.fixed(ReauthCommands.REAUTH_NONCE.id(), nonce));
        replies.add(RispCommand.integer(ReauthCommands.REAUTH_PROOF_KIND.id(), a.kind().wireValue()));
        replies.add(RispCommand.string(ReauthCommands.REAUTH_EPHEMERAL.id(), share));
    }

    private Outcome verify(byte[] proof, List<RispCommand> replies) {
        AccountProof a = account.get();
        byte[] z = null;
        try {
            boolean ok;
            if (a.kind() == ProofKind.KEY_AGREEMENT) {
                z = ephemeral.agree(PublicKeys.encode(a.key()));
                ok = scheme == 0 && schedule.verifyKeyAgreementProof(z, context, proof);
            } else {
                PublicKey key = a.key();
                Optional<SignatureAlgorithm> alg = SignatureAlgorithm.fromCode(scheme);
                ok = alg.isPresent() && alg.get().verify(key, ReauthSchedule.signatureInput(context), proof);
            }
            if (!ok) {
                return fail(replies, "the re-authentication proof did not verify");
            }
            Optional<String> refusal = refusalNow(a);
            if (refusal.isPresent()) {
                // The client hears what a wrong proof hears; the operator learns why.
                LOG.info("event=session.reauth_refused reason={}", LogValues.quote(refusal.get()));
                return fail(replies, "the re-authentication proof did not verify");
            }
            fresh = schedule.advance(a.kind() == ProofKind.KEY_AGREEMENT ? z : null, context);
            dueNanos = ticker.getAsLong() + policy.interval().toNanos();
            discardChallenge();
            replies.add(RispCommand.none(ReauthCommands.REAUTH_DONE.id()));
            // The wire carries a wall-clock stamp (what a person reads); the server decides by the ticker.
            replies.add(RispCommand.integer(ReauthCommands.REAUTH_DUE.id(),
                    clock.instant().plus(policy.interval()).getEpochSecond()));
            return Outcome.REKEY;
        } catch (SuiteException | RuntimeException e) {
            return fail(replies, "the re-authentication proof did not verify");
        } finally {
            if (z != null) {
                Arrays.fill(z, (byte) 0);
            }
        }
    }

    /** Why the account, as stored now, may no longer hold this session, if it may not. */
    private Optional<String> refusalNow(AccountProof proven) {
        Optional<LoginAccount> now = current.get();
        if (now.isEmpty()) {
            return Optional.of("the account no longer exists");
        }
        if (now.get().key() == null || !java.security.MessageDigest.isEqual(now.get().key().getEncoded(),
                proven.key().getEncoded())) {
            return Optional.of("the account's key changed since login");
        }
        return now.get().refusal();
    }

    /** The verified re-authentication's secrets (the caller installs and closes them). */
    TrafficSecrets takeFresh() {
        TrafficSecrets t = fresh;
        fresh = null;
        return t;
    }

    private Outcome fail(List<RispCommand> replies, String why) {
        discardChallenge();
        CommandDispatcher.error(replies::add, ErrorCode.REAUTH_FAILED, why + "; the session ends");
        return Outcome.FAIL;
    }

    private void discardChallenge() {
        if (ephemeral != null) {
            ephemeral.close();
            ephemeral = null;
        }
        if (context != null) {
            Arrays.fill(context, (byte) 0);
            context = null;
        }
        scheme = 0;
        if (proof != null) {
            Arrays.fill(proof, (byte) 0);
            proof = null;
        }
        state = State.IDLE;
    }

    @Override
    public void close() {
        discardChallenge();
        if (fresh != null) {
            fresh.close();
            fresh = null;
        }
        schedule.close();
    }
}
