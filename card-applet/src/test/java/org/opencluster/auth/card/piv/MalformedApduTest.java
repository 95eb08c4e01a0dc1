package org.opencluster.auth.card.piv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.opencluster.auth.token.piv.PivClient;
import org.opencluster.auth.token.piv.PivAlgorithm;
import org.opencluster.auth.token.piv.PivSlot;

/** Malformed commands always get a specific ISO status word and leave the card working. */
class MalformedApduTest {
    @ParameterizedTest(name = "{2}")
    @CsvSource({
        "00DB3FFF0A5C035FC10553037001, 6700, Lc says more bytes than present",
        "00CB3FFF055C035F, 6700, Lc larger than data",
        "00CB, 6700, header shorter than 4 bytes",
        "070003290000, 6700, extended-length Lc cut short (found by PivAppletFuzzTest)",
        "80CB3FFF035C017E, 6E00, proprietary class",
        "0CCB3FFF035C017E, 6E00, secure messaging class",
        "0050000000, 6D00, unknown instruction",
        "00CB3FFE035C017E, 6A86, GET DATA wrong P2",
        "00CB3FFF00, 6A80, GET DATA without tag list",
        "00CB3FFF025C01, 6A80, GET DATA tag list truncated",
        "00CB3FFF035D017E, 6A80, GET DATA not a tag list",
        "00CB3FFF035C047E, 6A80, GET DATA tag list length beyond data",
        "00CB3FFF045C017E00, 6A80, GET DATA trailing byte",
        "00CB3FFF065C045FC10205, 6A80, GET DATA four-byte tag",
        "00CB3FFF035C007E, 6A80, GET DATA empty tag",
        "00C0000000, 6985, GET RESPONSE with nothing pending",
        "00870000047C028200, 6A86, GENERAL AUTHENTICATE unknown key reference",
        "0087119A00, 6A80, GENERAL AUTHENTICATE without data",
        "0087119A037C8200, 6A80, GENERAL AUTHENTICATE bad length form",
        "0087119A037C8105, 6A80, GENERAL AUTHENTICATE 81 length below 128",
        "0087119A047C838100, 6A80, GENERAL AUTHENTICATE three-byte length",
        "0087119A027D00, 6A80, GENERAL AUTHENTICATE wrong outer tag",
        "0047009A00, 6982, GENERATE without management key",
    })
    void malformedCommandsGetSpecificStatusWords(String apdu, String sw, String what) {
        SimCard c = new SimCard().selected();
        assertEquals(sw, String.format("%04X", c.sw(apdu)), what);
        assertCardStillWorks(c);
    }

    @ParameterizedTest(name = "{2}")
    @CsvSource({
        "00DB3FFF00, 6A80, PUT DATA without data",
        "00DB3FFF035C017E, 6A81, PUT DATA to the read-only discovery object",
        "00DB3FFF075C035FC1055301, 6A80, PUT DATA container longer than data",
        "00DB3FFF095C035FC105530100AA, 6A80, PUT DATA bytes after container",
        "00DB3FFF075C035FC1055400, 6A80, PUT DATA wrong container tag",
        "00DB3FFF075C035FC1885300, 6A82, PUT DATA unknown object",
        "00DB3FFF085C035FC105538200, 6A80, PUT DATA truncated two-byte length",
        "00DB3FFF095C035FC10553820001, 6A80, PUT DATA two-byte length with missing value",
        "00DB3FFF085C035FC105538180, 6A80, PUT DATA 81 length beyond data",
        "0047009A04AC028001, 6A80, GENERATE algorithm truncated",
        "0047009A06AC0380011100, 6A80, GENERATE trailing byte",
        "0047009A05AD03800111, 6A80, GENERATE wrong template tag",
        "0047009A00, 6A80, GENERATE without data",
    })
    void malformedAdministrativeCommands(String apdu, String sw, String what) throws Exception {
        SimCard c = new SimCard().selected();
        c.admin.authenticateManagementKey(PivClient.defaultManagementKey());
        assertEquals(sw, String.format("%04X", c.sw(apdu)), what);
        assertCardStillWorks(c);
    }

    /**
     * Random commands with the supported instructions and random or truncated-TLV data, on a card with keys,
     * verified PIN and management key: every answer is a defined status word (never 6F00, the applet's
     * "internal error") and the card keeps working.
     */
    @Test
    void randomCommandsNeverCauseInternalErrors() throws Exception {
        SimCard c = new SimCard().selected();
        c.admin.authenticateManagementKey(PivClient.defaultManagementKey());
        c.admin.generateKey(PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256);
        c.admin.generateKey(PivSlot.KEY_MANAGEMENT, PivAlgorithm.EC_P384);
        byte[] ins = {0x20, 0x24, 0x2C, 0x47, (byte) 0x87, (byte) 0xCB, (byte) 0xDB, (byte) 0xC0, (byte) 0xA4};
        byte[][] p1p2 = {{0x3F, (byte) 0xFF}, {0x11, (byte) 0x9A}, {0x14, (byte) 0x9D}, {0x03, (byte) 0x9B},
            {0x00, (byte) 0x80}, {0x00, (byte) 0x81}, {0x00, (byte) 0x9A}};
        byte[] tags = {0x7C, 0x5C, 0x53, (byte) 0x80, (byte) 0x81, (byte) 0x82, (byte) 0x85, (byte) 0xAC, 0x7E};
        Random random = new Random(20261125L);
        for (int i = 0; i < 3000; i++) {
            int len = random.nextInt(random.nextBoolean() ? 12 : 200);
            byte[] apdu = new byte[5 + len];
            apdu[0] = (byte) (random.nextInt(8) == 0 ? 0x10 : 0x00);
            apdu[1] = ins[random.nextInt(ins.length)];
            byte[] p = p1p2[random.nextInt(p1p2.length)];
            apdu[2] = random.nextInt(10) == 0 ? (byte) random.nextInt() : p[0];
            apdu[3] = random.nextInt(10) == 0 ? (byte) random.nextInt() : p[1];
            apdu[4] = (byte) len;
            for (int j = 0; j < len; j++) {
                // Mostly plausible TLV bytes so parsing gets deep, sometimes anything.
                apdu[5 + j] = random.nextInt(3) == 0 ? tags[random.nextInt(tags.length)]
                        : (byte) (random.nextInt(3) == 0 ? random.nextInt(len + 2) : random.nextInt());
            }
            if (len == 0) {
                apdu = java.util.Arrays.copyOf(apdu, 4);
            }
            int sw = SimCard.sw(c.card.transmit(apdu));
            assertTrue(sw != 0x6F00 && sw != 0x6444 && sw != 0x6999 || apdu[1] == (byte) 0xA4,
                    String.format("APDU %s got %04X", SimCard.hex(apdu), sw));
            assertTrue(sw == 0x9000 || (sw & 0xFF00) == 0x6100 || (sw & 0xF000) == 0x6000,
                    String.format("APDU %s got %04X", SimCard.hex(apdu), sw));
        }
        c.sw("00DB3FFF055C035FC107"); // end any chain left open (answers 9000 or 6883)
        c.sw("00200080");
        c.selected();
        assertCardStillWorks(c);
        c.admin.authenticateManagementKey(PivClient.defaultManagementKey());
    }

    private static void assertCardStillWorks(SimCard c) {
        assertEquals(0x9000, SimCard.sw(c.raw("00CB3FFF035C017E00")));
        int status = c.sw("00200080");
        assertTrue(status == 0x9000 || (status & 0xFFF0) == 0x63C0 || status == 0x6983,
                String.format("%04X", status));
    }
}
