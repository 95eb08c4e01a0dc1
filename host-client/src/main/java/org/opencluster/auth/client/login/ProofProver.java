package org.opencluster.auth.client.login;

import java.security.SecureRandom;
import java.util.Optional;
import org.opencluster.auth.protocol.pake.CredentialRequest;
import org.opencluster.auth.protocol.pake.PendingRequest;
import org.opencluster.auth.protocol.frame.FrameException;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.handshake.KeySchedule;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.token.TokenException;

/**
 * The client's part of one way of logging in (docs/PROTOCOL.md 5.5): what LOGIN_REQUEST asks for, and the
 * LOGIN_PROOF answering the server's challenge. {@link ProofProvers} is the one place that maps a proof kind the
 * server asks for to the prover that answers it.
 */
interface ProofProver {
    /** The kinds this prover answers when the server asks for them. */
    java.util.Set<ProofKind> answers();

    /** The LOGIN_REQUEST extension (empty data) that asks the server for this kind, if any. */
    default Optional<Integer> requestExtension() {
        return Optional.empty();
    }

    /** Whether this login carries the DEVICE_TOKEN extension when the client keeps tokens (not an enrolment). */
    default boolean usesDeviceTokens() {
        return true;
    }

    /** This login's OPRF credential request (extension 0x0001): a blinded random input unless a credential blinds a passphrase. */
    default PendingRequest<CredentialRequest> oprfRequest(SecureRandom random) throws TokenException {
        return OprfAnswer.unrelatedRequest(random);
    }

    /** The proof the server asked for. */
    Proof prove(Request request) throws HandshakeException, TokenException, LoginException, FrameException;

    /**
     * What a proof answers: the kind asked for, LOGIN_CHALLENGE and its ENVELOPE (unpadded), and the key schedule
     * and transcript hash (through SERVER_FINISHED) the proof is bound to, and the login's OPRF step.
     */
    record Request(ProofKind asked, HandshakeMessage challenge, byte[] envelope, KeySchedule schedule,
            byte[] transcriptHash, String username, OprfAnswer oprf) {
    }

    /**
     * A LOGIN_PROOF's content.
     *
     * @param envelope the envelope the proof opened (for re-authentication); empty when it used none
     */
    record Proof(ProofKind kind, int scheme, byte[] value, Optional<byte[]> envelope) {
    }
}
