package org.opencluster.auth.server.login;

import org.opencluster.auth.protocol.handshake.ProofKind;

/** A LOGIN_PROOF as received: its kind (one the challenge accepts), SIGNATURE_SCHEME and PROOF. */
record ProofAnswer(ProofKind kind, int scheme, byte[] proof) {
}
