package org.opencluster.auth.protocol.suite;

/** The hash of a suite: it drives HKDF, HMAC and the running transcript hash (docs/PROTOCOL.md, section 5.4). */
public enum HashAlgorithm {
    SHA256("SHA-256", "HmacSHA256", 32),
    SHA384("SHA-384", "HmacSHA384", 48);

    private final String jcaDigest;
    private final String jcaHmac;
    private final int length;

    HashAlgorithm(String jcaDigest, String jcaHmac, int length) {
        this.jcaDigest = jcaDigest;
        this.jcaHmac = jcaHmac;
        this.length = length;
    }

    /** JCA name of the digest ({@code MessageDigest.getInstance}). */
    public String jcaDigest() {
        return jcaDigest;
    }

    /** JCA name of the HMAC over this hash ({@code Mac.getInstance}). */
    public String jcaHmac() {
        return jcaHmac;
    }

    /** Output length in bytes. */
    public int length() {
        return length;
    }
}
