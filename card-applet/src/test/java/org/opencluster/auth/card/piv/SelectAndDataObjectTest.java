package org.opencluster.auth.card.piv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.token.piv.PivClient;

/** SELECT, GET DATA, PUT DATA and response chaining, in jCardSim without pcscd. */
class SelectAndDataObjectTest {
    private static final String DISCOVERY = "7E124F0BA0000003080000100001005F2F024000";

    @Test
    void selectWithPartialAidAnswersApplicationTemplateWithPixAndRid() {
        SimCard c = new SimCard();
        for (String aid : new String[] {"A000000308", "A00000030800001000", "A000000308000010000100"}) {
            byte[] r = c.raw("00A40400" + String.format("%02X", aid.length() / 2) + aid + "00");
            assertEquals(0x9000, SimCard.sw(r), aid);
            String apt = SimCard.hex(SimCard.data(r));
            assertTrue(apt.startsWith("61"), apt);
            assertTrue(apt.contains("4F06000010000100"), "PIX that OpenSC checks: " + apt);
            assertTrue(apt.contains("79074F05A000000308"), "coexistent tag allocation authority: " + apt);
            assertTrue(apt.contains("800111") && apt.contains("800114") && apt.contains("800103"), apt);
        }
    }

    @Test
    void foreignSelectWhileSelectedIsFileNotFound() {
        SimCard c = new SimCard().selected();
        assertEquals(0x6A82, c.sw("00A4040008A000000527200101"));
        assertEquals(0x6A82, c.sw("00A4000C023F00"));
        // PIV is still usable afterwards.
        assertEquals(0x9000, SimCard.sw(c.raw("00CB3FFF035C017E00")));
    }

    @Test
    void discoveryObjectNamesPivAndPinPolicy() {
        SimCard c = new SimCard().selected();
        byte[] r = c.raw("00CB3FFF035C017E00");
        assertEquals(0x9000, SimCard.sw(r));
        assertEquals(DISCOVERY, SimCard.hex(SimCard.data(r)));
    }

    @Test
    void chuidHasGuidThatDiffersBetweenCards() throws Exception {
        byte[] a = new SimCard().selected().admin.getData(0x5FC102);
        byte[] b = new SimCard().selected().admin.getData(0x5FC102);
        assertEquals(0x53, a[0] & 0xFF);
        String hex = SimCard.hex(a);
        assertTrue(hex.contains("3019D4E739DA739CED39CE739D83"), "FASC-N: " + hex);
        int guid = hex.indexOf("3410") / 2 + 2;
        assertFalse(Arrays.equals(Arrays.copyOfRange(a, guid, guid + 16), Arrays.copyOfRange(b, guid, guid + 16)));
    }

    @Test
    void absentObjectsAndUnknownTagsAreNotFound() {
        SimCard c = new SimCard().selected();
        for (String tag : new String[] {"5FC105", "5FC10A", "5FC10B", "5FC101", "5FC107", "5FC10C", "5FC1FF",
                "5FFF01"}) {
            assertEquals(0x6A82, c.sw("00CB3FFF055C03" + tag + "00"), tag);
        }
        assertEquals(0x6A82, c.sw("00CB3FFF045C027F6100"));
    }

    @Test
    void putDataNeedsManagementKeyAndRoundTripsLargeObjectThroughBothChainings() throws Exception {
        SimCard c = new SimCard().selected();
        byte[] cert = new byte[1500];
        for (int i = 0; i < cert.length; i++) {
            cert[i] = (byte) (i * 7);
        }
        assertEquals(0x6982, c.sw("00DB3FFF0A5C035FC105530370010000"));
        c.admin.authenticateManagementKey(PivClient.defaultManagementKey());
        c.admin.putData(0x5FC105, cert);

        // Read back by hand: 256 bytes per GET RESPONSE round, 61xx telling what is left.
        byte[] r = c.raw("00CB3FFF055C035FC10500");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int rounds = 0;
        while ((SimCard.sw(r) & 0xFF00) == 0x6100) {
            all.writeBytes(SimCard.data(r));
            r = c.raw("00C00000" + String.format("%02X", SimCard.sw(r) & 0xFF));
            rounds++;
        }
        assertEquals(0x9000, SimCard.sw(r));
        all.writeBytes(SimCard.data(r));
        assertEquals(5, rounds);
        byte[] stored = all.toByteArray();
        assertEquals("53 82 05 DC".replace(" ", ""), SimCard.hex(Arrays.copyOf(stored, 4)));
        assertArrayEquals(cert, Arrays.copyOfRange(stored, 4, stored.length));
    }

