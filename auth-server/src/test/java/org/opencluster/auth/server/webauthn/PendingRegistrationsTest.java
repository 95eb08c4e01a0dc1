package org.opencluster.auth.server.webauthn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.yubico.webauthn.data.ByteArray;
import com.yubico.webauthn.data.PublicKeyCredentialCreationOptions;
import com.yubico.webauthn.data.PublicKeyCredentialParameters;
import com.yubico.webauthn.data.RelyingPartyIdentity;
import com.yubico.webauthn.data.UserIdentity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A registration's challenge is used once, only before it expires, and the table of them is bounded. */
class PendingRegistrationsTest {
    private final org.opencluster.auth.server.testsupport.SteppingClock clock =
            org.opencluster.auth.server.testsupport.SteppingClock.at(Instant.parse("2026-01-01T00:00:00Z"));

    private static PublicKeyCredentialCreationOptions options(int challenge) {
        return PublicKeyCredentialCreationOptions.builder()
                .rp(RelyingPartyIdentity.builder().id("localhost").name("test").build())
                .user(UserIdentity.builder().name("u").displayName("u").id(new ByteArray(new byte[] {1})).build())
                .challenge(new ByteArray(new byte[] {(byte) challenge}))
                .pubKeyCredParams(List.of(PublicKeyCredentialParameters.ES256))
                .build();
    }

    @Test
    void takenOnceAndOnlyBeforeExpiry() {
        PendingRegistrations pending = new PendingRegistrations(clock, Duration.ofSeconds(90));
        assertTrue(pending.put("alice", options(1)));
        assertTrue(pending.put("alice", options(2)), "a new BEGIN replaces the previous one");
        assertEquals(2, pending.take("alice").orElseThrow().getChallenge().getBytes()[0]);
        assertTrue(pending.take("alice").isEmpty(), "used up");
        pending.put("bob", options(3));
        clock.advance(java.time.Duration.ofSeconds(91));
        assertTrue(pending.take("bob").isEmpty(), "expired");
    }

    @Test
    void theTableIsBoundedButExpiredEntriesMakeRoom() {
        PendingRegistrations pending = new PendingRegistrations(clock, Duration.ofSeconds(90));
        for (int i = 0; i < PendingRegistrations.MAX_PENDING; i++) {
            assertTrue(pending.put("user" + i, options(i)));
        }
        assertFalse(pending.put("one-too-many", options(0)));
        assertTrue(pending.put("user7", options(0)), "replacing one's own entry is always possible");
        clock.advance(java.time.Duration.ofSeconds(91));
        assertTrue(pending.put("one-too-many", options(0)), "expired entries are dropped when the table is full");
    }
}
