package org.opencluster.auth.card.piv;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.opencluster.auth.card.vpcd.VirtualCard;
import org.opencluster.auth.token.piv.PivAlgorithm;
import org.opencluster.auth.token.piv.PivCardException;
import org.opencluster.auth.token.piv.PivClient;
import org.opencluster.auth.token.piv.PivSlot;

/**
 * Fuzz target for the applet's APDU processing, in jCardSim. Every input starts on a card in the state a fresh
 * install would have (so a finding replays alone), without paying an install per input (that made this target run at
 * 56 exec/s): one card per persistent set-up (byte 0 bit 2: a key in 9A or not) lives for the JVM, is power-cycled
 * and selected before each input, and is factory-reset ({@link VirtualCard#factoryReset}) and set up again only
 * after an input that may have changed its persistent state: one that sent an APDU the applet processed other than
 * SELECT, GET RESPONSE and GET DATA (processed: not refused at its class, instruction or length, 6E00/6D00/6700).
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
    /** Byte 0 bit 2 (a key generated in 9A) is the set-up's only persistent part: one card without, one with. */
    private static final SimCard[] CARDS = new SimCard[2];
    private static final boolean[] DIRTY = new boolean[2];

    @FuzzTest
    void apdus(byte[] input) {
        if (input.length < 1) {
            return;
        }
        int variant = (input[0] >> 2) & 1;
        SimCard card = cleanCard(variant);
        setUpSession(card, input[0]);
        int at = 1;
        for (int n = 0; at < input.length && n < MAX_APDUS; n++) {
            int len = Math.min(input[at] & 0xff, input.length - at - 1);
            byte[] apdu = Arrays.copyOfRange(input, at + 1, at + 1 + len);
            at += 1 + len;
            int sw;
            try {
                sw = send(card, apdu);
            } catch (AssertionError finding) {
                DIRTY[variant] = true;
                throw finding;
            }
            if (mayChangePersistentState(apdu) && sw != 0x6E00 && sw != 0x6D00 && sw != 0x6700) {
                DIRTY[variant] = true;
            }
        }
        card.sw("00A4040009A00000030800001000");
        int sw = card.sw("00CB3FFF035C017E00");
        assertTrue(sw == 0x9000, () -> String.format("the card stopped working: GET DATA 7E got %04X", sw));
    }

    /**
     * The card for this variant in the persistent state of a fresh install (plus a P-256 key in 9A for variant 1),
     * power-cycled (no PIN verified, no management key authenticated) and selected.
     */
    private static SimCard cleanCard(int variant) {
        SimCard card = CARDS[variant];
        if (card == null || DIRTY[variant]) {
            if (card == null) {
                card = new SimCard();
                CARDS[variant] = card;
            } else {
                card.card.factoryReset();
            }
            card.selected();
            if (variant == 1) {
                try {
                    card.admin.authenticateManagementKey(PivClient.defaultManagementKey());
                    card.admin.generateKey(PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256);
                } catch (PivCardException e) {
                    throw new AssertionError("a fresh card refused its defaults", e);
                }
            }
            DIRTY[variant] = false;
        }
        card.card.powerCycle();
        return card.selected();
    }

    /** Whether the applet may change its persistent state for this APDU (all but SELECT, GET RESPONSE, GET DATA). */
    private static boolean mayChangePersistentState(byte[] apdu) {
        if (apdu.length < 4) {
            return false; // answered 6700 by the card's I/O layer
        }
        int ins = apdu[1] & 0xff;
        return ins != 0xA4 && ins != 0xC0 && ins != 0xCB;
    }

    private static int send(SimCard card, byte[] apdu) {
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
        return sw;
    }

    /** The security state byte 0 asks for (bit 0: PIN verified; bit 1 or 2: management key authenticated). */
    private static void setUpSession(SimCard card, byte flags) {
        try {
            if ((flags & 1) != 0) {
                card.admin.verifyPin("123456".toCharArray());
            }
            if ((flags & 6) != 0) {
                card.admin.authenticateManagementKey(PivClient.defaultManagementKey());
            }
        } catch (PivCardException e) {
            throw new AssertionError("a fresh card refused its defaults", e);
        }
    }
}
