package org.opencluster.auth.card.vpcd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.KeyAgreement;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.PinSource;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.TokenOperation;
import org.opencluster.auth.token.piv.PcscProvider;
import org.opencluster.auth.token.piv.PinPolicy;
import org.opencluster.auth.token.piv.PivAlgorithm;
import org.opencluster.auth.token.piv.PivCards;
import org.opencluster.auth.token.piv.PivClient;
import org.opencluster.auth.token.piv.PivConnection;
import org.opencluster.auth.token.piv.PivSlot;
import org.opencluster.auth.token.piv.PivToken;

/**
 * {@link PivToken} through the real stack: jnasmartcardio (or the JDK's provider) -> pcscd -> vpcd -> jCardSim
 * -> the project's applet.
 */
class PivTokenTest {
    private static final char[] PIN = "123456".toCharArray();
    private static final byte[] MESSAGE = "transcript hash stand-in".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    /** Generates a key on the card and stores a certificate for it (in process, before insertion). */
    static X509Certificate provision(VirtualCard card, TestCa ca, PivSlot slot, PivAlgorithm algorithm,
                                     int keyUsage) throws Exception {
        PivClient c = new PivClient(card.directTransport());
        c.select();
        c.authenticateManagementKey(PivClient.defaultManagementKey());
        ECPublicKey key = c.generateKey(slot, algorithm);
        byte[] der = ca.issue(key, "alice " + slot.hex(), keyUsage);
        c.putCertificate(slot, der);
        card.powerCycle();
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    }

    private static PivCards cards(PinSource pins) {
        return PivCards.builder().reader(VirtualReader.READER).pinSource(pins).build();
    }

    /** Counts how often the token asked for the PIN. */
    private static PinSource counting(char[] pin, AtomicInteger reads) {
        return () -> {
            reads.incrementAndGet();
            return pin.clone();
        };
    }

    @ParameterizedTest
    @EnumSource(value = PcscProvider.class, names = {"JNASMARTCARDIO", "JDK"})
    void signsWith9aAndAgreesWith9dOnEitherPcscProvider(PcscProvider provider) throws Exception {
        VirtualCard card = VirtualCard.create();
        TestCa ca = new TestCa();
        X509Certificate cert9a = provision(card, ca, PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256,
                KeyUsage.digitalSignature);
        X509Certificate cert9d = provision(card, ca, PivSlot.KEY_MANAGEMENT, PivAlgorithm.EC_P256,
                KeyUsage.keyAgreement);
        AtomicInteger reads = new AtomicInteger();
        PivCards cards = PivCards.builder().provider(provider).reader(VirtualReader.READER)
                .pinSource(counting(PIN, reads)).build();
        try (VirtualReader reader = VirtualReader.insert(card);
             PivToken auth = cards.open(PivSlot.AUTHENTICATION);
             PivToken keyMgmt = cards.open(PivSlot.KEY_MANAGEMENT)) {
            assertEquals(List.of(cert9a), auth.certificateChain());
            assertEquals(KeyType.EC_P256, auth.keyType());
            assertEquals(Set.of(TokenOperation.SIGN), auth.operations());
            assertEquals(Set.of(SignatureScheme.ECDSA_P256_SHA256), auth.signatureSchemes());
            assertEquals(Set.of(TokenOperation.KEY_AGREEMENT), keyMgmt.operations());
            assertEquals(VirtualReader.READER + "/9A", auth.label());
            assertEquals(3, auth.pinStatus().retriesLeft(), "before");

            byte[] sig = auth.sign(SignatureScheme.ECDSA_P256_SHA256, MESSAGE);
            Signature v = Signature.getInstance("SHA256withECDSA");
            v.initVerify(cert9a.getPublicKey());
            v.update(MESSAGE);
            assertTrue(v.verify(sig), "the card's signature verifies with the 9A certificate's key");

            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair peer = g.generateKeyPair();
            KeyAgreement ka = KeyAgreement.getInstance("ECDH");
            ka.init(peer.getPrivate());
            ka.doPhase(cert9d.getPublicKey(), true);
            assertArrayEquals(ka.generateSecret(), keyMgmt.agree(peer.getPublic()));

            assertEquals(2, reads.get(), "one PIN read per operation");
            assertEquals(3, auth.pinStatus().retriesLeft(), "the card forgot the verification after each operation");
            assertEquals(TokenError.MECHANISM_UNSUPPORTED, assertThrows(TokenException.class,
                    () -> keyMgmt.sign(SignatureScheme.ECDSA_P256_SHA256, MESSAGE)).error());
            assertEquals(TokenError.MECHANISM_UNSUPPORTED, assertThrows(TokenException.class,
                    () -> auth.agree(peer.getPublic())).error());
        }
    }

