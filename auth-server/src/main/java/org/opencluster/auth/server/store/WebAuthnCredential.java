package org.opencluster.auth.server.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A registered WebAuthn security key of an account.
 *
 * @param signatureCount the authenticator's signature counter at its last accepted use (0: it keeps none)
 * @param flagged        the counter once went backwards (a cloned key?): the credential is refused from then on
 */
public record WebAuthnCredential(String username, byte[] credentialId, byte[] userHandle, byte[] publicKeyCose,
        long signatureCount, String label, boolean flagged, Instant createdAt, Optional<Instant> lastUsedAt) {
    public WebAuthnCredential {
        Objects.requireNonNull(username, "username");
        credentialId = credentialId.clone();
        userHandle = userHandle.clone();
        publicKeyCose = publicKeyCose.clone();
        if (credentialId.length == 0 || credentialId.length > 1023) {
            throw new IllegalArgumentException("a credential id has 1-1023 bytes");
        }
        if (userHandle.length == 0 || userHandle.length > 64) {
            throw new IllegalArgumentException("a user handle has 1-64 bytes");
        }
        if (signatureCount < 0 || signatureCount > 0xffffffffL) {
            throw new IllegalArgumentException("the signature counter is an unsigned 32-bit value");
        }
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(lastUsedAt, "lastUsedAt");
    }

    @Override
    public byte[] credentialId() {
        return credentialId.clone();
    }

    @Override
    public byte[] userHandle() {
        return userHandle.clone();
    }

    @Override
    public byte[] publicKeyCose() {
        return publicKeyCose.clone();
    }

    @Override
    public String toString() {
        return "WebAuthnCredential[" + username + ", " + label + (flagged ? ", flagged" : "") + "]";
    }
}
