package org.opencluster.auth.card.piv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PivAppletSmokeTest {
    @Test
    void selectAnswersApplicationTemplate() {
        SimCard c = new SimCard();
        byte[] r = c.raw("00A4040009A0000003080000100000");
        System.out.println(SimCard.hex(r));
        assertEquals(0x9000, SimCard.sw(r));
        System.out.println(SimCard.hex(c.raw("00CB3FFF035C017E00")));
        System.out.println(SimCard.hex(c.raw("00CB3FFF055C035FC10200")));
        System.out.println(SimCard.hex(c.raw("00CB3FFF055C035FC10508")));
        System.out.println(SimCard.hex(c.raw("00200080")));
        System.out.println(SimCard.hex(c.raw("00A4040005A000000527")));
    }
}
