package org.opencluster.auth.server.login;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.server.dispatch.Caller;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.store.EnrolmentCode;

/**
 * Proof kind 3 (docs/PROTOCOL.md 5.5.3): PROOF = code_hash || HMAC(proof_key, T). The store keeps only a keyed
 * verifier of code_hash, so the client presents code_hash itself (encrypted, to this server). The challenge never
 * carries an account's envelope or key-dependent shares: an enrolment looks the same for every name.
 */
final class EnrolmentCodeVerifier implements ProofVerifier {
    private final Enrolments enrolments;
    private final SecureRandom random;

    EnrolmentCodeVerifier(Enrolments enrolments, SecureRandom random) {
        this.enrolments = enrolments;
        this.random = random;
    }

    @Override
    public ProofKind kind() {
        return ProofKind.ENROLMENT_CODE;
    }

    /**
     * An existing name cannot be enrolled again, only get a security key added by a code issued for it; the
     * answer has the usual shape either way.
     */
    @Override
    public ProofChallenge challenge(LoginSubject subject, byte[] envelopeField) {
        String name = subject.username();
        boolean exists = subject.account().isPresent();
        List<EnrolmentCode> candidates = enrolments.active(name).stream()
                .filter(code -> exists ? code.addsSecurityKey() && code.username().filter(name::equals).isPresent()
                        : !code.addsSecurityKey())
                .collect(Collectors.toList());
        return ProofChallenge.of(kind(), envelopeField, ProofEphemerals.forChallenge(subject.version(),
                Optional.empty(), false, random), List.of(), candidates);
    }

    @Override
    public boolean handsOutEnvelope() {
        return false;
    }

    @Override
    public boolean checkMayBlock() {
        return true;
    }

    @Override
    public boolean guessableOnline(LoginSubject subject) {
        return true;
    }

    /**
     * The code is only checked here: ENROL_ACCOUNT uses it up in the transaction that creates the account
     * (docs/PROTOCOL.md 8.1), so a client that dies in between can enrol again with the same code.
     */
    @Override
    public Optional<LoginGrant> verify(ProofCheck check) {
        Optional<EnrolmentCode> presented = presentedCode(check);
        if (!(presented.isPresent() && check.finishedOk())) {
            return Optional.empty();
        }
        return Optional.of(new LoginGrant(new Caller(check.subject().username(), Account.Role.ENROLLING,
                presented), Optional.empty(), false));
    }

    /** The candidate the proof presents, if the proof is bound to this handshake. */
    private Optional<EnrolmentCode> presentedCode(ProofCheck check) {
        byte[] proof = check.answer().proof();
        int codeHashLength = EnrolmentCodeKey.CODE_HASH_LENGTH;
        if (proof.length <= codeHashLength) {
            return Optional.empty();
        }
        byte[] codeHash = Arrays.copyOf(proof, codeHashLength);
        try {
            boolean bound = check.schedule().verifyEnrolmentProof(codeHash, check.transcriptThroughServerFinished(),
                    Arrays.copyOfRange(proof, codeHashLength, proof.length));
            byte[] verifier = enrolments.verifier(codeHash);
            EnrolmentCode presented = null;
            // Every candidate is compared, whatever matched: an unknown or taken name costs the same time.
            for (EnrolmentCode code : check.challenge().enrolmentCandidates()) {
                if (MessageDigest.isEqual(code.verifier(), verifier) && bound && presented == null) {
                    presented = code.presentedAs(codeHash);
                }
            }
            return Optional.ofNullable(presented);
        } catch (RuntimeException e) {
            return Optional.empty();
        } finally {
            Arrays.fill(codeHash, (byte) 0);
        }
    }
}
