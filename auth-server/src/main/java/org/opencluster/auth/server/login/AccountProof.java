package org.opencluster.auth.server.login;

import java.security.PublicKey;
import java.util.Objects;
import org.opencluster.auth.protocol.handshake.ProofKind;

/** The key a session's account proved at login and how (signature or key agreement): a re-authentication asks again. */
public record AccountProof(PublicKey key, ProofKind kind) {
    public AccountProof {
        Objects.requireNonNull(key);
        if (kind != ProofKind.SIGNATURE && kind != ProofKind.KEY_AGREEMENT) {
            throw new IllegalArgumentException("an account proves with a signature or a key agreement, not " + kind);
        }
    }
}
