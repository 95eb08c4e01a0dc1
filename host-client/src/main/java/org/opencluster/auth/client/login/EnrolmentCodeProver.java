package org.opencluster.auth.client.login;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import org.opencluster.auth.protocol.handshake.HandshakeLabels;
import org.opencluster.auth.protocol.handshake.ProofKind;

/**
 * Proof kind 3 (docs/PROTOCOL.md 5.5.3): code_hash || HMAC(proof_key, T). The server keeps only a keyed verifier
 * of code_hash, so it needs code_hash itself; this flight is encrypted to the server authenticated before it.
 */
final class EnrolmentCodeProver implements ProofProver {
    private final byte[] codeHash;

    EnrolmentCodeProver(byte[] codeHash) {
        this.codeHash = codeHash.clone();
    }

    @Override
    public Set<ProofKind> answers() {
        return Set.of(ProofKind.ENROLMENT_CODE);
    }

    @Override
    public Optional<Integer> requestExtension() {
        return Optional.of(HandshakeLabels.EXTENSION_ENROLMENT);
    }

    /** A new account has no device yet. */
    @Override
    public boolean usesDeviceTokens() {
        return false;
    }

    @Override
    public Proof prove(Request request) {
        byte[] bound = request.schedule().enrolmentProof(codeHash, request.transcriptHash());
        byte[] proof = Arrays.copyOf(codeHash, codeHash.length + bound.length);
        System.arraycopy(bound, 0, proof, codeHash.length, bound.length);
        return new Proof(request.asked(), 0, proof, Optional.empty());
    }
}
