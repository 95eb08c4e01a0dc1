package org.opencluster.auth.token.envelope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.TestCertificates;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;

class PassphraseEnvelopeTest {
    // Cheap KDF for tests whose subject is not the KDF cost; the policy floor is lowered to match.
    private static final KdfParameters CHEAP = new KdfParameters(256, 1, 1);
    private static final EnvelopePolicy TEST_POLICY = EnvelopePolicy.builder().floor(CHEAP).build();
    private static final PassphraseEnvelope ENVELOPES =
            PassphraseEnvelope.builder().kdf(CHEAP).policy(TEST_POLICY).build();
    private static final char[] PASSPHRASE = "correct horse battery staple ✓".toCharArray();

    private static byte[] pkcs8;
    private static X509Certificate cert;
    private static byte[] sealed;

    @BeforeAll
    static void seal() throws Exception {
        SecureRandom random = new SecureRandom();
        pkcs8 = SoftwareKeys.generatePkcs8(KeyType.EC_P256, random);
        byte[] caKey = SoftwareKeys.generatePkcs8(KeyType.EC_P384, random);
        try (SoftwareToken ca = SoftwareToken.fromPkcs8("test-ca", caKey, List.of());
             SoftwareToken user = SoftwareToken.fromPkcs8("alice", pkcs8, List.of())) {
            cert = TestCertificates.issue(ca, SignatureScheme.ECDSA_P384_SHA384, "alice", user.publicKey());
        }
        sealed = ENVELOPES.seal("alice@example.org", PASSPHRASE, pkcs8, List.of(cert));
    }

    @Test
    void roundTripGivesAWorkingTokenWithTheCertificate() throws Exception {
        try (SoftwareToken t = ENVELOPES.open("alice@example.org", PASSPHRASE.clone(), sealed, "alice")) {
            assertEquals(List.of(cert), t.certificateChain());
            assertEquals(cert.getPublicKey(), t.publicKey());
            byte[] sig = t.sign(SignatureScheme.ECDSA_P256_SHA256, new byte[] {1, 2, 3});
            java.security.Signature v = java.security.Signature.getInstance("SHA256withECDSA");
            v.initVerify(cert);
            v.update(new byte[] {1, 2, 3});
            assertTrue(v.verify(sig));
        }
    }

    @Test
    void sealingTwiceGivesDifferentEnvelopes() throws Exception {
        byte[] again = ENVELOPES.seal("alice@example.org", PASSPHRASE, pkcs8, List.of(cert));
        assertFalse(java.util.Arrays.equals(sealed, again));
    }

    @Test
    void wrongPassphraseIsReportedAsSuch() {
        TokenException e = assertThrows(TokenException.class,
                () -> ENVELOPES.open("alice@example.org", "correct horse battery stapler".toCharArray(), sealed, "a"));
        assertEquals(TokenError.WRONG_PASSPHRASE, e.error());
        assertFalse(e.getMessage().contains("stapler"));
    }

    @Test
    void envelopeOfAnotherAccountIsRefused() {
        assertEquals(TokenError.WRONG_ACCOUNT, assertThrows(TokenException.class,
                () -> ENVELOPES.open("bob@example.org", PASSPHRASE.clone(), sealed, "a")).error());
    }

    @Test
    void rewritingTheAccountFieldBreaksAuthentication() throws Exception {
        byte[] forBob = ENVELOPES.seal("bob@example.org", PASSPHRASE, pkcs8, List.of(cert));
        // Same length account, so the forged envelope parses: only the AEAD binding can catch it.
        byte[] forged = sealed.clone();
        int at = indexOf(forged, "alice@example.org".getBytes());
        byte[] target = "mallo@example.org".getBytes();
        System.arraycopy(target, 0, forged, at, target.length);
        assertEquals(TokenError.ENVELOPE_CORRUPT, assertThrows(TokenException.class,
                () -> ENVELOPES.open("mallo@example.org", PASSPHRASE.clone(), forged, "a")).error());
        assertEquals(TokenError.WRONG_ACCOUNT, assertThrows(TokenException.class,
                () -> ENVELOPES.open("alice@example.org", PASSPHRASE.clone(), forBob, "a")).error());
    }

    @Test
    void everySingleByteChangeIsDetected() {
        Set<TokenError> allowed = EnumSet.of(TokenError.ENVELOPE_CORRUPT, TokenError.WRONG_PASSPHRASE,
                TokenError.WRONG_ACCOUNT, TokenError.KDF_TOO_WEAK);
        int headerEnd = sealed.length - ciphertextLength();
        for (int i = 0; i < sealed.length; i++) {
            byte[] tampered = sealed.clone();
            tampered[i] ^= 0x01;
            try {
                ENVELOPES.open("alice@example.org", PASSPHRASE.clone(), tampered, "a").close();
                fail("byte " + i + " changed but the envelope opened");
            } catch (TokenException e) {
                assertTrue(allowed.contains(e.error()), "byte " + i + ": " + e.error());
                if (i >= headerEnd) {
                    assertEquals(TokenError.ENVELOPE_CORRUPT, e.error(), "ciphertext byte " + i);
                }
            }
        }
    }

