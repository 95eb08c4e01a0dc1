package org.opencluster.auth.card.piv;

import javacard.framework.APDU;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.SystemException;
import javacard.framework.Util;

/**
 * Command chaining (CLA bit 0x10) into one work buffer and response chaining (61xx + GET RESPONSE) out of
 * any byte array, so instructions only ever see complete command data and produce complete responses.
 *
 * <p>All state lives in CLEAR_ON_DESELECT transient memory; the work and output buffers are wiped after every
 * command because they carry PINs, hashes and ECDH secrets.
 */
final class ApduIo {
    /** Largest complete command (chained PUT DATA of a certificate object with its 5C/53 header). */
    static final short WORK_SIZE = 3072;
    /**
     * Largest response built in {@link #out()}: a GENERATE template of an RSA-2048 key ({@code 7F49 82 0109 {81
     * 82 0100 modulus, 82 03 exponent}}, 269 bytes) or an RSA GENERAL AUTHENTICATE answer (264 bytes).
     */
    static final short OUT_SIZE = 272;

    static final short SW_LAST_COMMAND_EXPECTED = 0x6883;
    static final short SW_CHAINING_NOT_SUPPORTED = 0x6884;

    static final byte INS_GET_RESPONSE = (byte) 0xC0;
    private static final byte CLA_CHAINING = 0x10;

    // state[] indexes
    private static final short CHAIN_LEN = 0;
    private static final short RESP_OFF = 1;
    private static final short RESP_REMAINING = 2;
    private static final short WORK_USED = 3;
    private static final short OUT_USED = 4;
    private static final short STATE_SIZE = 5;

    // chain[] indexes: the INS/P1/P2 the current chain started with, and whether one is open
    private static final short CHAIN_OPEN = 0;
    private static final short CHAIN_INS = 1;
    private static final short CHAIN_P1 = 2;
    private static final short CHAIN_P2 = 3;

    private final byte[] work;
    private final byte[] out;
    private final short[] state;
    private final byte[] chain;
    private final Object[] responseSource;

    ApduIo() {
        work = transientOrPersistent(WORK_SIZE);
        out = JCSystem.makeTransientByteArray(OUT_SIZE, JCSystem.CLEAR_ON_DESELECT);
        state = JCSystem.makeTransientShortArray(STATE_SIZE, JCSystem.CLEAR_ON_DESELECT);
        chain = JCSystem.makeTransientByteArray((short) 4, JCSystem.CLEAR_ON_DESELECT);
        responseSource = JCSystem.makeTransientObjectArray((short) 1, JCSystem.CLEAR_ON_DESELECT);
    }

    /**
     * 3 KB of RAM is more than many cards have; there the work buffer falls back to EEPROM, which still gets
     * wiped after each command but survives power loss until the next one.
     */
    private static byte[] transientOrPersistent(short size) {
        try {
            return JCSystem.makeTransientByteArray(size, JCSystem.CLEAR_ON_DESELECT);
        } catch (SystemException e) {
            return new byte[size];
        }
    }

    byte[] work() {
        return work;
    }

    byte[] out() {
        return out;
    }

    /**
     * Rejects a command that breaks an open chain, and drops a pending response unless this is GET RESPONSE.
     * Must run first for every command.
     */
    void beginCommand(byte[] apdu) {
        if (apdu[ISO7816.OFFSET_INS] != INS_GET_RESPONSE) {
            clearResponse();
        }
        if (chain[CHAIN_OPEN] != 0
                && (apdu[ISO7816.OFFSET_INS] != chain[CHAIN_INS]
                || apdu[ISO7816.OFFSET_P1] != chain[CHAIN_P1]
                || apdu[ISO7816.OFFSET_P2] != chain[CHAIN_P2])) {
            abortChain();
            ISOException.throwIt(SW_LAST_COMMAND_EXPECTED);
        }
    }

