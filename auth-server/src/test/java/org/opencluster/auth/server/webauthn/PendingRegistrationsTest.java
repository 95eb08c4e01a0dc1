package org.opencluster.auth.server.webauthn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.yubico.webauthn.data.ByteArray;
import com.yubico.webauthn.data.PublicKeyCredentialCreationOptions;
import com.yubico.webauthn.data.PublicKeyCredentialDescriptor;
import com.yubico.webauthn.data.PublicKeyCredentialParameters;
import com.yubico.webauthn.data.RelyingPartyIdentity;
import com.yubico.webauthn.data.UserIdentity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.server.store.JdbcAccountStore;
import org.opencluster.auth.server.store.JdbcPendingRegistrations;

/**
 * What BEGIN decided comes back whole at FINISH through the database (the options as the library wrote them), and
 * the table of registrations in progress is bounded.
 */
class PendingRegistrationsTest {
    private final org.opencluster.auth.server.testsupport.SteppingClock clock =
            org.opencluster.auth.server.testsupport.SteppingClock.at(Instant.parse("2026-01-01T00:00:00Z"));
    private final JdbcAccountStore store = JdbcAccountStore.open("jdbc:h2:mem:pending-" + UUID.randomUUID()
            + ";DB_CLOSE_DELAY=-1", "sa", "");

    @AfterEach
    void close() {
        store.close();
    }

    private static PublicKeyCredentialCreationOptions options(int challenge, int excluded) {
        // 16 excluded keys with credential ids of the largest size: the options an account at its key limit gets
        Set<PublicKeyCredentialDescriptor> exclude = IntStream.range(0, excluded).mapToObj(i -> {
            byte[] id = new byte[1023];
            id[0] = (byte) i;
            return PublicKeyCredentialDescriptor.builder().id(new ByteArray(id)).build();
        }).collect(Collectors.toSet());
        return PublicKeyCredentialCreationOptions.builder()
                .rp(RelyingPartyIdentity.builder().id("localhost").name("test").build())
                .user(UserIdentity.builder().name("u").displayName("u").id(new ByteArray(new byte[] {1, 2})).build())
                .challenge(new ByteArray(new byte[] {(byte) challenge, 9, 9, 9}))
                .pubKeyCredParams(List.of(PublicKeyCredentialParameters.ES256, PublicKeyCredentialParameters.EdDSA))
                .excludeCredentials(exclude)
                .timeout(60_000L)
                .build();
    }

    @Test
    void theOptionsComeBackWholeOnceAndOnlyBeforeExpiry() {
        PendingRegistrations pending = new PendingRegistrations(new JdbcPendingRegistrations(store, 100), clock,
                Duration.ofSeconds(90));
        PublicKeyCredentialCreationOptions full = options(1, SecurityKeyRegistration.MAX_KEYS_PER_ACCOUNT);
        assertTrue(pending.put("alice", full));
        assertEquals(full, pending.take("alice").orElseThrow(), "what BEGIN sent is what FINISH verifies against");
        assertTrue(pending.take("alice").isEmpty(), "used up");
        pending.put("bob", options(3, 0));
        clock.advance(Duration.ofSeconds(91));
        assertTrue(pending.take("bob").isEmpty(), "expired");
    }

    @Test
    void theTableIsBoundedButExpiredEntriesMakeRoom() {
        PendingRegistrations pending = new PendingRegistrations(new JdbcPendingRegistrations(store, 5), clock,
                Duration.ofSeconds(90));
        for (int i = 0; i < 5; i++) {
            assertTrue(pending.put("user" + i, options(i, 0)));
        }
        assertFalse(pending.put("one-too-many", options(0, 0)));
        assertTrue(pending.put("user3", options(0, 0)), "replacing one's own entry is always possible");
        clock.advance(Duration.ofSeconds(91));
        assertTrue(pending.put("one-too-many", options(0, 0)), "expired entries are dropped when the table is full");
        assertTrue(pending.take("one-too-many").isPresent());
    }
}
