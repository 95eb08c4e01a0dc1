package org.opencluster.auth.client.login;

import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.opencluster.auth.protocol.frame.FrameException;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.pake.CredentialRequest;
import org.opencluster.auth.protocol.pake.PendingRequest;
import org.opencluster.auth.token.TokenException;

/**
 * The one place on the client that maps the proof kind a server asks for to the prover of this login: the
 * account key ({@link CredentialProver}), an enrolment code or a security key. A server asking for a kind this
 * login has no prover for is refused before any proof is made.
 */
final class ProofProvers {
    private static final String ENROLMENT_MISMATCH =
            "the server asked for a proof kind that does not fit this login or enrolment";

    private final ProofProver prover;
    private final Map<ProofKind, ProofProver> byKind = new EnumMap<>(ProofKind.class);

    private ProofProvers(ProofProver prover) {
        this.prover = prover;
        prover.answers().forEach(kind -> byKind.put(kind, prover));
    }

    /** A login with the account key the credential gives. */
    static ProofProvers credential(LoginCredential credential) {
        return new ProofProvers(new CredentialProver(credential));
    }

    /** An enrolment with the one-time code whose hash is {@code codeHash}. */
    static ProofProvers enrolment(byte[] codeHash) {
        return new ProofProvers(new EnrolmentCodeProver(codeHash));
    }

    /** A security-key login. */
    static ProofProvers securityKey(WebAuthnAuthenticator authenticator) {
        return new ProofProvers(new WebAuthnProver(authenticator));
    }

    /** Whether this login is an enrolment (no account yet). */
    boolean enrols() {
        return byKind.containsKey(ProofKind.ENROLMENT_CODE);
    }

    /** The LOGIN_REQUEST extension that asks for this login's kind, if any. */
    Optional<Integer> requestExtension() {
        return prover.requestExtension();
    }

    PendingRequest<CredentialRequest> oprfRequest(SecureRandom random) throws TokenException {
        return prover.oprfRequest(random);
    }

    boolean usesDeviceTokens() {
        return prover.usesDeviceTokens();
    }

    /** The proof the server asked for, by the prover that answers it; a kind this login cannot answer is refused. */
    ProofProver.Proof prove(ProofProver.Request request)
            throws HandshakeException, TokenException, LoginException, FrameException {
        ProofProver answering = byKind.get(request.asked());
        if (answering == null) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, enrols()
                    || request.asked() == ProofKind.ENROLMENT_CODE ? ENROLMENT_MISMATCH : WebAuthnProver.MISMATCH);
        }
        return answering.prove(request);
    }
}
