package org.opencluster.auth.server.login;

import java.util.Optional;
import org.opencluster.auth.protocol.handshake.HandshakeCommands;
import org.opencluster.auth.protocol.handshake.ProofKind;

/**
 * The server's part of one proof kind (docs/PROTOCOL.md 5.5): what LOGIN_CHALLENGE carries for it, the decoy an
 * unknown or unservable name gets in the same shape, and the check of LOGIN_PROOF. {@link ProofVerifiers} is the
 * one place that maps a kind to its verifier; the handshake itself never asks which kind it is dealing with.
 * A new piece of the challenge (a credential response) is one more field a verifier adds, not a branch elsewhere.
 */
interface ProofVerifier {
    ProofKind kind();

    /**
     * The challenge for {@code subject} (for an unknown name: the decoy, in the same shape). May throw when the
     * account cannot be served, before anything is sent; the caller then asks again for the name as unknown.
     *
     * @param envelopeField the padded ENVELOPE (the real one only where {@link #handsOutEnvelope} allows)
     */
    ProofChallenge challenge(LoginSubject subject, byte[] envelopeField);

    /** Whether this kind's challenge carries the account's real envelope (else the name's decoy envelope). */
    default boolean handsOutEnvelope() {
        return true;
    }

    /** Whether a LOGIN_PROOF of kind {@code answered} answers this kind's challenge in protocol {@code version}. */
    default boolean accepts(ProofKind answered, long version) {
        return answered == kind();
    }

    /** The longest PROOF of this kind (the command registry bounds every PROOF as well). */
    default int maxProofLength() {
        return HandshakeCommands.MAX_KEY_PROOF;
    }

    /** Whether the check may wait on something besides this CPU (the store). */
    default boolean checkMayBlock() {
        return false;
    }

    /**
     * Whether a stranger could guess this login's secret online, so the account-wide lock applies: a passphrase
     * envelope, an enrolment code, or an unknown name (which must stay indistinguishable from a passphrase
     * account). An account that needs a private key (service, card, security key only) cannot be guessed; only its
     * sources are throttled (section 5.14 says what that reveals).
     */
    default boolean guessableOnline(LoginSubject subject) {
        return subject.account().isEmpty() || subject.account().get().envelope().isPresent();
    }

    /**
     * Checks LOGIN_PROOF of this verifier's kind and, if it holds, whether the account may log in now. Never
     * throws: every problem is a refusal ({@code empty}), which the client sees as LOGIN_FAILED whatever it was.
     */
    Optional<LoginGrant> verify(ProofCheck check);
}
