package org.opencluster.auth.server.login;

import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.Optional;
import org.opencluster.auth.protocol.handshake.HandshakeLabels;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.handshake.SignatureAlgorithm;

/**
 * Proof kind 1 (docs/PROTOCOL.md 5.5.1): the account key signs the transcript hash through SERVER_FINISHED under
 * the client-proof context. An unknown name's proof is verified against a key nobody holds
 * ({@link DecoyVerifyingKeys}), so its refusal costs what a wrong signature's does.
 */
final class SignatureVerifier extends KeyProofVerifier {
    SignatureVerifier(SecureRandom random, String remote) {
        super(random, remote);
    }

    @Override
    public ProofKind kind() {
        return ProofKind.SIGNATURE;
    }

    @Override
    boolean agrees() {
        return false;
    }

    @Override
    boolean proofHolds(ProofCheck check) {
        try {
            Optional<SignatureAlgorithm> alg = SignatureAlgorithm.fromCode(check.answer().scheme());
            if (alg.isEmpty()) {
                return false;
            }
            Optional<PublicKey> key = check.subject().key();
            boolean verified = alg.get().verify(key.orElseGet(() -> DecoyVerifyingKeys.forScheme(alg.get())),
                    HandshakeLabels.signatureInput(HandshakeLabels.CLIENT_PROOF_SIGNATURE_CONTEXT,
                            check.transcriptThroughServerFinished()), check.answer().proof());
            // A key its certificate marks for key agreement only may not prove by signature (version 3 lets the
            // client choose the kind).
            return key.isPresent() && verified && check.subject().account().get().keySigns();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
