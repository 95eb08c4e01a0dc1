package org.opencluster.auth.server.login;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.handshake.PublicKeys;
import org.opencluster.auth.protocol.suite.KeyExchange;
import org.opencluster.auth.protocol.suite.KeyExchanges;
import org.opencluster.auth.protocol.suite.SuiteException;

/**
 * Proof kind 2 (docs/PROTOCOL.md 5.5.1): the account key agrees with the challenge's ephemeral and the result keys
 * an HMAC over the transcript hash. An unknown name's proof is checked against an agreement with a key nobody
 * holds, so its refusal costs what a wrong proof's does.
 */
final class KeyAgreementVerifier extends KeyProofVerifier {
    KeyAgreementVerifier(SecureRandom random, String remote) {
        super(random, remote);
    }

    @Override
    public ProofKind kind() {
        return ProofKind.KEY_AGREEMENT;
    }

    @Override
    boolean agrees() {
        return true;
    }

    @Override
    boolean proofHolds(ProofCheck check) {
        byte[] z = null;
        try {
            Optional<KeyExchange.EphemeralKeyPair> mine = check.challenge().ephemerals().pairFor(check.subject().key());
            if (mine.isEmpty()) {
                return false;
            }
            byte[] peer = check.subject().key().isPresent() ? PublicKeys.encode(check.subject().key().get())
                    : KeyExchanges.forGroup(mine.get().group()).decoyPublicKey(random);
            z = mine.get().agree(peer);
            boolean bound = check.schedule().verifyKeyAgreementProof(z, check.transcriptThroughServerFinished(),
                    check.answer().proof());
            return check.subject().key().isPresent() && bound;
        } catch (SuiteException | RuntimeException e) {
            return false;
        } finally {
            if (z != null) {
                Arrays.fill(z, (byte) 0);
            }
        }
    }
}
