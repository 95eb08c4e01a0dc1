package org.opencluster.auth.server.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Security keys (WebAuthn credentials) of accounts. */
public interface WebAuthnCredentialStore {

    /** The account's keys, flagged ones included, oldest first. */
    List<WebAuthnCredential> webAuthnCredentials(String username);

    Optional<WebAuthnCredential> findWebAuthnCredential(byte[] credentialId);

    /** The account that owns {@code userHandle}, if any. */
    Optional<String> usernameForUserHandle(byte[] userHandle);

    /**
     * Adds a key to an existing account. An unknown account is {@link StoreException} (not a conflict); a
     * credential id that is registered already (to anyone) is a {@link StoreException#conflict() conflict}.
     */
    default void addWebAuthnCredential(WebAuthnCredential credential) {
        addWebAuthnCredential(credential, Optional.empty());
    }

    /** As above, using {@code code} up in the same transaction (see {@link EnrolmentCodeUse}). */
    void addWebAuthnCredential(WebAuthnCredential credential, Optional<EnrolmentCodeUse> code);

    /**
     * Creates a person whose only credential is this security key (no key pair, no envelope) and the key, in one
     * transaction: a taken name is a {@link StoreException#conflict() conflict} and leaves nothing behind.
     */
    default Account createSecurityKeyPerson(Account.Role role, WebAuthnCredential credential) {
        return createSecurityKeyPerson(role, credential, Optional.empty());
    }

    /** As above, using {@code code} up in the same transaction (see {@link EnrolmentCodeUse}). */
    Account createSecurityKeyPerson(Account.Role role, WebAuthnCredential credential,
            Optional<EnrolmentCodeUse> code);

    /**
     * Records an accepted use: sets the counter to {@code newCount} only if it still is {@code expectedCount}
     * (so two concurrent logins with one assertion cannot both pass). False when it changed meanwhile.
     */
    boolean recordWebAuthnUse(byte[] credentialId, long expectedCount, long newCount, Instant at);

    /** Marks a credential as refused from now on (its counter went backwards). */
    void flagWebAuthnCredential(byte[] credentialId);

    /** Removes one of {@code username}'s keys; false when it has no such key. */
    boolean removeWebAuthnCredential(String username, byte[] credentialId);
}