    @Test
    void signsWithP384() throws Exception {
        VirtualCard card = VirtualCard.create();
        X509Certificate cert = provision(card, new TestCa(), PivSlot.AUTHENTICATION, PivAlgorithm.EC_P384,
                KeyUsage.digitalSignature);
        try (VirtualReader reader = VirtualReader.insert(card);
             PivToken auth = cards(PinSource.of(PIN)).open(PivSlot.AUTHENTICATION)) {
            assertEquals(KeyType.EC_P384, auth.keyType());
            byte[] sig = auth.sign(SignatureScheme.ECDSA_P384_SHA384, MESSAGE);
            Signature v = Signature.getInstance("SHA384withECDSA");
            v.initVerify(cert.getPublicKey());
            v.update(MESSAGE);
            assertTrue(v.verify(sig));
            assertEquals(TokenError.MECHANISM_UNSUPPORTED, assertThrows(TokenException.class,
                    () -> auth.sign(SignatureScheme.ECDSA_P256_SHA256, MESSAGE)).error());
        }
    }

    @Test
    void wrongPinReportsTriesLeftAndBlocksAtTheLimitWithoutAskingAgain() throws Exception {
        VirtualCard card = VirtualCard.create();
        provision(card, new TestCa(), PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256, KeyUsage.digitalSignature);
        AtomicInteger reads = new AtomicInteger();
        try (VirtualReader reader = VirtualReader.insert(card);
             PivToken wrong = cards(counting("654321".toCharArray(), reads)).open(PivSlot.AUTHENTICATION);
             PivToken right = cards(PinSource.of(PIN)).open(PivSlot.AUTHENTICATION)) {
            TokenException first = assertThrows(TokenException.class,
                    () -> wrong.sign(SignatureScheme.ECDSA_P256_SHA256, MESSAGE));
            assertEquals(TokenError.WRONG_PIN, first.error());
            assertEquals(2, first.pinStatus().retriesLeft());
            assertTrue(first.pinStatus().countLow());
            assertTrue(first.getMessage().contains("2 attempts left"), first.getMessage());
            assertFalse(first.getMessage().contains("654321"));
            assertEquals(2, wrong.pinStatus().retriesLeft(), "counted on the card");

            right.sign(SignatureScheme.ECDSA_P256_SHA256, MESSAGE);
            assertEquals(3, right.pinStatus().retriesLeft(), "a correct PIN restores the counter");

            assertEquals(2, assertThrows(TokenException.class,
                    () -> wrong.sign(SignatureScheme.ECDSA_P256_SHA256, MESSAGE)).pinStatus().retriesLeft());
            TokenException last = assertThrows(TokenException.class,
                    () -> wrong.sign(SignatureScheme.ECDSA_P256_SHA256, MESSAGE));
            assertEquals(TokenError.WRONG_PIN, last.error());
            assertTrue(last.pinStatus().finalTry());
            TokenException blocked = assertThrows(TokenException.class,
                    () -> wrong.sign(SignatureScheme.ECDSA_P256_SHA256, MESSAGE));
            assertEquals(TokenError.PIN_LOCKED, blocked.error());
            assertTrue(blocked.pinStatus().locked());
            assertEquals(4, reads.get());

            TokenException stillBlocked = assertThrows(TokenException.class,
                    () -> wrong.sign(SignatureScheme.ECDSA_P256_SHA256, MESSAGE));
            assertEquals(TokenError.PIN_LOCKED, stillBlocked.error());
            assertEquals(4, reads.get(), "a blocked PIN is reported before the PIN is asked for");
            assertEquals(TokenError.PIN_LOCKED, assertThrows(TokenException.class,
                    () -> right.sign(SignatureScheme.ECDSA_P256_SHA256, MESSAGE)).error(), "even the right PIN");

            try (PivConnection admin = cards(PinSource.of(PIN)).connect()) {
                admin.transact(c -> {
                    c.unblockPin("12345678".toCharArray(), PIN);
                    return null;
                });
            }
            right.sign(SignatureScheme.ECDSA_P256_SHA256, MESSAGE);
        }
    }

