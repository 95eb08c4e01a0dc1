package org.opencluster.auth.server.login;

import org.opencluster.auth.protocol.handshake.DecoyEnvelope;
import org.opencluster.auth.token.envelope.KdfParameters;
import org.opencluster.auth.token.envelope.PassphraseEnvelope;

/**
 * Envelopes for usernames that have none (unknown users and service accounts): a well-formed envelope for that
 * very username with the default KDF parameters, whose salt, nonce, check value and ciphertext come from the
 * server's decoy secret. Asking twice gives the same bytes, as for a real account; opening it fails with "wrong
 * passphrase", as for a real account with the wrong passphrase.
 */
final class DecoyEnvelopes {
    /**
     * Padded plaintext of a person's envelope with a P-256, P-384, Ed25519 or X25519 key and no certificate (the
     * common case a decoy must look like).
     */
    static final int PLAINTEXT_LENGTH = 512;

    private DecoyEnvelopes() {
    }

    static byte[] derive(byte[] secret, String username) {
        byte[] material = DecoyEnvelope.derive(secret, username,
                PassphraseEnvelope.decoyMaterialLength(PLAINTEXT_LENGTH));
        try {
            return PassphraseEnvelope.decoy(username, KdfParameters.DEFAULT, PLAINTEXT_LENGTH, material);
        } finally {
            java.util.Arrays.fill(material, (byte) 0);
        }
    }
}