    @Test
    void truncationAndTrailingBytesAreCorrupt() {
        for (int len : new int[] {0, 3, 20, sealed.length - 1}) {
            byte[] cut = java.util.Arrays.copyOf(sealed, len);
            assertEquals(TokenError.ENVELOPE_CORRUPT, assertThrows(TokenException.class,
                    () -> ENVELOPES.open("alice@example.org", PASSPHRASE.clone(), cut, "a")).error());
        }
        byte[] longer = java.util.Arrays.copyOf(sealed, sealed.length + 1);
        assertEquals(TokenError.ENVELOPE_CORRUPT, assertThrows(TokenException.class,
                () -> ENVELOPES.open("alice@example.org", PASSPHRASE.clone(), longer, "a")).error());
    }

    @Test
    void kdfBelowTheFloorIsRefusedWhenOpeningAndSealing() throws Exception {
        // The default policy floor (19 MiB, t=2) refuses the cheap test envelope without running the KDF.
        PassphraseEnvelope strict = PassphraseEnvelope.builder().kdf(CHEAP).build();
        TokenException open = assertThrows(TokenException.class,
                () -> strict.open("alice@example.org", PASSPHRASE.clone(), sealed, "a"));
        assertEquals(TokenError.KDF_TOO_WEAK, open.error());
        assertEquals(TokenError.KDF_TOO_WEAK, assertThrows(TokenException.class,
                () -> strict.seal("alice@example.org", PASSPHRASE, pkcs8, List.of())).error());
    }

    @Test
    void kdfAboveTheCeilingIsRefusedBeforeAllocating() {
        byte[] huge = sealed.clone();
        huge[6] = 0x7f; // memory KiB, most significant byte
        assertEquals(TokenError.ENVELOPE_CORRUPT, assertThrows(TokenException.class,
                () -> ENVELOPES.open("alice@example.org", PASSPHRASE.clone(), huge, "a")).error());
    }

    @Test
    void productionDefaultsSealAndOpen() throws Exception {
        // The one test that pays the real cost (64 MiB, t=3), so the defaults are known to work end to end.
        PassphraseEnvelope production = PassphraseEnvelope.builder().build();
        long t0 = System.nanoTime();
        byte[] envelope = production.seal("carol", PASSPHRASE, pkcs8, List.of());
        long t1 = System.nanoTime();
        try (SoftwareToken t = production.open("carol", PASSPHRASE.clone(), envelope, "carol")) {
            assertEquals(KeyType.EC_P256, t.keyType());
        }
        long t2 = System.nanoTime();
        assertEquals(TokenError.WRONG_PASSPHRASE, assertThrows(TokenException.class,
                () -> production.open("carol", "nope".toCharArray(), envelope, "carol")).error());
        System.out.printf("Argon2id 64 MiB t=3 p=1: seal %d ms, open %d ms%n", (t1 - t0) / 1_000_000,
                (t2 - t1) / 1_000_000);
    }

    @Test
    void defaultParametersAreAtLeast64MiBAndThreePasses() {
        assertTrue(KdfParameters.DEFAULT.memoryKiB() >= 64 * 1024);
        assertTrue(KdfParameters.DEFAULT.iterations() >= 3);
        assertTrue(KdfParameters.DEFAULT.atLeast(EnvelopePolicy.DEFAULT.floor()));
    }

    @Test
    void derivationIsDeterministicAndParameterSensitive() throws Exception {
        // Argon2id is deterministic: same inputs give the same 64 bytes, any change gives others.
        byte[] salt = new byte[16];
        byte[] a = PassphraseEnvelope.derive("pw".toCharArray(), salt, CHEAP);
        byte[] b = PassphraseEnvelope.derive("pw".toCharArray(), salt, CHEAP);
        byte[] c = PassphraseEnvelope.derive("pw".toCharArray(), salt, new KdfParameters(256, 2, 1));
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, c));
    }

    private static int ciphertextLength() {
        int n = sealed.length;
        for (int i = 0; i + 4 <= n; i++) {
            int v = ((sealed[i] & 0xff) << 24) | ((sealed[i + 1] & 0xff) << 16) | ((sealed[i + 2] & 0xff) << 8)
                    | (sealed[i + 3] & 0xff);
            if (v == n - i - 4 && v > 16) {
                return v;
            }
        }
        throw new AssertionError("no ciphertext length field");
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
