package org.opencluster.auth.client.login;

import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.WEBAUTHN_OPTIONS;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.opencluster.auth.protocol.handshake.HandshakeCommands;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.HandshakeLabels;
import org.opencluster.auth.protocol.handshake.ProofKind;

/** Proof kind 4 (docs/PROTOCOL.md 5.5.4): the security key's assertion over the handshake's WebAuthn challenge. */
final class WebAuthnProver implements ProofProver {
    /** What a mismatch between this login and the server's challenge says. */
    static final String MISMATCH = "the server asked for a proof kind that does not fit this security-key login";

    private final WebAuthnAuthenticator authenticator;

    WebAuthnProver(WebAuthnAuthenticator authenticator) {
        this.authenticator = Objects.requireNonNull(authenticator);
    }

    @Override
    public Set<ProofKind> answers() {
        return Set.of(ProofKind.WEBAUTHN);
    }

    @Override
    public Optional<Integer> requestExtension() {
        return Optional.of(HandshakeLabels.EXTENSION_WEBAUTHN);
    }

    @Override
    public Proof prove(Request request) throws HandshakeException, LoginException {
        if (!request.challenge().has(WEBAUTHN_OPTIONS)) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, MISMATCH);
        }
        byte[] webauthnChallenge = request.schedule().webauthnChallenge(request.transcriptHash());
        byte[] proof = authenticator.getAssertion(request.challenge().bytes(WEBAUTHN_OPTIONS), webauthnChallenge);
        if (proof == null || proof.length == 0 || proof.length > HandshakeCommands.MAX_WEBAUTHN_PROOF) {
            throw new LoginException(-1, "the security key's assertion must be 1-"
                    + HandshakeCommands.MAX_WEBAUTHN_PROOF + " bytes of JSON");
        }
        return new Proof(request.asked(), 0, proof, Optional.empty());
    }
}
