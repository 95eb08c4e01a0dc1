package org.opencluster.auth.protocol.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.suite.HashAlgorithm;
import org.opencluster.auth.protocol.suite.Hkdf;

class DecoyEnvelopeTest {
    private final byte[] secret = new byte[32];

    {
        Arrays.fill(secret, (byte) 7);
    }

    @Test
    void sameUsernameSameBytesAndRequestedLength() {
        byte[] a = DecoyEnvelope.derive(secret, "mallory", 1234);
        assertEquals(1234, a.length);
        assertArrayEquals(a, DecoyEnvelope.derive(secret, "mallory", 1234));
    }

    @Test
    void differsPerUsernameAndPerServerSecret() {
        byte[] other = secret.clone();
        other[0] ^= 1;
        assertFalse(Arrays.equals(DecoyEnvelope.derive(secret, "mallory", 64), DecoyEnvelope.derive(secret, "malloy", 64)));
        assertFalse(Arrays.equals(DecoyEnvelope.derive(secret, "mallory", 64), DecoyEnvelope.derive(other, "mallory", 64)));
    }

    @Test
    void isTheDocumentedDerivation() throws Exception {
        byte[] prk = Hkdf.extract(HashAlgorithm.SHA256, new byte[0], secret);
        byte[] ctx = MessageDigest.getInstance("SHA-256").digest("mallory".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(Hkdf.expandLabel(HashAlgorithm.SHA256, prk, "decoy envelope", ctx, 100),
                DecoyEnvelope.derive(secret, "mallory", 100));
    }

    @Test
    void refusesWeakSecretsAndImpossibleLengths() {
        assertThrows(IllegalArgumentException.class, () -> DecoyEnvelope.derive(new byte[16], "x", 10));
        assertThrows(IllegalArgumentException.class, () -> DecoyEnvelope.derive(secret, "x", 0));
        assertThrows(IllegalArgumentException.class, () -> DecoyEnvelope.derive(secret, "x", DecoyEnvelope.MAX_LENGTH + 1));
    }
}
