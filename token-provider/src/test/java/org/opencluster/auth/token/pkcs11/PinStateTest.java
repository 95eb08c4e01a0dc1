package org.opencluster.auth.token.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.softhsm.SoftHsmFixture;
import org.opencluster.auth.token.PinSource;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;

/**
 * PIN retry states as the token reports them in CK_TOKEN_INFO flags. SoftHSM2 sets CKF_USER_PIN_COUNT_LOW after a
 * wrong PIN but never counts down or locks, so the FINAL_TRY and LOCKED states are written into its token files
 * (SoftHsmFixture.forceTokenFlags) before this JVM loads it; everything else is the real module.
 */
class PinStateTest {
    private static final long CKF_USER_PIN_FINAL_TRY = 0x20000L;
    private static final long CKF_USER_PIN_LOCKED = 0x40000L;
    private static final String PIN = "1357";
    private static SoftHsmFixture hsm;

    @BeforeAll
    static void setUp() throws Exception {
        hsm = SoftHsmSupport.fixture(PinStateTest.class);
        hsm.initToken("plain", SoftHsmSupport.SO_PIN, PIN);
        hsm.initToken("last-try", SoftHsmSupport.SO_PIN, PIN);
        hsm.initToken("locked", SoftHsmSupport.SO_PIN, PIN);
        hsm.forceTokenFlags("last-try", CKF_USER_PIN_FINAL_TRY);
        hsm.forceTokenFlags("locked", CKF_USER_PIN_LOCKED);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (hsm != null) {
            hsm.close();
        }
    }

    private static TokenException open(String token, String pin) {
        return assertThrows(TokenException.class, () -> Pkcs11Tokens.builder()
                .defaultPinSource(PinSource.of(pin.toCharArray())).build()
                .connect("pkcs11:token=" + token + "?module-path=" + hsm.module()));
    }

    @Test
    void lockedPinIsReportedAndNoLoginIsAttempted() throws Exception {
        TokenException e = open("locked", "0000");
        assertEquals(TokenError.PIN_LOCKED, e.error());
        assertTrue(e.pinStatus().locked());
        assertTrue(e.getMessage().contains("locked"), e.getMessage());
        // A C_Login with the wrong PIN would have set CKF_USER_PIN_COUNT_LOW on the token.
        String slots = hsm.pkcs11Tool("--list-token-slots");
        String block = slots.substring(slots.indexOf("token label        : locked"));
        block = block.substring(0, block.indexOf("serial num"));
        assertFalse(block.contains("user PIN count low"), block);
        assertTrue(block.contains("user PIN locked"), block);
    }

    @Test
    void wrongPinOnTheFinalTrySaysSo() {
        TokenException e = open("last-try", "0000");
        assertEquals(TokenError.WRONG_PIN, e.error());
        assertTrue(e.pinStatus().finalTry());
        assertTrue(e.getMessage().contains("final attempt"), e.getMessage());
    }

    @Test
    void repeatedWrongPinsAreEachReportedAndTheRightPinStillWorks() throws Exception {
        for (int i = 0; i < 4; i++) {
            // Not digits: the message names the token, whose serial is hex and could hold "0001" by chance.
            String wrong = "not-the-pin-" + i;
            TokenException e = open("plain", wrong);
            assertEquals(TokenError.WRONG_PIN, e.error());
            assertTrue(e.pinStatus().countLow());
            assertFalse(e.getMessage().contains(wrong), e.getMessage());
        }
        try (Pkcs11Connection c = Pkcs11Tokens.builder().defaultPinSource(PinSource.of(PIN.toCharArray())).build()
                .connect("pkcs11:token=plain?module-path=" + hsm.module())) {
            assertEquals("plain", c.tokenLabel());
        }
    }
}
