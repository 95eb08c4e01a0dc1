package org.opencluster.auth.protocol.handshake;

import java.util.Optional;

/** How the client proves possession of its certificate key (PROOF_KIND on the wire). */
public enum ProofKind {
    /** The account key signs the transcript hash (ECDSA, Ed25519, RSA-PSS). */
    SIGNATURE(0x01),
    /**
     * The account key does ECDH with a server ephemeral key, the result keys an HMAC over the transcript hash:
     * the seed's "decrypt a special code"; works with decrypt/derive-only keys such as a PIV key-management slot.
     */
    KEY_AGREEMENT(0x02),
    /**
     * Enrolment: no account exists yet; the client proves knowledge of a one-time enrolment code issued by an admin
     * (or by {@code oca-server init} for the first admin). The session that follows may only enrol the account.
     */
    ENROLMENT_CODE(0x03),
    /**
     * A WebAuthn assertion (a FIDO2 security key, in a browser or through a platform API): the authenticator signs
     * a challenge derived from the handshake transcript, so the assertion is bound to this session and suite.
     * Asked for with the LOGIN_REQUEST extension WEBAUTHN; PROOF is the assertion's JSON.
     */
    WEBAUTHN(0x04);

    private final int wireValue;

    ProofKind(int wireValue) {
        this.wireValue = wireValue;
    }

    public int wireValue() {
        return wireValue;
    }

    public static Optional<ProofKind> fromWire(int value) {
        for (ProofKind k : values()) {
            if (k.wireValue == value) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
