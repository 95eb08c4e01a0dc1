package org.opencluster.auth.client.login;

import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.PROOF_EPHEMERAL;
import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.PROOF_EPHEMERAL_X25519;

import java.util.Arrays;
import java.util.Optional;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.handshake.KeySchedule;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.TokenOperation;

/**
 * Proof kind 2 (docs/PROTOCOL.md 5.5.1): the token agrees with the challenge's ephemeral (version 3 offers an
 * X25519 one beside P-256; the key's group picks) and the result keys an HMAC over the transcript hash.
 */
final class KeyAgreementProver implements KeyProver {
    @Override
    public ProofKind kind() {
        return ProofKind.KEY_AGREEMENT;
    }

    @Override
    public boolean canProve(Token token) {
        return token.operations().contains(TokenOperation.KEY_AGREEMENT)
                && (token.keyType() == KeyType.X25519 || token.keyType() == KeyType.EC_P256);
    }

    @Override
    public ProofProver.Proof prove(Token token, HandshakeMessage challenge, KeySchedule schedule,
            byte[] transcriptHash) throws HandshakeException, TokenException {
        boolean x25519 = token.keyType() == KeyType.X25519 && challenge.has(PROOF_EPHEMERAL_X25519);
        byte[] z = TokenProofs.agree(token, challenge.bytes(x25519 ? PROOF_EPHEMERAL_X25519 : PROOF_EPHEMERAL));
        try {
            return new ProofProver.Proof(kind(), 0, schedule.keyAgreementProof(z, transcriptHash), Optional.empty());
        } finally {
            Arrays.fill(z, (byte) 0);
        }
    }
}
