package org.opencluster.auth.server.store;

import java.util.List;
import java.util.Optional;

/** Accounts, suite policy versions and enrolment codes: everything the server persists. */
public interface AccountStore {

    Optional<Account> findAccount(String username);

    /** Creates an account; a taken username is a {@link StoreException#conflict() conflict}. */
    Account createAccount(String username, Account.Kind kind, Account.Role role, byte[] publicKey, byte[] certificate,
            byte[] envelope);

    /**
     * Creates an account whose certificate {@code certify} issues only once the store has accepted the row: a taken
     * username is a {@link StoreException#conflict() conflict} before anything is signed, and an issuance that fails
     * leaves no account. So no certificate ever exists for an enrolment that did not happen.
     */
    default Account createCertifiedAccount(String username, Account.Kind kind, Account.Role role, byte[] publicKey,
            Certification certify, byte[] envelope) {
        return createCertifiedAccount(username, kind, role, publicKey, certify, envelope, Optional.empty());
    }

    /**
     * As above, using {@code code} up in the same transaction: a code used, revoked or expired meanwhile is a
     * {@link StoreException#codeUsedUp() conflict} before anything is signed, and nothing is created.
     */
    default Account createCertifiedAccount(String username, Account.Kind kind, Account.Role role, byte[] publicKey,
            Certification certify, byte[] envelope, Optional<EnrolmentCodeUse> code) {
        return createCertifiedAccount(username, kind, role, publicKey, certify, envelope, null, code);
    }

    /**
     * As above, with the person's OPAQUE registration record stored with the envelope (credential version 2 from
     * the start, docs/PROTOCOL.md 8.1); {@code opaqueRecord} null: version 1, or no passphrase.
     */
    Account createCertifiedAccount(String username, Account.Kind kind, Account.Role role, byte[] publicKey,
            Certification certify, byte[] envelope, byte[] opaqueRecord, Optional<EnrolmentCodeUse> code);

    /** Issues the certificate of an account the store has just accepted (DER). */
    @FunctionalInterface
    interface Certification {
        byte[] issue();
    }

    /** All accounts, ordered by username. */
    List<Account> listAccounts();

    /** Enables or disables an account; false when there is no such account. */
    boolean setDisabled(String username, boolean disabled);

    /**
     * Replaces a person's envelope and OPAQUE registration record together (credential version 2, docs/PROTOCOL.md
     * 5.5.6): the re-registration after a login (a version 1 account, or one whose passphrase changed). False when
     * there is no such person.
     */
    boolean setOpaqueCredential(String username, byte[] envelope, byte[] opaqueRecord);

    /**
     * Deletes an account with its security keys and every unused enrolment code for its name, in one transaction:
     * the name can come back only through a new code. False when there is no such account.
     */
    boolean deleteAccount(String username);

    /**
     * {@link #deleteAccount} and {@link #addEnrolmentCode}({@code code}) in one transaction: the account's key,
     * envelope and security keys stop working at once, and only {@code code} can enrol the name again. False (and
     * no code stored) when there is no such account.
     */
    boolean resetAccount(String username, EnrolmentCode code);

    /**
     * Replaces the key, certificate and envelope of {@code username} in one transaction, only while its key is still
     * {@code expectedKey} (compare and set: of two concurrent rotations one wins, the other gets false). The row
     * changes first, then {@code certify} issues the new certificate in the same transaction, so a failed issuance
     * leaves the old key in place. {@code envelope} null: the account has none afterwards (a key in a token).
     */
    default boolean replaceKey(String username, byte[] expectedKey, byte[] newKey, Certification certify,
            byte[] envelope) {
        return replaceKey(username, expectedKey, newKey, certify, envelope, null);
    }

    /**
     * As above, with the OPAQUE registration record of the new envelope written in the same statement (a passphrase
     * change at credential version 2, docs/PROTOCOL.md 8.3); {@code opaqueRecord} null: the account has none
     * afterwards, so an old record can never meet a new envelope.
     */
    boolean replaceKey(String username, byte[] expectedKey, byte[] newKey, Certification certify, byte[] envelope,
            byte[] opaqueRecord);

    /** Counts admin accounts (a fresh server has none and accepts a bootstrap enrolment). */
    long countAdmins();

    /** The newest suite policy version, if any was ever stored. */
    Optional<StoredPolicy> latestPolicy();

    /**
     * Stores a new policy version. It must be exactly the newest version + 1 (or 1 for the first): a concurrent
     * writer on another node makes this a {@link StoreException#conflict() conflict}, never a lost update.
     */
    void appendPolicy(StoredPolicy policy);

    /**
     * Records a one-time enrolment code by its verifier (never the code nor its hash), and in the same transaction
     * deletes every expired code, so the table holds only codes that can still be used.
     */
    void addEnrolmentCode(EnrolmentCode code);

    /** Unused, unexpired codes that may enrol {@code username} (codes for that name, and codes for any name). */
    List<EnrolmentCode> activeEnrolmentCodes(String username, java.time.Instant now);

    /**
     * Consumes a code atomically: true only for the first caller, before expiry, with the same purpose. A second
     * use, an expired code or an unknown one all give false. Consuming a first-admin code
     * ({@link EnrolmentCode#BOOTSTRAP_ADMIN}) ends every other first-admin code in the same transaction. A consumed
     * code is deleted, not kept. (Enrolment consumes its code with the account it creates: {@link EnrolmentCodeUse}.)
     */
    boolean consumeEnrolmentCode(byte[] verifier, String purpose, java.time.Instant now);

    /** Ends (deletes) every unused code of {@code purpose}; returns how many. */
    int revokeEnrolmentCodes(String purpose, java.time.Instant now);
}