    @Test
    void keepCardVerifiedAsksForThePinOnce() throws Exception {
        VirtualCard card = VirtualCard.create();
        provision(card, new TestCa(), PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256, KeyUsage.digitalSignature);
        AtomicInteger reads = new AtomicInteger();
        try (VirtualReader reader = VirtualReader.insert(card)) {
            PivCards keep = PivCards.builder().reader(VirtualReader.READER).pinSource(counting(PIN, reads))
                    .pinPolicy(PinPolicy.KEEP_CARD_VERIFIED).build();
            try (PivToken auth = keep.open(PivSlot.AUTHENTICATION)) {
                auth.sign(SignatureScheme.ECDSA_P256_SHA256, MESSAGE);
                auth.sign(SignatureScheme.ECDSA_P256_SHA256, MESSAGE);
                assertEquals(1, reads.get());
                assertEquals(-1, auth.pinStatus().retriesLeft(), "the card stays verified");
            }
            try (PivToken other = cards(PinSource.of(PIN)).open(PivSlot.AUTHENTICATION)) {
                assertEquals(3, other.pinStatus().retriesLeft(), "closing made the card forget the verification");
            }
        }
    }

    @Test
    void cardRemovedBeforeAnOperationIsTokenRemovedAndAbsentCardIsTokenAbsent() throws Exception {
        VirtualCard card = VirtualCard.create();
        provision(card, new TestCa(), PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256, KeyUsage.digitalSignature);
        AtomicInteger reads = new AtomicInteger();
        PivCards cards = cards(counting(PIN, reads));
        VirtualReader reader = VirtualReader.insert(card);
        try (PivToken auth = cards.open(PivSlot.AUTHENTICATION)) {
            reader.close();
            TokenException removed = assertThrows(TokenException.class,
                    () -> auth.sign(SignatureScheme.ECDSA_P256_SHA256, MESSAGE));
            assertEquals(TokenError.TOKEN_REMOVED, removed.error());
            assertTrue(removed.getMessage().contains("removed"), removed.getMessage());
            assertEquals(0, reads.get(), "no PIN is asked for a card that is gone");
            assertEquals(TokenError.TOKEN_REMOVED, assertThrows(TokenException.class,
                    () -> auth.sign(SignatureScheme.ECDSA_P256_SHA256, MESSAGE)).error(), "and stays removed");
        } finally {
            reader.close();
        }
        TokenException absent = assertThrows(TokenException.class, () -> cards.open(PivSlot.AUTHENTICATION));
        assertEquals(TokenError.TOKEN_ABSENT, absent.error());
        assertTrue(absent.getMessage().contains("insert the card"), absent.getMessage());
        assertEquals(TokenError.TOKEN_ABSENT, assertThrows(TokenException.class,
                () -> PivCards.builder().reader("No Such Reader").pinSource(PinSource.of(PIN)).build()
                        .open(PivSlot.AUTHENTICATION)).error());
    }

    @ParameterizedTest
    @EnumSource(value = PcscProvider.class, names = {"JNASMARTCARDIO", "JDK"})
    void cardPulledRightBeforeAnOperationIsTokenRemovedBeforePcscdNotices(PcscProvider provider) throws Exception {
        VirtualCard card = VirtualCard.create();
        provision(card, new TestCa(), PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256, KeyUsage.digitalSignature);
        VirtualReader reader = VirtualReader.insert(card);
        try (PivToken auth = PivCards.builder().provider(provider).reader(VirtualReader.READER)
                .pinSource(PinSource.of(PIN)).build().open(PivSlot.AUTHENTICATION)) {
            auth.sign(SignatureScheme.ECDSA_P256_SHA256, MESSAGE);
            reader.pull();
            TokenException e = assertThrows(TokenException.class,
                    () -> auth.sign(SignatureScheme.ECDSA_P256_SHA256, MESSAGE));
            assertEquals(TokenError.TOKEN_REMOVED, e.error(), e.getMessage());
        } finally {
            reader.close();
        }
    }

    @Test
    void slotWithoutCertificateNeedsThePublicKey() throws Exception {
        VirtualCard card = VirtualCard.create();
        PivClient c = new PivClient(card.directTransport());
        c.select();
        c.authenticateManagementKey(PivClient.defaultManagementKey());
        ECPublicKey key = c.generateKey(PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256);
        card.powerCycle();
        try (VirtualReader reader = VirtualReader.insert(card)) {
            PivCards cards = cards(PinSource.of(PIN));
            assertEquals(TokenError.CERTIFICATE_NOT_FOUND, assertThrows(TokenException.class,
                    () -> cards.open(PivSlot.AUTHENTICATION)).error());
            try (PivToken fresh = cards.open(PivSlot.AUTHENTICATION, key)) {
                assertEquals(List.of(), fresh.certificateChain());
                byte[] sig = fresh.sign(SignatureScheme.ECDSA_P256_SHA256, MESSAGE);
                Signature v = Signature.getInstance("SHA256withECDSA");
                v.initVerify(key);
                v.update(MESSAGE);
                assertTrue(v.verify(sig));
            }
            assertEquals(TokenError.KEY_NOT_FOUND, assertThrows(TokenException.class,
                    () -> cards.open(PivSlot.KEY_MANAGEMENT, key).agree(key)).error(), "9D has no key");
        }
    }

