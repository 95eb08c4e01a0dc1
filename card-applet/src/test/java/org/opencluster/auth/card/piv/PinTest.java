package org.opencluster.auth.card.piv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.opencluster.auth.token.piv.PivCardError;
import org.opencluster.auth.token.piv.PivCardException;

/** VERIFY, CHANGE REFERENCE DATA and RESET RETRY COUNTER with the on-card try counters. */
class PinTest {
    private static final String PIN = "313233343536FFFF";
    private static final String WRONG_PIN = "393939393939FFFF";
    private static final String PUK = "3132333435363738";
    private static final String WRONG_PUK = "3838383838383838";

    @Test
    void statusWithoutDataReportsTriesThenVerifiedAndResetForgetsIt() {
        SimCard c = new SimCard().selected();
        assertEquals(0x63C3, c.sw("00200080"));
        assertEquals(0x9000, c.sw("0020008008" + PIN));
        assertEquals(0x9000, c.sw("00200080"));
        assertEquals(0x9000, c.sw("0020FF80"));
        assertEquals(0x63C3, c.sw("00200080"));
    }

    @Test
    void wrongPinCountsDownThenBlocksEvenTheRightPin() {
        SimCard c = new SimCard().selected();
        assertEquals(0x63C2, c.sw("0020008008" + WRONG_PIN));
        assertEquals(0x63C1, c.sw("0020008008" + WRONG_PIN));
        assertEquals(0x63C0, c.sw("0020008008" + WRONG_PIN));
        assertEquals(0x6983, c.sw("0020008008" + PIN));
        assertEquals(0x6983, c.sw("00200080"));
    }

    @Test
    void rightPinRestoresTheCounter() {
        SimCard c = new SimCard().selected();
        assertEquals(0x63C2, c.sw("0020008008" + WRONG_PIN));
        assertEquals(0x9000, c.sw("0020008008" + PIN));
        assertEquals(0x9000, c.sw("0020FF80"));
        assertEquals(0x63C3, c.sw("00200080"));
    }

    @Test
    void pukUnblocksAndSetsNewPin() throws Exception {
        SimCard c = new SimCard().selected();
        for (int i = 0; i < 3; i++) {
            c.sw("0020008008" + WRONG_PIN);
        }
        assertEquals(0x6983, c.sw("00200080"));
        assertEquals(0x63C2, c.sw("002C008010" + WRONG_PUK + "3737373737373737"));
        assertEquals(0x9000, c.sw("002C008010" + PUK + "3737373737373737"));
        assertEquals(0x63C3, c.sw("00200080"));
        assertEquals(0x63C2, c.sw("0020008008" + PIN), "old PIN no longer valid");
        c.admin.verifyPin("77777777".toCharArray());
        assertEquals(-1, c.admin.pinTriesLeft());
    }

    @Test
    void pukBlocksAfterItsLimit() {
        SimCard c = new SimCard().selected();
        assertEquals(0x63C2, c.sw("002C008010" + WRONG_PUK + PIN));
        assertEquals(0x63C1, c.sw("002C008010" + WRONG_PUK + PIN));
        assertEquals(0x63C0, c.sw("002C008010" + WRONG_PUK + PIN));
        assertEquals(0x6983, c.sw("002C008010" + PUK + PIN));
        assertEquals(0x6983, c.sw("0024008110" + PUK + PUK));
    }

    @Test
    void changeReferenceDataForPinAndPuk() throws Exception {
        SimCard c = new SimCard().selected();
        c.admin.changeReference(false, "123456".toCharArray(), "24681357".toCharArray());
        PivCardException wrong = assertThrows(PivCardException.class,
                () -> c.admin.verifyPin("123456".toCharArray()));
        assertEquals(PivCardError.WRONG_PIN, wrong.error());
        assertEquals(2, wrong.triesLeft());
        c.admin.verifyPin("24681357".toCharArray());

        c.admin.changeReference(true, "12345678".toCharArray(), "87654321".toCharArray());
        assertEquals(0x63C2, c.sw("002C008010" + PUK + PIN));
        assertEquals(0x9000, c.sw("002C008010" + "3837363534333231" + PIN));
    }

    @Test
    void changeWithWrongCurrentValueCostsATry() {
        SimCard c = new SimCard().selected();
        assertEquals(0x63C2, c.sw("0024008010" + WRONG_PIN + "3131313131313131"));
        assertEquals(0x63C2, c.sw("00200080"));
    }

    @Test
    void malformedNewValueIsRejectedWithoutSpendingATry() {
        SimCard c = new SimCard().selected();
        assertEquals(0x6A80, c.sw("0024008010" + PIN + "31323334FFFFFFFF"), "too short");
        assertEquals(0x6A80, c.sw("0024008010" + PIN + "313233FF34353637"), "data after padding");
        assertEquals(0x6A80, c.sw("002C008010" + PUK + "FFFFFFFFFFFFFFFF"), "empty");
        assertEquals(0x63C3, c.sw("00200080"));
    }

    @Test
    void wrongLengthsAndReferencesAreRejected() {
        SimCard c = new SimCard().selected();
        assertEquals(0x6A80, c.sw("0020008007313233343536FF"));
        assertEquals(0x6A80, c.sw("0020008009313233343536FFFFFF"));
        assertEquals(0x6A88, c.sw("0020008108" + PUK));
        assertEquals(0x6A88, c.sw("0020009608" + PIN));
        assertEquals(0x6A86, c.sw("0020018008" + PIN));
        assertEquals(0x6700, c.sw("0020FF8008" + PIN));
        assertEquals(0x6A80, c.sw("0024008008" + PIN));
        assertEquals(0x6A88, c.sw("0024009B10" + PIN + PIN));
        assertEquals(0x6A86, c.sw("002C008110" + PUK + PIN));
        assertEquals(0x6A80, c.sw("002C00800F" + PUK + "31323334353637"));
        assertEquals(0x63C3, c.sw("00200080"), "none of these spent a try");
    }

    @Test
    void verificationEndsWithPowerCycleAndReselect() {
        SimCard c = new SimCard().selected();
        assertEquals(0x9000, c.sw("0020008008" + PIN));
        c.card.powerCycle();
        c.selected();
        assertEquals(0x63C3, c.sw("00200080"));
    }
}
