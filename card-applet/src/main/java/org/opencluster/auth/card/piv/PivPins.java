package org.opencluster.auth.card.piv;

import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.OwnerPIN;
import javacard.framework.Util;

/**
 * The PIV card application PIN (key reference 80) and PUK (81), both 6 to 8 characters padded with FF to 8
 * bytes. The try counters live in OwnerPIN, i.e. on the card, so no host can reset them without the PUK.
 */
final class PivPins {
    static final byte REF_PIN = (byte) 0x80;
    static final byte REF_PUK = (byte) 0x81;
    static final byte PIN_TRY_LIMIT = 3;
    static final byte PUK_TRY_LIMIT = 3;
    static final short PADDED_LENGTH = 8;
    private static final short MIN_LENGTH = 6;

    static final short SW_BLOCKED = 0x6983;
    private static final short SW_TRIES_LEFT = 0x63C0;

    private final OwnerPIN pin;
    private final OwnerPIN puk;
    /** Set by a successful VERIFY and consumed by the next 9C signature (PIN "always" policy). */
    private final byte[] justVerified;

    PivPins() {
        pin = new OwnerPIN(PIN_TRY_LIMIT, (byte) PADDED_LENGTH);
        puk = new OwnerPIN(PUK_TRY_LIMIT, (byte) PADDED_LENGTH);
        justVerified = JCSystem.makeTransientByteArray((short) 1, JCSystem.CLEAR_ON_DESELECT);
        byte[] initial = new byte[PADDED_LENGTH];
        setDefault(initial, (byte) 6);
        pin.update(initial, (short) 0, (byte) PADDED_LENGTH);
        setDefault(initial, (byte) 8);
        puk.update(initial, (short) 0, (byte) PADDED_LENGTH);
        Util.arrayFillNonAtomic(initial, (short) 0, PADDED_LENGTH, (byte) 0);
    }

    /** Factory values 123456 and 12345678 (as YubiKeys ship): deployments must change both. */
    private static void setDefault(byte[] value, byte digits) {
        for (byte i = 0; i < PADDED_LENGTH; i++) {
            value[i] = i < digits ? (byte) ('1' + i) : (byte) 0xFF;
        }
    }

    boolean pinVerified() {
        return pin.isValidated();
    }

    /** True once per successful VERIFY: for keys that require the PIN right before each use. */
    boolean consumeFreshVerification() {
        boolean fresh = pin.isValidated() && justVerified[0] != 0;
        justVerified[0] = 0;
        return fresh;
    }

    /** Forgets the verified state (deselect, VERIFY with P1=FF). */
    void resetSecurityStatus() {
        pin.reset();
        puk.reset();
        justVerified[0] = 0;
    }

    /** VERIFY with data: checks the padded PIN at {@code buf[off..off+8)}. */
    void verify(byte[] buf, short off) {
        if (pin.getTriesRemaining() == 0) {
            ISOException.throwIt(SW_BLOCKED);
        }
        justVerified[0] = 0;
        if (!pin.check(buf, off, (byte) PADDED_LENGTH)) {
            throwTriesLeft(pin);
        }
        justVerified[0] = 1;
    }

    /** VERIFY without data: reports the status without spending a try. */
    void status() {
        if (pin.getTriesRemaining() == 0) {
            ISOException.throwIt(SW_BLOCKED);
        }
        if (!pin.isValidated()) {
            throwTriesLeft(pin);
        }
    }

    /** CHANGE REFERENCE DATA: {@code buf[off..+8)} is the current value, {@code [off+8..+8)} the new one. */
    void change(byte ref, byte[] buf, short off) {
        OwnerPIN target = ref == REF_PIN ? pin : puk;
        short newOff = (short) (off + PADDED_LENGTH);
        checkFormat(buf, newOff);
        if (target.getTriesRemaining() == 0) {
            ISOException.throwIt(SW_BLOCKED);
        }
        if (!target.check(buf, off, (byte) PADDED_LENGTH)) {
            throwTriesLeft(target);
        }
        target.update(buf, newOff, (byte) PADDED_LENGTH);
        justVerified[0] = 0;
    }

    /** RESET RETRY COUNTER: the PUK at {@code buf[off..+8)} unblocks and sets the PIN at {@code [off+8..+8)}. */
    void unblock(byte[] buf, short off) {
        short newOff = (short) (off + PADDED_LENGTH);
        checkFormat(buf, newOff);
        if (puk.getTriesRemaining() == 0) {
            ISOException.throwIt(SW_BLOCKED);
        }
        if (!puk.check(buf, off, (byte) PADDED_LENGTH)) {
            throwTriesLeft(puk);
        }
        puk.reset();
        pin.update(buf, newOff, (byte) PADDED_LENGTH);
        pin.resetAndUnblock();
        justVerified[0] = 0;
    }

    /** 6 to 8 non-FF bytes followed only by FF padding; anything else is 6A80 and costs no try. */
    private static void checkFormat(byte[] buf, short off) {
        short chars = 0;
        while (chars < PADDED_LENGTH && buf[(short) (off + chars)] != (byte) 0xFF) {
            chars++;
        }
        for (short i = chars; i < PADDED_LENGTH; i++) {
            if (buf[(short) (off + i)] != (byte) 0xFF) {
                ISOException.throwIt(ISO7816.SW_WRONG_DATA);
            }
        }
        if (chars < MIN_LENGTH) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
    }

    private static void throwTriesLeft(OwnerPIN which) {
        ISOException.throwIt((short) (SW_TRIES_LEFT | which.getTriesRemaining()));
    }
}
