package org.opencluster.auth.token.piv;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/** The BER-TLV subset PIV uses (tags of one or two bytes, lengths up to 0xFFFF), strictly bounds-checked. */
final class BerTlv {
    private BerTlv() {
    }

    /** Tag (one or two bytes), shortest BER length, value. */
    static byte[] encode(int tag, byte[] value) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        if (tag > 0xFF) {
            o.write(tag >> 8);
        }
        o.write(tag);
        int len = value.length;
        if (len < 0x80) {
            o.write(len);
        } else if (len <= 0xFF) {
            o.write(0x81);
            o.write(len);
        } else {
            o.write(0x82);
            o.write(len >> 8);
            o.write(len);
        }
        o.writeBytes(value);
        return o.toByteArray();
    }

    /**
     * Value of {@code inner} inside the single {@code outer} TLV that makes up {@code data}, checked to be
     * {@code expectedLen} long unless that is -1.
     */
    static byte[] valueIn(byte[] data, int outer, int inner, int expectedLen) throws PivCardException {
        int[] pos = {0};
        int outerTag = readTag(data, pos);
        int outerLen = readLength(data, pos);
        if (outerTag != outer || pos[0] + outerLen != data.length) {
            throw malformed("expected one %X template", outer);
        }
        while (pos[0] < data.length) {
            int tag = readTag(data, pos);
            int len = readLength(data, pos);
            if (pos[0] + len > data.length) {
                throw malformed("truncated %X element", tag);
            }
            if (tag == inner) {
                if (expectedLen >= 0 && len != expectedLen) {
                    throw malformed("element %X has the wrong length", tag);
                }
                return Arrays.copyOfRange(data, pos[0], pos[0] + len);
            }
            pos[0] += len;
        }
        throw malformed("missing element %X", inner);
    }

    /**
     * The elements of the single {@code outer} TLV that makes up {@code data}, by tag (the first of repeated tags
     * wins); every element must lie inside the template.
     */
    static java.util.Map<Integer, byte[]> elementsOf(byte[] data, int outer) throws PivCardException {
        int[] pos = {0};
        int outerTag = readTag(data, pos);
        int outerLen = readLength(data, pos);
        if (outerTag != outer || pos[0] + outerLen != data.length) {
            throw malformed("expected one %X template", outer);
        }
        java.util.Map<Integer, byte[]> elements = new java.util.HashMap<>();
        while (pos[0] < data.length) {
            int tag = readTag(data, pos);
            int len = readLength(data, pos);
            if (pos[0] + len > data.length) {
                throw malformed("truncated %X element", tag);
            }
            elements.putIfAbsent(tag, Arrays.copyOfRange(data, pos[0], pos[0] + len));
            pos[0] += len;
        }
        return elements;
    }

    private static int readTag(byte[] d, int[] pos) throws PivCardException {
        if (pos[0] >= d.length) {
            throw malformed("truncated tag", 0);
        }
        int tag = d[pos[0]++] & 0xFF;
        if ((tag & 0x1F) == 0x1F) {
            if (pos[0] >= d.length) {
                throw malformed("truncated tag", tag);
            }
            tag = (tag << 8) | (d[pos[0]++] & 0xFF);
        }
        return tag;
    }

    private static int readLength(byte[] d, int[] pos) throws PivCardException {
        if (pos[0] >= d.length) {
            throw malformed("truncated length", 0);
        }
        int first = d[pos[0]++] & 0xFF;
        if (first < 0x80) {
            return first;
        }
        int n = first & 0x7F;
        if (n < 1 || n > 2 || pos[0] + n > d.length) {
            throw malformed("bad length encoding", first);
        }
        int len = 0;
        for (int i = 0; i < n; i++) {
            len = (len << 8) | (d[pos[0]++] & 0xFF);
        }
        return len;
    }

    private static PivCardException malformed(String format, int tag) {
        return new PivCardException(PivCardError.MALFORMED_RESPONSE,
                "the card's answer is not valid PIV: " + String.format(format, tag));
    }
}
