package org.opencluster.auth.card.piv;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.opencluster.auth.token.piv.PivAlgorithm;
import org.opencluster.auth.token.piv.PivCardException;
import org.opencluster.auth.token.piv.PivClient;
import org.opencluster.auth.token.piv.PivSlot;

/**
 * Fuzz target for the applet's APDU processing, in jCardSim with the PIV applet freshly installed and selected for
 * every input (so a finding replays alone).
 *
 * <p>Input: byte 0 sets up the card before the fuzzed commands (bit 0 verify the default PIN, bit 1 authenticate
 * the default management key, bit 2 also generate a P-256 key in 9A); then APDUs, each one length byte followed by
 * that many bytes (the last one gets whatever is left), sent in order.
 *
 * <p>Contract: every APDU is answered with a status word (data + SW1 SW2) in the ISO space (9000, 61xx, 6xxx);
 * never 6F00 (an exception the applet did not turn into an ISO status, which jCardSim maps to 6F00), nor jCardSim's
 * own failure words 6444/6999 (SELECT of another AID excepted); nothing escapes the simulator; and after the
 * sequence the card still answers GET DATA for the discovery object.
 */
class PivAppletFuzzTest {
    private static final int MAX_APDUS = 64;

    @FuzzTest
    void apdus(byte[] input) {
        if (input.length < 1) {
            return;
        }
        SimCard card = new SimCard().selected();
        setUp(card, input[0]);
        int at = 1;
        for (int n = 0; at < input.length && n < MAX_APDUS; n++) {
            int len = Math.min(input[at] & 0xff, input.length - at - 1);
            byte[] apdu = Arrays.copyOfRange(input, at + 1, at + 1 + len);
            at += 1 + len;
            send(card, apdu);
        }
        card.sw("00A4040009A00000030800001000");
        int sw = card.sw("00CB3FFF035C017E00");
        assertTrue(sw == 0x9000, () -> String.format("the card stopped working: GET DATA 7E got %04X", sw));
    }

    private static void send(SimCard card, byte[] apdu) {
        byte[] response;
        try {
            response = card.card.transmit(apdu);
        } catch (RuntimeException | Error e) {
            throw new AssertionError("APDU " + SimCard.hex(apdu) + " made the simulator throw", e);
        }
        assertTrue(response.length >= 2, () -> "APDU " + SimCard.hex(apdu) + " got no status word");
        int sw = SimCard.sw(response);
        boolean selectOther = apdu.length > 1 && apdu[1] == (byte) 0xA4;
        assertTrue(sw != 0x6F00 && (selectOther || (sw != 0x6444 && sw != 0x6999)),
                () -> String.format("APDU %s got %04X", SimCard.hex(apdu), sw));
        assertTrue(sw == 0x9000 || (sw & 0xF000) == 0x6000,
                () -> String.format("APDU %s got %04X", SimCard.hex(apdu), sw));
    }

    private static void setUp(SimCard card, byte flags) {
        try {
            if ((flags & 1) != 0) {
                card.admin.verifyPin("123456".toCharArray());
            }
            if ((flags & 6) != 0) {
                card.admin.authenticateManagementKey(PivClient.defaultManagementKey());
            }
            if ((flags & 4) != 0) {
                card.admin.generateKey(PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256);
            }
        } catch (PivCardException e) {
            throw new AssertionError("a fresh card refused its defaults", e);
        }
    }
}
