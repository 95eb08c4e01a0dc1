package org.opencluster.auth.server.limit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.server.testsupport.SteppingClock;

class DeviceTokensTest {
    private final SteppingClock clock = SteppingClock.at(Instant.parse("2026-06-01T00:00:00Z"));
    private final byte[] secret = new byte[32];
    private final DeviceTokens tokens = DeviceTokens.fromDecoySecret(secret, clock, Duration.ofDays(90),
            new SecureRandom());

    @Test
    void aTokenNamesItsDeviceForItsAccountOnly() {
        byte[] t = tokens.issue("root", Optional.empty());
        assertEquals(DeviceTokens.LENGTH, t.length);
        assertEquals(1, t[0]);
        Optional<String> id = tokens.verify(t, "root");
        assertTrue(id.isPresent());
        assertEquals(32, id.get().length());
        assertEquals(Optional.empty(), tokens.verify(t, "admin"), "bound to the account");
        assertEquals(id, tokens.verify(tokens.issue("root", id), "root"), "a renewed token keeps the device id");
    }

    @Test
    void aTamperedTruncatedOrForeignTokenIsAnUnknownDevice() {
        byte[] t = tokens.issue("root", Optional.empty());
        for (int i = 0; i < t.length; i++) {
            byte[] bad = t.clone();
            bad[i] ^= 1;
            assertEquals(Optional.empty(), tokens.verify(bad, "root"), "byte " + i);
        }
        assertEquals(Optional.empty(), tokens.verify(Arrays.copyOf(t, t.length - 1), "root"));
        assertEquals(Optional.empty(), tokens.verify(new byte[0], "root"));
        byte[] other = secret.clone();
        other[0] = 1;
        assertEquals(Optional.empty(), DeviceTokens.fromDecoySecret(other, clock, Duration.ofDays(90),
                new SecureRandom()).verify(t, "root"), "another server's key");
        assertTrue(DeviceTokens.fromDecoySecret(secret.clone(), clock, Duration.ofDays(90), new SecureRandom())
                .verify(t, "root").isPresent(), "the same decoy secret after a restart");
    }

    @Test
    void aTokenExpiresAfterItsLifetimeAndOneFromTheFutureIsRefused() {
        byte[] t = tokens.issue("root", Optional.empty());
        clock.advance(Duration.ofDays(90).minusSeconds(1));
        assertTrue(tokens.verify(t, "root").isPresent());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Optional.empty(), tokens.verify(t, "root"));
        byte[] future = tokens.issue("root", Optional.empty());
        clock.advance(Duration.ofDays(-1));
        assertEquals(Optional.empty(), tokens.verify(future, "root"));
    }

    @Test
    void theMacKeyIsHkdfOfTheDecoySecretWithItsOwnLabel() {
        byte[] prk = org.opencluster.auth.protocol.suite.Hkdf.extract(
                org.opencluster.auth.protocol.suite.HashAlgorithm.SHA256, new byte[0], secret);
        byte[] key = org.opencluster.auth.protocol.suite.Hkdf.expandLabel(
                org.opencluster.auth.protocol.suite.HashAlgorithm.SHA256, prk, "device token key", new byte[0], 32);
        byte[] t = tokens.issue("root", Optional.empty());
        byte[] input = new byte[25 + 4];
        System.arraycopy(t, 0, input, 0, 25);
        System.arraycopy("root".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, input, 25, 4);
        byte[] mac = org.opencluster.auth.protocol.suite.Hkdf.hmac(
                org.opencluster.auth.protocol.suite.HashAlgorithm.SHA256, key, input);
        assertArrayEquals(Arrays.copyOf(mac, 16), Arrays.copyOfRange(t, 25, 41), "the layout PROTOCOL.md gives");
    }
}
