package org.opencluster.auth.card.piv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.opencluster.auth.token.piv.PivClient;

/** Command chaining (CLA 0x10) rules: order, mixing, limits. */
class ChainingTest {
    private static SimCard adminCard() throws Exception {
        SimCard c = new SimCard().selected();
        c.admin.authenticateManagementKey(PivClient.defaultManagementKey());
        return c;
    }

    @Test
    void chainedPutDataIsAssembledAcrossLinks() throws Exception {
        SimCard c = adminCard();
        assertEquals(0x9000, c.sw("10DB3FFF055C035FC107"));
        assertEquals(0x9000, c.sw("10DB3FFF0153"));
        assertEquals(0x9000, c.sw("00DB3FFF0403010203"));
        assertEquals("5303010203", SimCard.hex(c.admin.getData(0x5FC107)));
    }

    @Test
    void otherCommandInsideChainIsRejectedAndChainDropped() throws Exception {
        SimCard c = adminCard();
        assertEquals(0x9000, c.sw("10DB3FFF055C035FC107"));
        assertEquals(0x6883, c.sw("00CB3FFF035C017E00"));
        // The first half is gone: the last link alone is not a valid PUT DATA.
        assertEquals(0x6A80, c.sw("00DB3FFF055303010203"));
        assertEquals(0x6A82, c.sw("00CB3FFF055C035FC10700"));
        // After the error the card accepts commands again.
        assertEquals(0x9000, c.sw("00CB3FFF035C017E00"));
    }

    @Test
    void changingP1P2MidChainIsRejected() throws Exception {
        SimCard c = adminCard();
        assertEquals(0x9000, c.sw("10DB3FFF055C035FC107"));
        assertEquals(0x6883, c.sw("00DB3FFE0453020102"));
    }

    @Test
    void chainingOnInstructionsThatDoNotTakeItIsRefused() {
        SimCard c = new SimCard().selected();
        assertEquals(0x6884, c.sw("10CB3FFF035C017E"));
        assertEquals(0x6884, c.sw("1020008008313233343536FFFF"));
        assertEquals(0x63C3, c.sw("00200080"));
    }

    @Test
    void chainLongerThanTheBufferIsRefused() throws Exception {
        SimCard c = adminCard();
        String link = "10DB3FFFFF" + "00".repeat(255);
        int sw = 0x9000;
        int links = 0;
        while (sw == 0x9000 && links < 20) {
            sw = c.sw(link);
            links++;
        }
        assertEquals(0x6700, sw);
        assertEquals(13, links, "3072 bytes = 12 full links, the 13th overflows");
        assertEquals(0x9000, c.sw("00CB3FFF035C017E00"), "card usable after the overflow");
    }

    @Test
    void chainedGeneralAuthenticateAsOpenScSendsIt() throws Exception {
        SimCard c = adminCard();
        c.admin.generateKey(org.opencluster.auth.token.piv.PivSlot.AUTHENTICATION,
                org.opencluster.auth.token.piv.PivAlgorithm.EC_P256);
        assertEquals(0x9000, c.sw("0020008008313233343536FFFF"));
        assertEquals(0x9000, c.sw("1087119A047C248200"));
        byte[] r = c.raw("0087119A228120" + "11".repeat(32) + "00");
        assertEquals(0x9000, SimCard.sw(r));
        assertEquals(0x7C, r[0] & 0xFF);
    }
}
