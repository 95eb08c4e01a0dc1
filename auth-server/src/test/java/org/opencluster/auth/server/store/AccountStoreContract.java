package org.opencluster.auth.server.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Behaviour every {@link AccountStore} must have; run against H2 and PostgreSQL. */
abstract class AccountStoreContract {

    protected abstract AccountStore store();

    private static String unique(String base) {
        return base + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void accountsRoundTripAndUsernamesAreUnique() {
        String name = unique("alice");
        byte[] key = {1, 2, 3};
        byte[] envelope = {9, 9};
        Account a = store().createAccount(name, Account.Kind.PERSON, Account.Role.USER, key, null, envelope);
        assertEquals(name, a.username());
        assertArrayEquals(key, store().findAccount(name).orElseThrow().publicKey());
        assertArrayEquals(envelope, store().findAccount(name).orElseThrow().envelope().orElseThrow());
        assertTrue(store().findAccount(name).orElseThrow().certificate().isEmpty());
        StoreException dup = assertThrows(StoreException.class, () -> store().createAccount(name,
                Account.Kind.SERVICE, Account.Role.USER, key, null, null));
        assertTrue(dup.conflict(), dup.getMessage());
        assertTrue(store().findAccount(unique("nobody")).isEmpty());
    }

    @Test
    void disableAndAdminCount() {
        long admins = store().countAdmins();
        String name = unique("root");
        store().createAccount(name, Account.Kind.PERSON, Account.Role.ADMIN, new byte[] {1}, null, null);
        assertEquals(admins + 1, store().countAdmins());
        assertTrue(store().setDisabled(name, true));
        assertTrue(store().findAccount(name).orElseThrow().disabled());
        assertFalse(store().setDisabled(unique("ghost"), true));
        List<Account> all = store().listAccounts();
        assertTrue(all.stream().anyMatch(x -> x.username().equals(name)));
    }

    @Test
    void policyVersionsAppendInOrderAndConcurrentWritersConflict() {
        long base = store().latestPolicy().map(StoredPolicy::version).orElse(0L);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        store().appendPolicy(new StoredPolicy(base + 1, List.of(0x0001, 0x0003), "root", now));
        StoredPolicy latest = store().latestPolicy().orElseThrow();
        assertEquals(base + 1, latest.version());
        assertEquals(List.of(0x0001, 0x0003), latest.suiteIds());
        StoreException stale = assertThrows(StoreException.class,
                () -> store().appendPolicy(new StoredPolicy(base + 1, List.of(0x0002), "other-node", now)));
        assertTrue(stale.conflict());
        assertThrows(StoreException.class,
                () -> store().appendPolicy(new StoredPolicy(base + 3, List.of(0x0002), "root", now)));
        assertEquals(List.of(0x0001, 0x0003), store().latestPolicy().orElseThrow().suiteIds());
    }

    @Test
    void enrolmentCodesAreSingleUseAndExpire() throws Exception {
        byte[] hash = UUID.randomUUID().toString().getBytes();
        Instant now = Instant.now();
        store().addEnrolmentCode(firstAdminCode(hash, now.plusSeconds(600)));
        assertFalse(store().consumeEnrolmentCode(hash, "other-purpose", now));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicInteger winners = new AtomicInteger();
        try {
            List<Future<?>> tries = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                tries.add(pool.submit(() -> {
                    if (store().consumeEnrolmentCode(hash, "bootstrap-admin", now)) {
                        winners.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : tries) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, winners.get(), "exactly one consumer wins a one-time code");
        byte[] expired = UUID.randomUUID().toString().getBytes();
        store().addEnrolmentCode(firstAdminCode(expired, now.minusSeconds(1)));
        assertFalse(store().consumeEnrolmentCode(expired, "bootstrap-admin", now));
    }

    /** An enrolment code for any name (as the first-admin code is), unused, valid ten minutes. */
    private EnrolmentCodeUse anyNameCode(Instant now) {
        byte[] verifier = UUID.randomUUID().toString().getBytes();
        store().addEnrolmentCode(new EnrolmentCode(verifier, "enrol", java.util.Optional.empty(), Account.Role.USER,
                Account.Kind.PERSON, now.plusSeconds(600)));
        return new EnrolmentCodeUse(verifier, "enrol", now);
    }

    /**
     * Issue 15 item 4: the account and the use of its code are one transaction. Of eight sessions racing with one
     * code (for any name, so the unique username cannot decide), exactly one creates an account and the CA signs
     * exactly once. The old code used the code up at the enrolment login, in a transaction of its own, and the
     * store could create any number of accounts for a session that held a grant.
     */
    @Test
    void racedEnrolmentsWithOneCodeCreateExactlyOneAccountAndOneCertificate() throws Exception {
        Instant now = Instant.now();
        EnrolmentCodeUse code = anyNameCode(now);
        String base = unique("racer");
        AtomicInteger signed = new AtomicInteger();
        AtomicInteger usedUp = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> tries = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String name = base + "-" + i;
                tries.add(pool.submit(() -> {
                    try {
                        store().createCertifiedAccount(name, Account.Kind.PERSON, Account.Role.USER, new byte[] {1},
                                () -> {
                                    signed.incrementAndGet();
                                    return new byte[] {2};
                                }, null, java.util.Optional.of(code));
                    } catch (StoreException e) {
                        assertTrue(e.codeUsedUp(), e.getMessage());
                        usedUp.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : tries) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        long accounts = store().listAccounts().stream().filter(a -> a.username().startsWith(base)).count();
        assertEquals(1, accounts, "one code, one account");
        assertEquals(1, signed.get(), "the CA signed for the winner only");
        assertEquals(7, usedUp.get());
        assertFalse(store().consumeEnrolmentCode(code.verifier(), "enrol", now), "the code is used up");
    }

    /**
     * Issue 15 item 4: an enrolment that does not create its account (a taken name, a refused certification) leaves
     * the code usable, so the enrollee can try again; until the account exists the code is not used up. The old
     * code had used it up at the login already.
     */
    @Test
    void anEnrolmentThatCreatesNoAccountLeavesItsCodeUsable() {
        Instant now = Instant.now();
        EnrolmentCodeUse code = anyNameCode(now);
        String taken = unique("taken");
        store().createAccount(taken, Account.Kind.PERSON, Account.Role.USER, new byte[] {1}, null, null);
        StoreException conflict = assertThrows(StoreException.class, () -> store().createCertifiedAccount(taken,
                Account.Kind.PERSON, Account.Role.USER, new byte[] {1}, () -> new byte[] {2}, null,
                java.util.Optional.of(code)));
        assertTrue(conflict.conflict() && !conflict.codeUsedUp(), conflict.getMessage());
        String refused = unique("refused");
        assertThrows(IllegalArgumentException.class, () -> store().createCertifiedAccount(refused,
                Account.Kind.PERSON, Account.Role.USER, new byte[] {1}, () -> {
                    throw new IllegalArgumentException("the request's signature does not verify");
                }, null, java.util.Optional.of(code)));
        assertTrue(store().findAccount(refused).isEmpty());
        String good = unique("good");
        store().createCertifiedAccount(good, Account.Kind.PERSON, Account.Role.USER, new byte[] {1},
                () -> new byte[] {2}, null, java.util.Optional.of(code));
        assertTrue(store().findAccount(good).isPresent(), "the code still enrolled after two failed attempts");
        StoreException again = assertThrows(StoreException.class, () -> store().createCertifiedAccount(
                unique("late"), Account.Kind.PERSON, Account.Role.USER, new byte[] {1}, () -> new byte[] {2}, null,
                java.util.Optional.of(code)));
        assertTrue(again.codeUsedUp(), again.getMessage());
    }

    private static EnrolmentCode firstAdminCode(byte[] verifier, Instant expires) {
        return new EnrolmentCode(verifier, EnrolmentCode.BOOTSTRAP_ADMIN, java.util.Optional.empty(),
                Account.Role.ADMIN, Account.Kind.PERSON, expires);
    }

    /** Issue 13 item 1: issuing the first admin (its code used) ends every other first-admin code. */
    @Test
    void usingOneFirstAdminCodeEndsEveryOtherFirstAdminCodeButNoOtherCode() {
        Instant now = Instant.now();
        byte[] a = UUID.randomUUID().toString().getBytes();
        byte[] b = UUID.randomUUID().toString().getBytes();
        byte[] invite = UUID.randomUUID().toString().getBytes();
        store().addEnrolmentCode(firstAdminCode(a, now.plusSeconds(600)));
        store().addEnrolmentCode(firstAdminCode(b, now.plusSeconds(600)));
        store().addEnrolmentCode(new EnrolmentCode(invite, "enrol", java.util.Optional.of("bob"),
                Account.Role.USER, Account.Kind.PERSON, now.plusSeconds(600)));
        assertTrue(store().consumeEnrolmentCode(a, EnrolmentCode.BOOTSTRAP_ADMIN, now));
        assertFalse(store().consumeEnrolmentCode(b, EnrolmentCode.BOOTSTRAP_ADMIN, now), "ended with the first");
        assertTrue(store().consumeEnrolmentCode(invite, "enrol", now), "other purposes are untouched");
    }

    private WebAuthnCredentialStore keys() {
        return (WebAuthnCredentialStore) store();
    }

    private static WebAuthnCredential credential(String user, byte[] id, byte[] handle) {
        return new WebAuthnCredential(user, id, handle, new byte[] {(byte) 0xa5, 1, 2}, 0, "key",
                false, Instant.now().truncatedTo(ChronoUnit.MILLIS), java.util.Optional.empty());
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new java.security.SecureRandom().nextBytes(b);
        return b;
    }

    @Test
    void securityKeysRoundTripAndCredentialIdsAreUnique() {
        String name = unique("keyed");
        store().createAccount(name, Account.Kind.PERSON, Account.Role.USER, new byte[] {1}, null, new byte[] {2});
        byte[] id = random(64);
        byte[] handle = random(32);
        keys().addWebAuthnCredential(credential(name, id, handle));
        WebAuthnCredential back = keys().findWebAuthnCredential(id).orElseThrow();
        assertEquals(name, back.username());
        assertArrayEquals(handle, back.userHandle());
        assertArrayEquals(new byte[] {(byte) 0xa5, 1, 2}, back.publicKeyCose());
        assertFalse(back.flagged());
        assertEquals(name, keys().usernameForUserHandle(handle).orElseThrow());
        assertEquals(1, keys().webAuthnCredentials(name).size());
        StoreException dup = assertThrows(StoreException.class,
                () -> keys().addWebAuthnCredential(credential(name, id, handle)));
        assertTrue(dup.conflict(), "the same credential id twice is a conflict");
        StoreException noAccount = assertThrows(StoreException.class,
                () -> keys().addWebAuthnCredential(credential(unique("ghost"), random(64), handle)));
        assertFalse(noAccount.conflict(), "a key for a missing account is not a conflict");
        assertTrue(keys().usernameForUserHandle(random(32)).isEmpty());
    }

    /** Issue 14: delete takes the account's security keys and its unused codes with it, in one transaction. */
    @Test
    void deleteRemovesTheAccountItsSecurityKeysAndItsUnusedCodes() {
        String name = unique("leaving");
        store().createAccount(name, Account.Kind.PERSON, Account.Role.USER, new byte[] {1}, null, new byte[] {2});
        byte[] id = random(64);
        keys().addWebAuthnCredential(credential(name, id, random(32)));
        Instant now = Instant.now();
        byte[] verifier = random(32);
        store().addEnrolmentCode(new EnrolmentCode(verifier, EnrolmentCode.ADD_SECURITY_KEY,
                java.util.Optional.of(name), Account.Role.USER, Account.Kind.PERSON, now.plusSeconds(600)));
        assertTrue(store().deleteAccount(name));
        assertTrue(store().findAccount(name).isEmpty());
        assertTrue(keys().findWebAuthnCredential(id).isEmpty(), "its security keys went with it");
        assertFalse(store().consumeEnrolmentCode(verifier, EnrolmentCode.ADD_SECURITY_KEY, now),
                "a code issued for the deleted account no longer opens anything");
        assertFalse(store().deleteAccount(name), "nothing left to delete");
    }

    /** A reset removes the account and stores its new code together: the code, and only it, enrols the name. */
    @Test
    void resetReplacesTheAccountByItsCodeInOneStep() {
        String name = unique("reset");
        store().createAccount(name, Account.Kind.SERVICE, Account.Role.ADMIN, new byte[] {1}, null, null);
        Instant now = Instant.now();
        byte[] verifier = random(32);
        EnrolmentCode code = new EnrolmentCode(verifier, EnrolmentCode.NEW_ACCOUNT, java.util.Optional.of(name),
                Account.Role.ADMIN, Account.Kind.SERVICE, now.plusSeconds(3600));
        assertTrue(store().resetAccount(name, code));
        assertTrue(store().findAccount(name).isEmpty());
        List<EnrolmentCode> active = store().activeEnrolmentCodes(name, now);
        assertTrue(active.stream().anyMatch(c -> java.util.Arrays.equals(c.verifier(), verifier)
                && c.role() == Account.Role.ADMIN && c.kind() == Account.Kind.SERVICE), active.toString());
        byte[] other = random(32);
        assertFalse(store().resetAccount(unique("ghost"), new EnrolmentCode(other, EnrolmentCode.NEW_ACCOUNT,
                java.util.Optional.of("ghost"), Account.Role.USER, Account.Kind.PERSON, now.plusSeconds(60))));
        assertFalse(store().consumeEnrolmentCode(other, EnrolmentCode.NEW_ACCOUNT, now),
                "no code is stored for an account that does not exist");
    }

    /**
     * Issue 14: an OPAQUE registration record is created with its envelope (enrolment at credential version 2) and
     * replaced with it by a rotation (passphrase change), or cleared with it (key in a token). Before, the store
     * could not create an account with a record, and every rotation cleared it.
     */
    @Test
    void theOpaqueRecordIsWrittenAndReplacedTogetherWithTheEnvelope() {
        String name = unique("registered");
        store().createCertifiedAccount(name, Account.Kind.PERSON, Account.Role.USER, new byte[] {1},
                () -> new byte[] {7}, new byte[] {2}, new byte[] {3}, java.util.Optional.empty());
        Account a = store().findAccount(name).orElseThrow();
        assertArrayEquals(new byte[] {3}, a.opaqueRecord().orElseThrow());
        assertEquals(2, a.credentialVersion());
        assertTrue(store().replaceKey(name, new byte[] {1}, new byte[] {4}, () -> new byte[] {8}, new byte[] {5},
                new byte[] {6}));
        a = store().findAccount(name).orElseThrow();
        assertArrayEquals(new byte[] {5}, a.envelope().orElseThrow());
        assertArrayEquals(new byte[] {6}, a.opaqueRecord().orElseThrow());
        assertTrue(store().replaceKey(name, new byte[] {4}, new byte[] {9}, () -> new byte[] {8}, null));
        assertEquals(0, store().findAccount(name).orElseThrow().credentialVersion(), "envelope and record gone");
    }

    /** Rotation is compare-and-set on the current key; a failed issuance leaves the old key in place. */
    @Test
    void replaceKeyIsCompareAndSetAndAtomicWithItsCertificate() {
        String name = unique("rotating");
        store().createAccount(name, Account.Kind.PERSON, Account.Role.USER, new byte[] {1}, new byte[] {7},
                new byte[] {2});
        assertTrue(store().replaceKey(name, new byte[] {1}, new byte[] {3}, () -> new byte[] {8}, new byte[] {4}));
        Account a = store().findAccount(name).orElseThrow();
        assertArrayEquals(new byte[] {3}, a.publicKey());
        assertArrayEquals(new byte[] {8}, a.certificate().orElseThrow());
        assertArrayEquals(new byte[] {4}, a.envelope().orElseThrow());
        assertFalse(store().replaceKey(name, new byte[] {1}, new byte[] {5}, () -> new byte[] {9}, null),
                "a rotation from a stale key loses");
        assertThrows(IllegalStateException.class, () -> store().replaceKey(name, new byte[] {3}, new byte[] {6},
                () -> {
                    throw new IllegalStateException("the CA refused");
                }, null));
        a = store().findAccount(name).orElseThrow();
        assertArrayEquals(new byte[] {3}, a.publicKey(), "a failed issuance changes nothing");
        assertArrayEquals(new byte[] {4}, a.envelope().orElseThrow());
        assertTrue(store().replaceKey(name, new byte[] {3}, new byte[] {6}, () -> new byte[] {9}, null));
        assertTrue(store().findAccount(name).orElseThrow().envelope().isEmpty(), "a key in a token: no envelope");
        assertFalse(store().replaceKey(unique("ghost"), new byte[] {3}, new byte[] {6}, () -> new byte[] {9}, null));
    }

    @Test
    void securityKeyPersonIsCreatedWithItsKeyOrNotAtAll() {
        String name = unique("fido");
        byte[] id = random(64);
        Account a = keys().createSecurityKeyPerson(Account.Role.ADMIN, credential(name, id, random(32)));
        assertFalse(a.hasPublicKey(), "a security-key person has no key pair");
        assertTrue(a.envelope().isEmpty());
        assertEquals(Account.Role.ADMIN, a.role());
        assertEquals(Account.Kind.PERSON, a.kind());
        assertThrows(IllegalStateException.class, a::publicKey);
        byte[] second = random(64);
        StoreException taken = assertThrows(StoreException.class,
                () -> keys().createSecurityKeyPerson(Account.Role.USER, credential(name, second, random(32))));
        assertTrue(taken.conflict());
        assertTrue(keys().findWebAuthnCredential(second).isEmpty(), "the failed creation left no key behind");
        assertEquals(1, keys().webAuthnCredentials(name).size());
    }

    @Test
    void signatureCounterMovesOnlyFromTheExpectedValueAndFlaggingStopsIt() {
        String name = unique("counter");
        store().createAccount(name, Account.Kind.PERSON, Account.Role.USER, new byte[] {1}, null, null);
        byte[] id = random(48);
        keys().addWebAuthnCredential(credential(name, id, random(32)));
        Instant now = Instant.now();
        assertTrue(keys().recordWebAuthnUse(id, 0, 5, now));
        assertFalse(keys().recordWebAuthnUse(id, 0, 6, now), "a stale expected value loses");
        assertTrue(keys().recordWebAuthnUse(id, 5, 6, now));
        WebAuthnCredential used = keys().findWebAuthnCredential(id).orElseThrow();
        assertEquals(6, used.signatureCount());
        assertTrue(used.lastUsedAt().isPresent());
        keys().flagWebAuthnCredential(id);
        assertTrue(keys().findWebAuthnCredential(id).orElseThrow().flagged());
        assertFalse(keys().recordWebAuthnUse(id, 6, 7, now), "a flagged credential is never used again");
        assertFalse(keys().removeWebAuthnCredential(unique("other"), id), "only the owner removes a key");
        assertTrue(keys().removeWebAuthnCredential(name, id));
        assertTrue(keys().findWebAuthnCredential(id).isEmpty());
    }
}
