package org.opencluster.auth.card.piv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.token.piv.PivClient;
import org.opencluster.auth.token.piv.PivCardError;
import org.opencluster.auth.token.piv.PivCardException;

/** 9B 3DES management key authentication (mutual and external variants). */
class ManagementKeyTest {
    private static final String PUT_CCC = "00DB3FFF0A5C035FC107530301AABB";

    private static byte[] des(byte[] key, byte[] block, int mode) throws Exception {
        Cipher c = Cipher.getInstance("DESede/ECB/NoPadding");
        c.init(mode, new SecretKeySpec(key, "DESede"));
        return c.doFinal(block);
    }

    @Test
    void defaultKeyUnlocksPutDataUntilPowerCycle() throws Exception {
        SimCard c = new SimCard().selected();
        assertEquals(0x6982, c.sw(PUT_CCC));
        c.admin.authenticateManagementKey(PivClient.defaultManagementKey());
        assertEquals(0x9000, c.sw(PUT_CCC));
        c.card.powerCycle();
        c.selected();
        assertEquals(0x6982, c.sw(PUT_CCC));
    }

    @Test
    void wrongKeyIsRefusedAndLeavesCardLocked() {
        SimCard c = new SimCard().selected();
        byte[] wrong = PivClient.defaultManagementKey().clone();
        wrong[23] ^= 0x02;
        PivCardException e = assertThrows(PivCardException.class, () -> c.admin.authenticateManagementKey(wrong));
        assertEquals(PivCardError.SECURITY_STATUS_NOT_SATISFIED, e.error());
        assertEquals(0x6982, c.sw(PUT_CCC));
    }

    @Test
    void mutualAuthenticationByHandProvesTheCardKnowsTheKey() throws Exception {
        SimCard c = new SimCard().selected();
        byte[] key = PivClient.defaultManagementKey();
        byte[] r1 = c.raw("008703 9B 04 7C028000 00".replace(" ", ""));
        assertEquals(0x9000, SimCard.sw(r1));
        assertEquals("7C0A8008", SimCard.hex(r1).substring(0, 8));
        byte[] witness = des(key, java.util.Arrays.copyOfRange(r1, 4, 12), Cipher.DECRYPT_MODE);
        byte[] challenge = SimCard.HEX.parseHex("0011223344556677");
        byte[] r2 = c.raw("0087039B16" + "7C14" + "8008" + SimCard.hex(witness) + "8108" + SimCard.hex(challenge)
                + "00");
        assertEquals(0x9000, SimCard.sw(r2));
        assertEquals("7C0A8208", SimCard.hex(r2).substring(0, 8));
        assertArrayEquals(des(key, challenge, Cipher.ENCRYPT_MODE), java.util.Arrays.copyOfRange(r2, 4, 12));
        assertEquals(0x9000, c.sw(PUT_CCC));

        // The witness is single use: replaying step 2 fails and drops the authentication.
        assertEquals(0x6982, SimCard.sw(c.raw("0087039B16" + "7C14" + "8008" + SimCard.hex(witness) + "8108"
                + SimCard.hex(challenge) + "00")));
        assertEquals(0x6982, c.sw(PUT_CCC));
    }

    @Test
    void witnessesDifferBetweenRequests() {
        SimCard c = new SimCard().selected();
        String a = SimCard.hex(c.raw("0087039B047C02800000"));
        String b = SimCard.hex(c.raw("0087039B047C02800000"));
        assertEquals(28, a.length());
        org.junit.jupiter.api.Assertions.assertNotEquals(a, b);
    }

    @Test
    void externalAuthenticationVariant() throws Exception {
        SimCard c = new SimCard().selected();
        byte[] r1 = c.raw("0087039B047C02810000");
        assertEquals(0x9000, SimCard.sw(r1));
        assertEquals("7C0A8108", SimCard.hex(r1).substring(0, 8));
        byte[] answer = des(PivClient.defaultManagementKey(), java.util.Arrays.copyOfRange(r1, 4, 12),
                Cipher.ENCRYPT_MODE);
        assertEquals(0x9000, c.sw("0087039B0C7C0A8208" + SimCard.hex(answer)));
        assertEquals(0x9000, c.sw(PUT_CCC));
    }

    @Test
    void stepTwoWithoutStepOneAndMalformedTemplatesFail() {
        SimCard c = new SimCard().selected();
        assertEquals(0x6982, c.sw("0087039B167C148008000000000000000081080000000000000000"));
        assertEquals(0x6982, c.sw("0087039B0C7C0A82080000000000000000"));
        assertEquals(0x6A86, c.sw("0087119B047C028000"), "9B is a 3DES key");
        assertEquals(0x6A80, c.sw("0087039B047C028100".replace("8100", "8300")), "unknown tag");
        assertEquals(0x6A80, c.sw("0087039B067C0480008000"), "repeated tag");
        assertEquals(0x6A80, c.sw("0087039B067C0280008000"), "trailing bytes after template");
        assertEquals(0x6A80, c.sw("0087039B047C038000"), "template longer than data");
        assertEquals(0x6A80, c.sw("0087039B0A7C0880068000000000000000".substring(0, 30)), "witness of 6 bytes");
        assertEquals(0x6982, c.sw(PUT_CCC));
    }

    @Test
    void keyCanBeChangedOnlyWhenAuthenticatedAndThenTheOldKeyFails() throws Exception {
        SimCard c = new SimCard().selected();
        String newKey = "1122334455667788" + "99AABBCCDDEEFF00" + "0F1E2D3C4B5A6978";
        assertEquals(0x6982, c.sw("00FFFFFF1B039B18" + newKey));
        c.admin.authenticateManagementKey(PivClient.defaultManagementKey());
        assertEquals(0x6A86, c.sw("00FFFFFE1B039B18" + newKey), "touch policy cannot be honoured");
        assertEquals(0x6700, c.sw("00FFFFFF1A039B18" + newKey.substring(2)));
        assertEquals(0x6A80, c.sw("00FFFFFF1B019B18" + newKey), "not 3DES");
        assertEquals(0x6A80, c.sw("00FFFFFF1B039B18" + "1122334455667788".repeat(2) + "0F1E2D3C4B5A6978"),
                "K1 = K2 is single DES");
        assertEquals(0x6A80, c.sw("00FFFFFF1B039B18" + "1122334455667788" + "1023324554677689" + "0F1E2D3C4B5A6978"),
                "K1 = K2 up to parity bits");
        assertEquals(0x9000, c.sw("00FFFFFF1B039B18" + newKey));
        assertEquals(0x6982, c.sw(PUT_CCC), "changing the key ends the authentication");
        assertThrows(PivCardException.class,
                () -> c.admin.authenticateManagementKey(PivClient.defaultManagementKey()));
        c.admin.authenticateManagementKey(SimCard.HEX.parseHex(newKey));
        assertEquals(0x9000, c.sw(PUT_CCC));
    }
}
