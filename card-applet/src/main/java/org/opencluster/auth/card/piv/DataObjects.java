package org.opencluster.auth.card.piv;

import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.Util;
import javacard.security.RandomData;

/**
 * The PIV data objects this applet stores (tags 5FC1xx) plus the fixed discovery object (7E). Each object is
 * kept as the complete {@code 53 L V} template that GET DATA returns; storage is allocated once at install.
 */
final class DataObjects {
    static final byte TAG_DISCOVERY = 0x7E;
    static final byte TAG_CONTAINER = 0x53;
    static final byte TAG_LIST = 0x5C;

    static final byte ID_CERT_9E = 0x01;
    static final byte ID_CHUID = 0x02;
    static final byte ID_CERT_9A = 0x05;
    static final byte ID_SECURITY_OBJECT = 0x06;
    static final byte ID_CCC = 0x07;
    static final byte ID_PRINTED_INFO = 0x09;
    static final byte ID_CERT_9C = 0x0A;
    static final byte ID_CERT_9D = 0x0B;
    static final byte ID_KEY_HISTORY = 0x0C;

    private static final byte[] IDS = {
        ID_CERT_9E, ID_CHUID, ID_CERT_9A, ID_SECURITY_OBJECT, ID_CCC, ID_PRINTED_INFO, ID_CERT_9C, ID_CERT_9D,
        ID_KEY_HISTORY,
    };
    private static final short CERT_CAPACITY = 2048;
    private static final short SMALL_CAPACITY = 512;

    /** PIV AID with version: what the discovery object and SELECT report. */
    static final byte[] PIV_AID = {
        (byte) 0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00,
    };

    private final Object[] values;
    private final short[] lengths;
    private final byte[] discovery;

    DataObjects(RandomData random) {
        values = new Object[IDS.length];
        lengths = new short[IDS.length];
        for (short i = 0; i < IDS.length; i++) {
            byte id = IDS[i];
            boolean cert = id == ID_CERT_9A || id == ID_CERT_9C || id == ID_CERT_9D || id == ID_CERT_9E;
            values[i] = new byte[cert ? CERT_CAPACITY : SMALL_CAPACITY];
        }
        discovery = buildDiscovery();
        buildChuid(random);
    }

    /**
     * 7E { 4F AID, 5F2F 40 00 }: the PIV PIN is the only PIN and satisfies all access rules. OpenSC reads it
     * to know PIV is still selected instead of re-selecting before every operation.
     */
    private static byte[] buildDiscovery() {
        byte[] d = new byte[(short) (2 + 2 + PIV_AID.length + 5)];
        short off = 0;
        d[off++] = TAG_DISCOVERY;
        d[off++] = (byte) (d.length - 2);
        d[off++] = 0x4F;
        d[off++] = (byte) PIV_AID.length;
        off = Util.arrayCopyNonAtomic(PIV_AID, (short) 0, d, off, (short) PIV_AID.length);
        d[off++] = 0x5F;
        d[off++] = 0x2F;
        d[off++] = 0x02;
        d[off++] = 0x40;
        d[off] = 0x00;
        return d;
    }

    /**
     * A CHUID with a random GUID, so every card instance has a distinct identifier (OpenSC derives the token
     * serial from it). The FASC-N is the all-nines "non-federal issuer" value; the signature is empty.
     */
    private void buildChuid(RandomData random) {
        byte[] c = (byte[]) values[indexOf(ID_CHUID)];
        short off = 0;
        c[off++] = TAG_CONTAINER;
        c[off++] = 0; // patched below
        c[off++] = 0x30;
        c[off++] = (byte) FASC_N.length;
        off = Util.arrayCopyNonAtomic(FASC_N, (short) 0, c, off, (short) FASC_N.length);
        c[off++] = 0x34;
        c[off++] = 0x10;
        random.generateData(c, off, (short) 16);
        off += 16;
        c[off++] = 0x35;
        c[off++] = 0x08;
        off = Util.arrayCopyNonAtomic(EXPIRY, (short) 0, c, off, (short) EXPIRY.length);
        c[off++] = 0x3E;
        c[off++] = 0x00;
        c[off++] = (byte) 0xFE;
        c[off++] = 0x00;
        c[1] = (byte) (off - 2);
        lengths[indexOf(ID_CHUID)] = off;
    }