    /**
     * Receives this APDU's data and appends it to the work buffer.
     *
     * @param chainingAllowed whether this instruction accepts command chaining
     * @return the length of the complete command data in {@link #work()} from offset 0, or -1 when this was a
     *         non-final link of a chain (the caller answers 9000 and waits for the rest)
     */
    short receive(APDU apdu, boolean chainingAllowed) {
        byte[] buf = apdu.getBuffer();
        boolean chained = (buf[ISO7816.OFFSET_CLA] & CLA_CHAINING) != 0;
        if (chained && !chainingAllowed) {
            abortChain();
            ISOException.throwIt(SW_CHAINING_NOT_SUPPORTED);
        }
        short received = apdu.setIncomingAndReceive();
        short lc = apdu.getIncomingLength();
        short dataOff = apdu.getOffsetCdata();
        short total = state[CHAIN_LEN];
        if (lc < 0 || lc > (short) (WORK_SIZE - total)) {
            abortChain();
            ISOException.throwIt(ISO7816.SW_WRONG_LENGTH);
        }
        short copied = 0;
        while (true) {
            Util.arrayCopyNonAtomic(buf, dataOff, work, (short) (total + copied), received);
            copied += received;
            markWorkUsed((short) (total + copied));
            if (copied >= lc) {
                break;
            }
            received = apdu.receiveBytes(dataOff);
            if (received <= 0) {
                abortChain();
                ISOException.throwIt(ISO7816.SW_WRONG_LENGTH);
            }
            if (received > (short) (lc - copied)) {
                abortChain();
                ISOException.throwIt(ISO7816.SW_WRONG_LENGTH);
            }
        }
        total += lc;
        if (chained) {
            chain[CHAIN_OPEN] = 1;
            chain[CHAIN_INS] = buf[ISO7816.OFFSET_INS];
            chain[CHAIN_P1] = buf[ISO7816.OFFSET_P1];
            chain[CHAIN_P2] = buf[ISO7816.OFFSET_P2];
            state[CHAIN_LEN] = total;
            return -1;
        }
        chain[CHAIN_OPEN] = 0;
        state[CHAIN_LEN] = 0;
        return total;
    }

    /** Records that the caller wrote {@code len} bytes of the output buffer, so that they get wiped. */
    void markOutUsed(short len) {
        if (len > state[OUT_USED]) {
            state[OUT_USED] = len;
        }
    }

    private void markWorkUsed(short len) {
        if (len > state[WORK_USED]) {
            state[WORK_USED] = len;
        }
    }

    /** Sends {@code src[off..off+len)}, as much as Le allows, and leaves the rest for GET RESPONSE. */
    void send(APDU apdu, byte[] src, short off, short len) {
        responseSource[0] = src;
        state[RESP_OFF] = off;
        state[RESP_REMAINING] = len;
        sendNext(apdu);
    }

    /** Continues a pending response (GET RESPONSE). */
    void getResponse(APDU apdu) {
        byte[] buf = apdu.getBuffer();
        if (buf[ISO7816.OFFSET_P1] != 0 || buf[ISO7816.OFFSET_P2] != 0) {
            clearResponse();
            ISOException.throwIt(ISO7816.SW_INCORRECT_P1P2);
        }
        if (responseSource[0] == null || state[RESP_REMAINING] <= 0) {
            ISOException.throwIt(ISO7816.SW_CONDITIONS_NOT_SATISFIED);
        }
        sendNext(apdu);
    }

    private void sendNext(APDU apdu) {
        short le = apdu.setOutgoing();
        // An absent Le (T=1, case 3 style) is read as "as much as fits": PIV hosts rely on 61xx either way.
        if (le <= 0 || le > 256) {
            le = 256;
        }
        short remaining = state[RESP_REMAINING];
        short chunk = remaining < le ? remaining : le;
        apdu.setOutgoingLength(chunk);
        apdu.sendBytesLong((byte[]) responseSource[0], state[RESP_OFF], chunk);
        remaining -= chunk;
        if (remaining > 0) {
            state[RESP_OFF] += chunk;
            state[RESP_REMAINING] = remaining;
            ISOException.throwIt((short) (ISO7816.SW_BYTES_REMAINING_00 | (remaining > 255 ? 0 : remaining)));
        }
        clearResponse();
    }

    /** Whether a partly sent response is waiting for GET RESPONSE (then the output buffer must survive). */
    boolean responsePending() {
        return state[RESP_REMAINING] > 0;
    }

    /** Wipes what the finished command left in the work buffer; an open chain keeps its data. */
    void endCommand() {
        if (chain[CHAIN_OPEN] == 0 && state[WORK_USED] > 0) {
            Util.arrayFillNonAtomic(work, (short) 0, state[WORK_USED], (byte) 0);
            state[WORK_USED] = 0;
        }
        if (!responsePending()) {
            clearResponse();
        }
    }

    void abortChain() {
        chain[CHAIN_OPEN] = 0;
        state[CHAIN_LEN] = 0;
    }

    void clearResponse() {
        responseSource[0] = null;
        state[RESP_OFF] = 0;
        state[RESP_REMAINING] = 0;
        if (state[OUT_USED] > 0) {
            Util.arrayFillNonAtomic(out, (short) 0, state[OUT_USED], (byte) 0);
            state[OUT_USED] = 0;
        }
    }

    /** Forgets every chain and response and wipes both buffers (SELECT, errors). */
    void reset() {
        abortChain();
        clearResponse();
        Util.arrayFillNonAtomic(work, (short) 0, WORK_SIZE, (byte) 0);
        state[WORK_USED] = 0;
    }
}