    /**
     * Two cards, one in each vpcd reader: the serial (the CHUID GUID on this applet) picks the right one without
     * naming a reader, an unknown serial lists what was seen, and without a serial the choice is ambiguous. OpenSC,
     * as an independent reader of the same cards, reports token serials that are the end of ours.
     */
    @Test
    void theSerialChoosesAmongSeveralCards() throws Exception {
        int secondPort = VirtualReader.PORT == VpcdBridge.DEFAULT_PORT ? VpcdBridge.DEFAULT_PORT + 1
                : VpcdBridge.DEFAULT_PORT;
        org.opencluster.auth.testsupport.RealComponent.require(InsertedCard.reader(secondPort).isPresent(),
                "pcscd with vpcd's second reader '" + InsertedCard.readerName(secondPort) + "'");
        TestCa ca = new TestCa();
        VirtualCard first = VirtualCard.create();
        VirtualCard second = VirtualCard.create();
        X509Certificate certFirst = provision(first, ca, PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256,
                KeyUsage.digitalSignature);
        X509Certificate certSecond = provision(second, ca, PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256,
                KeyUsage.digitalSignature);
        try (VirtualReader a = VirtualReader.insert(first);
                InsertedCard b = InsertedCard.insert(second, secondPort, java.time.Duration.ofSeconds(10))) {
            String serialFirst;
            String serialSecond;
            try (PivConnection c = PivCards.builder().reader(VirtualReader.READER).build().connect()) {
                serialFirst = c.transact(PivClient::serial).orElseThrow();
            }
            try (PivConnection c = PivCards.builder().reader(b.readerName()).build().connect()) {
                serialSecond = c.transact(PivClient::serial).orElseThrow();
            }
            assertEquals(32, serialFirst.length(), serialFirst);
            assertFalse(serialFirst.equals(serialSecond), "every virtual card has its own GUID");

            PivCards virtual = PivCards.builder().reader("Virtual PCD").pinSource(PinSource.of(PIN)).build();
            TokenException ambiguous = assertThrows(TokenException.class, virtual::connect);
            assertEquals(TokenError.TOKEN_AMBIGUOUS, ambiguous.error());
            for (var expected : List.of(java.util.Map.entry(serialFirst, certFirst),
                    java.util.Map.entry(serialSecond, certSecond))) {
                // Written as people copy it: upper case, in groups.
                String typed = expected.getKey().toUpperCase(java.util.Locale.ROOT).replaceAll("(.{8})(?!$)", "$1-");
                try (PivToken t = PivCards.builder().reader("Virtual PCD").serial(typed).pinSource(PinSource.of(PIN))
                        .build().open(PivSlot.AUTHENTICATION)) {
                    assertEquals(List.of(expected.getValue()), t.certificateChain());
                    Signature v = Signature.getInstance("SHA256withECDSA");
                    v.initVerify(expected.getValue().getPublicKey());
                    v.update(MESSAGE);
                    assertTrue(v.verify(t.sign(SignatureScheme.ECDSA_P256_SHA256, MESSAGE)));
                }
            }
            TokenException unknown = assertThrows(TokenException.class, () -> PivCards.builder()
                    .serial("00112233445566778899aabbccddeeff").build().connect());
            assertEquals(TokenError.TOKEN_ABSENT, unknown.error());
            assertTrue(unknown.getMessage().contains(serialFirst) && unknown.getMessage().contains(serialSecond),
                    unknown.getMessage());

            if (Tools.OPENSC_PKCS11 != null && Tools.onPath("pkcs11-tool")) {
                Tools.Result listed = Tools.pkcs11Tool("-L");
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("serial num\\s*:\\s*(\\S+)")
                        .matcher(listed.output());
                List<String> openscSerials = new java.util.ArrayList<>();
                while (m.find()) {
                    openscSerials.add(m.group(1).toLowerCase(java.util.Locale.ROOT));
                }
                // OpenSC shows the GUID's last 8 bytes as the token serial; that form selects the card too.
                assertTrue(openscSerials.contains(serialFirst.substring(16))
                        && openscSerials.contains(serialSecond.substring(16)),
                        "OpenSC's token serials " + openscSerials + " vs ours " + serialFirst + ", " + serialSecond);
                try (PivConnection c = PivCards.builder().serial(serialSecond.substring(16)).build().connect()) {
                    assertEquals(b.readerName(), c.readerName());
                }
            }
        }
    }