    @Test
    void shortLeReturnsThatManyBytesThenTheRest() throws Exception {
        SimCard c = new SimCard().selected();
        byte[] r = c.raw("00CB3FFF055C035FC10208");
        assertEquals(8, r.length - 2);
        int left = SimCard.sw(r) & 0xFF;
        assertEquals(0x61, SimCard.sw(r) >> 8);
        byte[] rest = c.raw("00C00000" + String.format("%02X", left));
        assertEquals(0x9000, SimCard.sw(rest));
        assertEquals(left, rest.length - 2);
        byte[] whole = c.admin.getData(0x5FC102);
        assertEquals(SimCard.hex(whole), SimCard.hex(SimCard.data(r)) + SimCard.hex(SimCard.data(rest)));
    }

    @Test
    void getResponseWithoutPendingDataAndAfterAnotherCommandIsRefused() {
        SimCard c = new SimCard().selected();
        assertEquals(0x6985, c.sw("00C0000000"));
        assertEquals(0x61, c.sw("00CB3FFF055C035FC10208") >> 8);
        assertEquals(0x63C3, c.sw("00200080"));
        assertEquals(0x6985, c.sw("00C0000000"), "another command drops the pending response");
        assertEquals(0x61, c.sw("00CB3FFF055C035FC10208") >> 8);
        assertEquals(0x6A86, c.sw("00C0010000"));
    }

    @Test
    void emptyContainerDeletesAnObjectAndDiscoveryIsReadOnly() throws Exception {
        SimCard c = new SimCard().selected();
        c.admin.authenticateManagementKey(PivClient.defaultManagementKey());
        c.admin.putData(0x5FC107, new byte[] {(byte) 0xF0, 0x01, 0x21});
        assertEquals("5303F00121", SimCard.hex(c.admin.getData(0x5FC107)).substring(0, 10));
        assertEquals(0x9000, c.sw("00DB3FFF075C035FC1075300"));
        assertEquals(0x6A82, c.sw("00CB3FFF055C035FC10700"));
        assertEquals(0x6A81, c.sw("00DB3FFF055C017E5300"));
        assertEquals(DISCOVERY, SimCard.hex(SimCard.data(c.raw("00CB3FFF035C017E00"))));
    }

    @Test
    void printedInformationNeedsThePin() throws Exception {
        SimCard c = new SimCard().selected();
        c.admin.authenticateManagementKey(PivClient.defaultManagementKey());
        c.admin.putData(0x5FC109, new byte[] {0x01, 0x02, 0x41, 0x42});
        assertEquals(0x6982, c.sw("00CB3FFF055C035FC10900"));
        assertEquals(0x9000, c.sw("002000800831323334353610FFFF".replace("10FFFF", "FFFF")));
        assertEquals(0x9000, SimCard.sw(c.raw("00CB3FFF055C035FC10900")));
    }

    @Test
    void objectTooLargeForItsStorageIsRejectedAndOldValueKept() throws Exception {
        SimCard c = new SimCard().selected();
        c.admin.authenticateManagementKey(PivClient.defaultManagementKey());
        c.admin.putData(0x5FC107, new byte[] {1, 2, 3});
        byte[] before = c.admin.getData(0x5FC107);
        var e = org.junit.jupiter.api.Assertions.assertThrows(
                org.opencluster.auth.token.piv.PivCardException.class,
                () -> c.admin.putData(0x5FC107, new byte[600]));
        assertEquals(0x6A84, e.statusWord());
        assertNotEquals(0, before.length);
        assertArrayEquals(before, c.admin.getData(0x5FC107));
    }
}
