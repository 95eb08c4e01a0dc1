package org.opencluster.auth.token;

/** Public-key encryption schemes a {@link Token} can decrypt. */
public enum EncryptionScheme {
    /** RSAES-OAEP (RFC 8017) with SHA-256, MGF1-SHA-256 and an empty label. */
    RSA_OAEP_SHA256
}
