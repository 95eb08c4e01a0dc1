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
import org.opencluster.auth.server.dispatch.Caller;

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
        Account a = store().createAccount(name, Account.Kind.PERSON, Caller.Role.USER, key, null, envelope);
        assertEquals(name, a.username());
        assertArrayEquals(key, store().findAccount(name).orElseThrow().publicKey());
        assertArrayEquals(envelope, store().findAccount(name).orElseThrow().envelope().orElseThrow());
        assertTrue(store().findAccount(name).orElseThrow().certificate().isEmpty());
        StoreException dup = assertThrows(StoreException.class, () -> store().createAccount(name,
                Account.Kind.SERVICE, Caller.Role.USER, key, null, null));
        assertTrue(dup.conflict(), dup.getMessage());
        assertTrue(store().findAccount(unique("nobody")).isEmpty());
    }

    @Test
    void disableAndAdminCount() {
        long admins = store().countAdmins();
        String name = unique("root");
        store().createAccount(name, Account.Kind.PERSON, Caller.Role.ADMIN, new byte[] {1}, null, null);
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
        store().addEnrolmentCode(hash, "bootstrap-admin", now.plusSeconds(600));
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
        store().addEnrolmentCode(expired, "bootstrap-admin", now.minusSeconds(1));
        assertFalse(store().consumeEnrolmentCode(expired, "bootstrap-admin", now));
    }
}
