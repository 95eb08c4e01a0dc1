package org.opencluster.auth.server.login;

import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.PROTOCOL_VERSION_3;

import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import org.opencluster.auth.protocol.handshake.ProofKind;

/**
 * What the two account-key proofs (signature, key agreement) share: the same challenge but for whether its
 * ephemeral is a real key pair, either kind answering in version 3 (the client's key decides, 5.3.7), and the
 * grant: the session re-authenticates with the same key and kind.
 */
abstract class KeyProofVerifier implements ProofVerifier {
    final SecureRandom random;
    private final String remote;

    KeyProofVerifier(SecureRandom random, String remote) {
        this.random = random;
        this.remote = remote;
    }

    /** Whether this kind's proof uses the challenge's ephemeral (versions 1 and 2 make one only then). */
    abstract boolean agrees();

    /** Whether the proof holds for the account key (for an unknown name: the same work, then false). Never throws. */
    abstract boolean proofHolds(ProofCheck check);

    @Override
    public ProofChallenge challenge(LoginSubject subject, byte[] envelopeField) {
        return ProofChallenge.of(kind(), envelopeField, ProofEphemerals.forChallenge(subject.version(),
                subject.key(), agrees(), random), List.of(), List.of());
    }

    @Override
    public boolean accepts(ProofKind answered, long version) {
        return answered == kind() || version >= PROTOCOL_VERSION_3
                && (answered == ProofKind.SIGNATURE || answered == ProofKind.KEY_AGREEMENT);
    }

    @Override
    public Optional<LoginGrant> verify(ProofCheck check) {
        boolean proven = proofHolds(check);
        Optional<AccountProof> again = proven && check.subject().key().isPresent()
                ? Optional.of(new AccountProof(check.subject().key().get(), check.answer().kind()))
                : Optional.empty();
        return AccountStanding.admit(check, proven, again, remote);
    }
}