    /** Generates an RSA-2048 key on the card in {@code slot} and stores its certificate (before insertion). */
    private static X509Certificate provisionRsa(VirtualCard card, TestCa ca, PivSlot slot, int keyUsage)
            throws Exception {
        PivClient c = new PivClient(card.directTransport());
        c.select();
        c.authenticateManagementKey(PivClient.defaultManagementKey());
        java.security.PublicKey key = c.generate(slot, PivAlgorithm.RSA_2048);
        byte[] der = ca.issue(key, "alice rsa " + slot.hex(), keyUsage);
        c.putCertificate(slot, der);
        card.powerCycle();
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    }

    /**
     * RSA keys on the card: 9A signs RSA-PSS (encoded on the host, raw RSA on the card) and 9D decrypts RSA-OAEP,
     * both through pcscd; the JDK verifies and encrypts independently. A damaged ciphertext is a clear error.
     */
    @Test
    void rsa2048SignsPssAndDecryptsOaepThroughPcscd() throws Exception {
        VirtualCard card = VirtualCard.create();
        TestCa ca = new TestCa();
        X509Certificate cert9a = provisionRsa(card, ca, PivSlot.AUTHENTICATION, KeyUsage.digitalSignature);
        X509Certificate cert9d = provisionRsa(card, ca, PivSlot.KEY_MANAGEMENT, KeyUsage.keyEncipherment);
        AtomicInteger reads = new AtomicInteger();
        PivCards cards = PivCards.builder().reader(VirtualReader.READER).pinSource(counting(PIN, reads)).build();
        try (VirtualReader reader = VirtualReader.insert(card);
             PivToken auth = cards.open(PivSlot.AUTHENTICATION);
             PivToken keyMgmt = cards.open(PivSlot.KEY_MANAGEMENT)) {
            assertEquals(KeyType.RSA_2048, auth.keyType());
            assertEquals(PivAlgorithm.RSA_2048, auth.algorithm());
            assertEquals(Set.of(SignatureScheme.RSA_PSS_SHA256, SignatureScheme.RSA_PSS_SHA384),
                    auth.signatureSchemes());
            assertEquals(Set.of(TokenOperation.DECRYPT), keyMgmt.operations());
            for (SignatureScheme scheme : List.of(SignatureScheme.RSA_PSS_SHA256, SignatureScheme.RSA_PSS_SHA384)) {
                byte[] sig = auth.sign(scheme, MESSAGE);
                Signature v = Signature.getInstance("RSASSA-PSS");
                v.setParameter(scheme.jcaParameters().orElseThrow());
                v.initVerify(cert9a.getPublicKey());
                v.update(MESSAGE);
                assertTrue(v.verify(sig), scheme + " verifies with the 9A certificate's key");
            }
            javax.crypto.Cipher oaep = javax.crypto.Cipher.getInstance("RSA/ECB/OAEPPadding");
            oaep.init(javax.crypto.Cipher.ENCRYPT_MODE, cert9d.getPublicKey(), new javax.crypto.spec.OAEPParameterSpec(
                    "SHA-256", "MGF1", java.security.spec.MGF1ParameterSpec.SHA256,
                    javax.crypto.spec.PSource.PSpecified.DEFAULT));
            byte[] secret = "a wrapped session key, 32 bytes!".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] ciphertext = oaep.doFinal(secret);
            assertArrayEquals(secret, keyMgmt.decrypt(org.opencluster.auth.token.EncryptionScheme.RSA_OAEP_SHA256,
                    ciphertext));
            ciphertext[100] ^= 1;
            TokenException damaged = assertThrows(TokenException.class, () -> keyMgmt.decrypt(
                    org.opencluster.auth.token.EncryptionScheme.RSA_OAEP_SHA256, ciphertext));
            assertEquals(TokenError.DEVICE_ERROR, damaged.error());
            assertEquals(4, reads.get(), "one PIN read per card operation (two signatures, two decryptions)");
            assertEquals(TokenError.MECHANISM_UNSUPPORTED, assertThrows(TokenException.class,
                    () -> auth.decrypt(org.opencluster.auth.token.EncryptionScheme.RSA_OAEP_SHA256, ciphertext))
                    .error());
            assertEquals(TokenError.MECHANISM_UNSUPPORTED, assertThrows(TokenException.class,
                    () -> keyMgmt.agree(cert9a.getPublicKey())).error());
        }
    }
}
