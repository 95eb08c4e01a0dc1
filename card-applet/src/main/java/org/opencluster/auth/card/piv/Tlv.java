package org.opencluster.auth.card.piv;

import javacard.framework.ISO7816;
import javacard.framework.ISOException;

/**
 * BER-TLV helpers for the one- and two-byte tags and the short, 81 and 82 length forms PIV uses. Every parse
 * is bounded by an explicit end offset and fails with 6A80 (wrong data), so a malformed TLV can never read
 * outside the command data.
 */
final class Tlv {
    private Tlv() {
    }

    /** Offset just past the length field that starts at {@code off}; the value starts there. */
    static short valueOffset(byte[] buf, short off, short end) {
        if (off >= end) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        byte first = buf[off];
        if (first >= 0) {
            return (short) (off + 1);
        }
        if (first == (byte) 0x81) {
            return (short) (off + 2);
        }
        if (first == (byte) 0x82) {
            return (short) (off + 3);
        }
        ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        return 0;
    }

    /**
     * Length encoded at {@code off}, checked to fit (value included) before {@code end}. Lengths above 0x7FFF
     * do not fit any buffer of this applet and are rejected.
     */
    static short length(byte[] buf, short off, short end) {
        short valueOff = valueOffset(buf, off, end);
        if (valueOff > end) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        short len;
        byte first = buf[off];
        if (first >= 0) {
            len = first;
        } else if (first == (byte) 0x81) {
            len = (short) (buf[(short) (off + 1)] & 0xFF);
            if (len < 0x80) {
                ISOException.throwIt(ISO7816.SW_WRONG_DATA);
            }
        } else {
            if (buf[(short) (off + 1)] < 0) {
                ISOException.throwIt(ISO7816.SW_WRONG_DATA);
            }
            len = (short) (((buf[(short) (off + 1)] & 0xFF) << 8) | (buf[(short) (off + 2)] & 0xFF));
        }
        if (len > (short) (end - valueOff)) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        return len;
    }

    /** Number of bytes {@link #writeLength} uses for {@code len}. */
    static short lengthSize(short len) {
        if (len < 0x80) {
            return 1;
        }
        return (len <= 0xFF) ? (short) 2 : (short) 3;
    }

    /** Writes {@code len} in the shortest BER form at {@code off}; returns the offset after it. */
    static short writeLength(byte[] buf, short off, short len) {
        if (len < 0x80) {
            buf[off] = (byte) len;
            return (short) (off + 1);
        }
        if (len <= 0xFF) {
            buf[off] = (byte) 0x81;
            buf[(short) (off + 1)] = (byte) len;
            return (short) (off + 2);
        }
        buf[off] = (byte) 0x82;
        buf[(short) (off + 1)] = (byte) (len >> 8);
        buf[(short) (off + 2)] = (byte) len;
        return (short) (off + 3);
    }

    /**
     * Checks that {@code buf[off..end)} is exactly one TLV with the one-byte tag {@code tag} and returns the
     * offset of its value; its length is {@code end - returned offset}.
     */
    static short expectOnly(byte[] buf, short off, short end, byte tag) {
        if (off >= end || buf[off] != tag) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        short lenOff = (short) (off + 1);
        short len = length(buf, lenOff, end);
        short valueOff = valueOffset(buf, lenOff, end);
        if ((short) (valueOff + len) != end) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        return valueOff;
    }
}
