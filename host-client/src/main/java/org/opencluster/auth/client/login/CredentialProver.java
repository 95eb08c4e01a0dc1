package org.opencluster.auth.client.login;

import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.PROOF_EPHEMERAL_X25519;

import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.pake.CredentialRequest;
import org.opencluster.auth.protocol.pake.PendingRequest;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenException;

/**
 * A login with the account key (kinds 1 and 2): the credential opens the envelope the server sent (or ignores it,
 * for a card or a service) and the token makes the one proof asked for. In version 3 the challenge is the same for
 * every account and the kind asked for is the server's preference: a key that cannot make it proves the other way
 * (section 5.3.7).
 */
final class CredentialProver implements ProofProver {
    private final LoginCredential credential;
    private final Map<ProofKind, KeyProver> byKind = new EnumMap<>(ProofKind.class);

    CredentialProver(LoginCredential credential) {
        this.credential = Objects.requireNonNull(credential);
        for (KeyProver p : new KeyProver[] {new SignatureProver(), new KeyAgreementProver()}) {
            byKind.put(p.kind(), p);
        }
    }

    @Override
    public Set<ProofKind> answers() {
        return byKind.keySet();
    }

    @Override
    public PendingRequest<CredentialRequest> oprfRequest(SecureRandom random) throws TokenException {
        return credential.oprfRequest(random);
    }

    @Override
    public Proof prove(Request request) throws HandshakeException, TokenException {
        try (Token token = credential.unlock(request.username(), request.envelope(), request.oprf())) {
            KeyProver prover = byKind.get(request.asked());
            if (request.challenge().has(PROOF_EPHEMERAL_X25519) && !prover.canProve(token)) {
                KeyProver other = byKind.get(request.asked() == ProofKind.KEY_AGREEMENT ? ProofKind.SIGNATURE
                        : ProofKind.KEY_AGREEMENT);
                prover = other.canProve(token) ? other : prover;
            }
            Proof proof = prover.prove(token, request.challenge(), request.schedule(), request.transcriptHash());
            return new Proof(proof.kind(), proof.scheme(), proof.value(), Optional.of(request.envelope()));
        }
    }
}
