package org.opencluster.auth.token.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.PublicKey;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.softhsm.SoftHsmFixture;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.PinSource;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;

/**
 * Several tokens in one module: selection by label and by serial before login, two tokens with the same key
 * label, wrong PIN reporting, and no login attempt on tokens the URI did not select.
 */
class TokenSelectionTest {
    private static final String TWIN_PIN = "1111";
    private static final String SOLO_PIN = "2222";
    private static SoftHsmFixture hsm;
    private static String twinA;
    private static String twinB;
    private static PublicKey keyA;
    private static PublicKey keyB;
    private static PublicKey soloKey;

    @BeforeAll
    static void setUp() throws Exception {
        hsm = SoftHsmSupport.fixture(TokenSelectionTest.class);
        twinA = hsm.initToken("twin", SoftHsmSupport.SO_PIN, TWIN_PIN);
        twinB = hsm.initToken("twin", SoftHsmSupport.SO_PIN, TWIN_PIN);
        hsm.initToken("solo", SoftHsmSupport.SO_PIN, SOLO_PIN);
        hsm.initToken("victim", SoftHsmSupport.SO_PIN, "3333");
        hsm.initToken("env-pin", SoftHsmSupport.SO_PIN, System.getenv("OCA_TEST_USER_PIN"));
        Pkcs11Tokens tokens = Pkcs11Tokens.builder().defaultPinSource(PinSource.of(TWIN_PIN.toCharArray())).build();
        // Same key label on both twins, different keys.
        try (Pkcs11Connection a = tokens.connect("pkcs11:serial=" + twinA + "?module-path=" + hsm.module())) {
            keyA = a.generateKeyPair(KeyType.EC_P256, "login").publicKey();
        }
        try (Pkcs11Connection b = tokens.connect("pkcs11:serial=" + twinB + "?module-path=" + hsm.module())) {
            keyB = b.generateKeyPair(KeyType.EC_P256, "login").publicKey();
        }
        try (Pkcs11Connection s = Pkcs11Tokens.builder().defaultModule(hsm.module()).build()
                .connect("pkcs11:token=solo?pin-source=env:OCA_TEST_SOLO_PIN")) {
            soloKey = s.generateKeyPair(KeyType.EC_P384, "login").publicKey();
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (hsm != null) {
            hsm.close();
        }
    }

    private static Pkcs11Tokens tokens(String pin) {
        return Pkcs11Tokens.builder().defaultPinSource(PinSource.of(pin.toCharArray())).build();
    }

    @Test
    void sameKeyLabelOnTwoTokensIsResolvedBySerial() throws Exception {
        assertNotEquals(keyA, keyB);
        try (Pkcs11Token a = tokens(TWIN_PIN).open("pkcs11:serial=" + twinA + ";object=login?module-path="
                + hsm.module());
             Pkcs11Token b = tokens(TWIN_PIN).open("pkcs11:token=twin;serial=" + twinB + ";object=login;type=private"
                     + "?module-path=" + hsm.module())) {
            assertEquals(keyA, a.publicKey());
            assertEquals(keyB, b.publicKey());
            byte[] sig = b.sign(SignatureScheme.ECDSA_P256_SHA256, new byte[] {1});
            assertTrue(SoftHsmSupport.verify(SignatureScheme.ECDSA_P256_SHA256, keyB, new byte[] {1}, sig));
            assertFalse(SoftHsmSupport.verify(SignatureScheme.ECDSA_P256_SHA256, keyA, new byte[] {1}, sig));
        }
    }

    @Test
    void sameKeyLabelIsResolvedByTokenLabel() throws Exception {
        try (Pkcs11Token solo = tokens(SOLO_PIN).open("pkcs11:token=solo;object=login?module-path=" + hsm.module())) {
            assertEquals(soloKey, solo.publicKey());
            assertEquals(KeyType.EC_P384, solo.keyType());
            assertEquals("solo/login", solo.label());
        }
    }

    @Test
    void ambiguousTokenLabelIsRefusedBeforeAnyLogin() {
        TokenException e = assertThrows(TokenException.class,
                () -> tokens(TWIN_PIN).open("pkcs11:token=twin;object=login?module-path=" + hsm.module()));
        assertEquals(TokenError.TOKEN_AMBIGUOUS, e.error());
        assertTrue(e.getMessage().contains(twinA) && e.getMessage().contains(twinB), e.getMessage());
    }

    @Test
    void wrongPinIsReportedWithTheTokenFlagsAndOnlyTheSelectedTokenSeesIt() throws Exception {
        String wrong = "9876";
        TokenException e = assertThrows(TokenException.class,
                () -> tokens(wrong).open("pkcs11:token=victim?module-path=" + hsm.module()));
        assertEquals(TokenError.WRONG_PIN, e.error());
        assertTrue(e.pinStatus().countLow(), "SoftHSM2 sets CKF_USER_PIN_COUNT_LOW after a wrong PIN");
        assertFalse(e.getMessage().contains(wrong));
        assertFalse(e.getMessage().contains("3333"));
        // No other token was tried with that PIN: their retry flags are untouched.
        String slots = hsm.pkcs11Tool("--list-token-slots");
        for (String block : slots.split("Slot ")) {
            if (block.contains("token label        : victim")) {
                assertTrue(block.contains("user PIN count low"), block);
            } else if (block.contains("token label")) {
                assertFalse(block.contains("user PIN count low"), block);
            }
        }
    }

    @Test
    void pinFromTheEnvironmentOpensTheToken() throws Exception {
        try (Pkcs11Connection c = Pkcs11Tokens.builder().build()
                .connect("pkcs11:token=env-pin?module-path=" + hsm.module() + "&pin-source=env:OCA_TEST_USER_PIN")) {
            assertEquals("env-pin", c.tokenLabel());
            assertTrue(c.keyLabels().isEmpty());
            assertEquals(TokenError.KEY_NOT_FOUND, assertThrows(TokenException.class, () -> c.token(null)).error());
        }
        assertEquals(TokenError.PIN_UNAVAILABLE, assertThrows(TokenException.class,
                () -> Pkcs11Tokens.builder().build().connect("pkcs11:token=env-pin?module-path=" + hsm.module()
                        + "&pin-source=env:OCA_TEST_UNSET_VARIABLE")).error());
    }

    @Test
    void aSecondModuleInTheSameJvmIsIndependent() throws Exception {
        java.nio.file.Path opensc = java.nio.file.Path.of("/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so");
        org.opencluster.auth.testsupport.RealComponent.require(java.nio.file.Files.exists(opensc),
                "OpenSC PKCS#11 module (apt-get install opensc-pkcs11)");
        TokenException e = assertThrows(TokenException.class,
                () -> tokens(SOLO_PIN).open("pkcs11:token=oca-no-such-card?module-name=opensc-pkcs11"));
        assertEquals(TokenError.TOKEN_ABSENT, e.error());
        assertTrue(e.getMessage().contains("opensc-pkcs11.so"), e.getMessage());
        try (Pkcs11Token solo = tokens(SOLO_PIN).open("pkcs11:token=solo;object=login?module-path=" + hsm.module())) {
            assertEquals(soloKey, solo.publicKey());
        }
    }

    @Test
    void missingTokenKeyAndModuleAreReportedClearly() {
        TokenException absent = assertThrows(TokenException.class,
                () -> tokens(TWIN_PIN).open("pkcs11:token=nope?module-path=" + hsm.module()));
        assertEquals(TokenError.TOKEN_ABSENT, absent.error());
        assertTrue(absent.getMessage().contains("solo"), "lists the tokens that are present");
        assertEquals(TokenError.KEY_NOT_FOUND, assertThrows(TokenException.class,
                () -> tokens(SOLO_PIN).open("pkcs11:token=solo;object=nope?module-path=" + hsm.module())).error());
        assertEquals(TokenError.MODULE_MISSING, assertThrows(TokenException.class,
                () -> tokens(SOLO_PIN).open("pkcs11:token=solo?module-path=/nonexistent/libnothing.so")).error());
        assertEquals(TokenError.MODULE_MISSING, assertThrows(TokenException.class,
                () -> tokens(SOLO_PIN).open("pkcs11:token=solo?module-name=no-such-module")).error());
    }
}
