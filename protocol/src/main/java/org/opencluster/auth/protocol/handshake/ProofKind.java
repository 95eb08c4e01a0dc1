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
    ENROLMENT_CODE(0x03);

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
