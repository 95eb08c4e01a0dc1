package org.opencluster.auth.client.login;

import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.handshake.KeySchedule;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenException;

/** One proof with the account key's token (signature or key agreement), used by {@link CredentialProver}. */
interface KeyProver {
    ProofKind kind();

    /** Whether the token's key can make this proof. */
    boolean canProve(Token token);

    /** The proof; the signature scheme's wire code is 0 for a key agreement. */
    ProofProver.Proof prove(Token token, HandshakeMessage challenge, KeySchedule schedule, byte[] transcriptHash)
            throws HandshakeException, TokenException;
}