    /** FASC-N for agency code 9999 / system 9999 / credential 999999, the value for non-federal issuers. */
    private static final byte[] FASC_N = {
        (byte) 0xD4, (byte) 0xE7, 0x39, (byte) 0xDA, 0x73, (byte) 0x9C, (byte) 0xED, 0x39,
        (byte) 0xCE, 0x73, (byte) 0x9D, (byte) 0x83, 0x68, 0x58, 0x21, 0x08,
        0x42, 0x10, (byte) 0x84, 0x21, (byte) 0xC8, 0x42, 0x10, (byte) 0xC3, (byte) 0xEB,
    };

    private static final byte[] EXPIRY = {'2', '0', '4', '9', '1', '2', '3', '1'};

    /** Index of the object with the 5FC1xx low byte {@code id}, or -1. */
    private static short indexOf(byte id) {
        for (short i = 0; i < IDS.length; i++) {
            if (IDS[i] == id) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Parses the tag list {@code 5C 01 7E} or {@code 5C 03 5F C1 xx} at {@code buf[off..end)}; the caller
     * checks what follows it (it ends at {@code off + 2 + buf[off + 1]}).
     *
     * @return the 5FC1xx low byte, or {@link #TAG_DISCOVERY}
     */
    static byte parseTagList(byte[] buf, short off, short end) {
        if ((short) (end - off) < 3 || buf[off] != TAG_LIST) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        byte len = buf[(short) (off + 1)];
        if (len < 1 || len > 3 || (short) (end - off) < (short) (2 + len)) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        if (len == 1 && buf[(short) (off + 2)] == TAG_DISCOVERY) {
            return TAG_DISCOVERY;
        }
        if (len == 3 && buf[(short) (off + 2)] == 0x5F && buf[(short) (off + 3)] == (byte) 0xC1
                && buf[(short) (off + 4)] != TAG_DISCOVERY) {
            return buf[(short) (off + 4)];
        }
        // A well-formed tag naming an object this card does not have (biometric group, 5FFFxx, ...).
        ISOException.throwIt(ISO7816.SW_FILE_NOT_FOUND);
        return 0;
    }

    /** The stored template of {@code id}, or 6A82 when the card has none. */
    byte[] array(byte id) {
        if (id == TAG_DISCOVERY) {
            return discovery;
        }
        short i = indexOf(id);
        if (i < 0 || lengths[i] == 0) {
            ISOException.throwIt(ISO7816.SW_FILE_NOT_FOUND);
        }
        return (byte[]) values[i];
    }

    /** Length of the template {@link #array} returned for {@code id}. */
    short length(byte id) {
        if (id == TAG_DISCOVERY) {
            return (short) discovery.length;
        }
        short i = indexOf(id);
        return i < 0 ? 0 : lengths[i];
    }

    /** Objects whose read needs the PIN (SP 800-73-4 Part 1, Table 1: printed information). */
    static boolean readNeedsPin(byte id) {
        return id == ID_PRINTED_INFO;
    }

    /**
     * PUT DATA: {@code buf[off..end)} is {@code 5C 03 5FC1xx 53 L V}; stores {@code 53 L V}. An empty 53
     * deletes the object.
     */
    void put(byte[] buf, short off, short end) {
        byte id = parseTagList(buf, off, end);
        if (id == TAG_DISCOVERY) {
            ISOException.throwIt(ISO7816.SW_FUNC_NOT_SUPPORTED);
        }
        short templateOff = (short) (off + 5);
        // Validate the whole command before touching storage.
        short valueOff = Tlv.expectOnly(buf, templateOff, end, TAG_CONTAINER);
        short i = indexOf(id);
        if (i < 0) {
            ISOException.throwIt(ISO7816.SW_FILE_NOT_FOUND);
        }
        short templateLen = (short) (end - templateOff);
        byte[] target = (byte[]) values[i];
        if (templateLen > (short) target.length) {
            ISOException.throwIt(ISO7816.SW_FILE_FULL);
        }
        // Length first to 0 so a torn write leaves "absent", never a half-written object.
        lengths[i] = 0;
        if (valueOff == end) {
            return;
        }
        Util.arrayCopyNonAtomic(buf, templateOff, target, (short) 0, templateLen);
        lengths[i] = templateLen;
    }
}
