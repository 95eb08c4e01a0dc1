package org.opencluster.auth.card.piv;

import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;

/**
 * The dynamic authentication template {@code 7C L { 80 witness | 81 challenge | 82 response | 85 exponentiation }}
 * of GENERAL AUTHENTICATE, parsed into offsets and lengths (transient, so parsing allocates nothing).
 */
final class GaTemplate {
    static final byte TAG_TEMPLATE = 0x7C;

    static final byte TAG_WITNESS = (byte) 0x80;
    static final byte TAG_CHALLENGE = (byte) 0x81;
    static final byte TAG_RESPONSE = (byte) 0x82;
    static final byte TAG_EXPONENTIATION = (byte) 0x85;

    static final short WITNESS = 0;
    static final short CHALLENGE = 1;
    static final short RESPONSE = 2;
    static final short EXPONENTIATION = 3;
    private static final short TAGS = 4;

    /** [2i] value offset, [2i+1] value length or -1 when tag i is absent. */
    private final short[] parsed;

    GaTemplate() {
        parsed = JCSystem.makeTransientShortArray((short) (2 * TAGS), JCSystem.CLEAR_ON_DESELECT);
    }

    /** Parses {@code buf[off..end)}, which must be exactly one 7C template with no unknown or repeated tags. */
    void parse(byte[] buf, short off, short end) {
        for (short i = 0; i < TAGS; i++) {
            parsed[(short) (2 * i)] = 0;
            parsed[(short) (2 * i + 1)] = -1;
        }
        short pos = Tlv.expectOnly(buf, off, end, TAG_TEMPLATE);
        while (pos < end) {
            short which = index(buf[pos]);
            if (which < 0 || parsed[(short) (2 * which + 1)] >= 0) {
                ISOException.throwIt(ISO7816.SW_WRONG_DATA);
            }
            short lenOff = (short) (pos + 1);
            short len = Tlv.length(buf, lenOff, end);
            short valueOff = Tlv.valueOffset(buf, lenOff, end);
            parsed[(short) (2 * which)] = valueOff;
            parsed[(short) (2 * which + 1)] = len;
            pos = (short) (valueOff + len);
        }
    }

    private static short index(byte tag) {
        switch (tag) {
            case TAG_WITNESS:
                return WITNESS;
            case TAG_CHALLENGE:
                return CHALLENGE;
            case TAG_RESPONSE:
                return RESPONSE;
            case TAG_EXPONENTIATION:
                return EXPONENTIATION;
            default:
                return -1;
        }
    }

    /** Length of the value of tag {@code which}, -1 when absent. */
    short length(short which) {
        return parsed[(short) (2 * which + 1)];
    }

    short offset(short which) {
        return parsed[(short) (2 * which)];
    }
}
