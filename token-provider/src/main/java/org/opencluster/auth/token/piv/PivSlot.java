package org.opencluster.auth.token.piv;

/** The PIV asymmetric key slots, with the data object that holds each slot's certificate. */
public enum PivSlot {
    AUTHENTICATION(0x9A, 0x5FC105),
    SIGNATURE(0x9C, 0x5FC10A),
    KEY_MANAGEMENT(0x9D, 0x5FC10B),
    CARD_AUTHENTICATION(0x9E, 0x5FC101);

    private final int keyReference;
    private final int certificateTag;

    PivSlot(int keyReference, int certificateTag) {
        this.keyReference = keyReference;
        this.certificateTag = certificateTag;
    }

    public int keyReference() {
        return keyReference;
    }

    public int certificateTag() {
        return certificateTag;
    }

    /** The key reference as written on cards and in tools, e.g. "9A". */
    public String hex() {
        return String.format("%02X", keyReference);
    }

    /** The slot with key reference {@code hex} ("9a", "9D", ...). */
    public static PivSlot fromHex(String hex) {
        for (PivSlot s : values()) {
            if (s.hex().equalsIgnoreCase(hex)) {
                return s;
            }
        }
        throw new IllegalArgumentException("not a PIV key slot: " + hex + " (use 9A, 9C, 9D or 9E)");
    }
}
