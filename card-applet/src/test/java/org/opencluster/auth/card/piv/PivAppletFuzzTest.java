package org.opencluster.auth.card.piv;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.opencluster.auth.card.vpcd.VirtualCard;
import org.opencluster.auth.token.piv.PivAlgorithm;
import org.opencluster.auth.token.piv.PivCardException;
import org.opencluster.auth.token.piv.PivClient;
import org.opencluster.auth.token.piv.PivSlot;

/**
 * Fuzz target for the applet's APDU processing, in jCardSim. Every input starts on a card in the persistent state a
 * fresh install would have (so a finding replays alone), without paying an install per input (that made this target
 * run at 56 exec/s, and a factory reset after each input that sent a command which may write, at 125 exec/s): one card
 * per persistent set-up (byte 0 bit 2: a key in 9A or not) lives for the JVM, is power-cycled and selected before each
 * input, and is factory-reset ({@link VirtualCard#factoryReset}) and set up again only when the input left its
 * persistent state other than it was before ({@link AppletStateSnapshot}: every field reachable from the applet, the
 * PIN and PUK tries, keys and data objects included; transient arrays and the random generator excepted), or failed.
 * Transient arrays jCardSim registered during an input and nobody reaches any more are unregistered after it
 * ({@link AppletStateSnapshot#forgetUnreachableTransients}): they piled up and made every power cycle slower.
 * GENERATE takes its keys from a {@link FuzzingKeyPool} while an input runs (the simulator's RSA-2048 prime search was
 * 95% of this target's CPU); the hook is cleared after each input, so no other test in the JVM sees it.
 * A clean card is warmed up once after each reset (PIN verified, management key authenticated, power cycle) before its
 * state is recorded: the first use initialises cipher objects, which persist, and every later use leaves them so.
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
    private static final AppletStateSnapshot[] STATES = new AppletStateSnapshot[2];
    /** The persistent state of each card when clean; null when the card must be reset before its next input. */
    private static final byte[][] CLEAN = new byte[2][];
    /** How many transient arrays each card's simulator had when clean (see {@link AppletStateSnapshot#transientMark}). */
    private static final int[][] TRANSIENTS = new int[2][];

    private static FuzzingKeyPool keyPool;

    @FuzzTest
    void apdus(byte[] input) {
        if (input.length < 1) {
            return;
        }
        int variant = (input[0] >> 2) & 1;
        if (keyPool == null) {
            cleanCard(variant); // the pool's key objects need the simulator's runtime, which the first card sets up
            keyPool = new FuzzingKeyPool();
        }
        KeySlots.testOnlyKeyOperations = keyPool; // before the set-up too: a reset card gets its 9A key from the pool
        boolean completed = false;
        SimCard card;
        try {
            card = cleanCard(variant);
        } catch (RuntimeException | Error e) {
            KeySlots.testOnlyKeyOperations = null;
            throw e;
        }
        try {
            setUpSession(card, input[0]);
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
            completed = true;
        } finally {
            KeySlots.testOnlyKeyOperations = null;
            AppletStateSnapshot state = STATES[variant];
            if (!completed || !state.matches(CLEAN[variant])) {
                CLEAN[variant] = null;
            } else {
                state.forgetUnreachableTransients(TRANSIENTS[variant]);
            }
        }
    }

    /**
     * The card for this variant in the persistent state of a fresh install (plus a P-256 key in 9A for variant 1),
     * power-cycled (no PIN verified, no management key authenticated) and selected.
     */
    private static SimCard cleanCard(int variant) {
        SimCard card = CARDS[variant];
        if (card == null || CLEAN[variant] == null) {
            if (card == null) {
                card = new SimCard();
                CARDS[variant] = card;
            } else {
                card.card.factoryReset();
            }
            STATES[variant] = AppletStateSnapshot.of(card.card); // a reset installs a new applet instance
            card.selected();
            try {
                card.admin.authenticateManagementKey(PivClient.defaultManagementKey());
                if (variant == 1) {
                    card.admin.generateKey(PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256);
                }
            } catch (PivCardException e) {
                throw new AssertionError("a fresh card refused its defaults", e);
            }
            setUpSession(card, (byte) 3);
            card.card.powerCycle();
            card.selected();
            CLEAN[variant] = STATES[variant].take();
            TRANSIENTS[variant] = STATES[variant].transientMark();
        }
        card.card.powerCycle();
        return card.selected();
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

    /** The security state byte 0 asks for (bit 0: PIN verified; bit 1 or 2: management key authenticated). */
    private static void setUpSession(SimCard card, byte flags) {
        try {
            if ((flags & 1) != 0) {
                card.admin.verifyPin("123456".toCharArray());
            }
        } catch (PivCardException e) {
            throw new AssertionError("a fresh card refused its defaults", e);
        }
        if ((flags & 6) != 0) {
            authenticateManagementKey(card);
        }
    }

    /** The default management key, set up once: its cipher object is most of a host-side authentication's cost. */
    private static final Cipher MANAGEMENT_KEY = managementKeyCipher();

    /**
     * Mutual authentication with the default management key (what {@link PivClient#authenticateManagementKey} sends,
     * without a new cipher and random source per input; the card's answer to the host challenge is not checked, the
     * card is the one under test and its status word is).
     */
    private static void authenticateManagementKey(SimCard card) {
        byte[] step1 = card.raw("0087039B047C028000");
        if (step1.length != 14 || SimCard.sw(step1) != 0x9000) {
            throw new AssertionError("a fresh card refused its management key: " + SimCard.hex(step1));
        }
        byte[] witness;
        try {
            witness = MANAGEMENT_KEY.doFinal(step1, 4, 8);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        int sw = card.sw("0087039B167C148008" + SimCard.hex(witness) + "81080102030405060708");
        if (sw != 0x9000) {
            throw new AssertionError(String.format("a fresh card refused its management key: %04X", sw));
        }
    }

    private static Cipher managementKeyCipher() {
        try {
            Cipher c = Cipher.getInstance("DESede/ECB/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(PivClient.defaultManagementKey(), "DESede"));
            return c;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("3DES is not available in this JVM", e);
        }
    }
}
