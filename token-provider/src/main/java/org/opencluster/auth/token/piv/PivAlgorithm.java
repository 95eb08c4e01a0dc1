package org.opencluster.auth.token.piv;

/** PIV algorithm identifiers (SP 800-78-4) this project's applet supports for on-card keys. */
public enum PivAlgorithm {
    EC_P256(0x11, "secp256r1", 32),
    EC_P384(0x14, "secp384r1", 48);

    private final int id;
    private final String curveName;
    private final int fieldBytes;

    PivAlgorithm(int id, String curveName, int fieldBytes) {
        this.id = id;
        this.curveName = curveName;
        this.fieldBytes = fieldBytes;
    }

    public int id() {
        return id;
    }

    public String curveName() {
        return curveName;
    }

    public int fieldBytes() {
        return fieldBytes;
    }
}
