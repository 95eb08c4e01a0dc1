package org.opencluster.auth.client.login;

import java.util.Optional;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.HandshakeLabels;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.handshake.KeySchedule;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenException;

/** Proof kind 1 (docs/PROTOCOL.md 5.5.1): the token signs the transcript hash under the client-proof context. */
final class SignatureProver implements KeyProver {
    @Override
    public ProofKind kind() {
        return ProofKind.SIGNATURE;
    }

    @Override
    public boolean canProve(Token token) {
        return !token.signatureSchemes().isEmpty();
    }

    @Override
    public ProofProver.Proof prove(Token token, HandshakeMessage challenge, KeySchedule schedule,
            byte[] transcriptHash) throws HandshakeException, TokenException {
        TokenProofs.Proof sig = TokenProofs.sign(token,
                HandshakeLabels.signatureInput(HandshakeLabels.CLIENT_PROOF_SIGNATURE_CONTEXT, transcriptHash));
        return new ProofProver.Proof(kind(), sig.scheme(), sig.value(), Optional.empty());
    }
}
