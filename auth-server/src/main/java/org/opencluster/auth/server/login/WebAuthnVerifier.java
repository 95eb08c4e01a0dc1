package org.opencluster.auth.server.login;

import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.WEBAUTHN_OPTIONS;

import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;

/**
 * Proof kind 4 (docs/PROTOCOL.md 5.5.4): a WebAuthn assertion over a challenge derived from the transcript hash.
 * The challenge adds WEBAUTHN_OPTIONS (a decoy of the same shape for an unknown name, {@link WebAuthnLogins}) and
 * hands out no envelope: a security-key login does not need one, so the real one is not given away for nothing.
 */
final class WebAuthnVerifier implements ProofVerifier {
    private final WebAuthnLogins logins;
    private final SecureRandom random;
    private final String remote;

    WebAuthnVerifier(WebAuthnLogins logins, SecureRandom random, String remote) {
        this.random = random;
        this.logins = logins;
        this.remote = remote;
    }

    @Override
    public ProofKind kind() {
        return ProofKind.WEBAUTHN;
    }

    @Override
    public ProofChallenge challenge(LoginSubject subject, byte[] envelopeField) {
        ProofEphemerals ephemerals = ProofEphemerals.forChallenge(subject.version(), subject.key(), false,
                random);
        try {
            return ProofChallenge.of(kind(), envelopeField, ephemerals, List.of(RispCommand.string(WEBAUTHN_OPTIONS,
                    logins.requestOptions(subject.username(), subject.account()))), List.of());
        } catch (RuntimeException e) {
            ephemerals.close();
            throw e;
        }
    }

    @Override
    public boolean handsOutEnvelope() {
        return false;
    }

    /** An assertion is JSON, bounded by the command registry (MAX_WEBAUTHN_PROOF), not by the key-proof limit. */
    @Override
    public int maxProofLength() {
        return Integer.MAX_VALUE;
    }

    @Override
    public boolean checkMayBlock() {
        return true;
    }

    @Override
    public Optional<LoginGrant> verify(ProofCheck check) {
        boolean proven;
        byte[] challenge = null;
        try {
            challenge = check.schedule().webauthnChallenge(check.transcriptThroughServerFinished());
            proven = logins.verify(check.subject().username(), check.subject().account(), challenge,
                    check.answer().proof());
        } catch (RuntimeException e) {
            proven = false;
        } finally {
            if (challenge != null) {
                java.util.Arrays.fill(challenge, (byte) 0);
            }
        }
        return AccountStanding.admit(check, proven, Optional.empty(), remote);
    }
}
