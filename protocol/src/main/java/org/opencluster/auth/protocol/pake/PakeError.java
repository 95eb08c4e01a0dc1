package org.opencluster.auth.protocol.pake;

/** Why an OPRF or OPAQUE operation was refused. Codes are stable (they appear in logs and docs/PAKE.md). */
public enum PakeError {
    /** Not the 33-byte compressed SEC1 encoding of a P-256 point other than the identity (RFC 9497, 2.1). */
    INVALID_ELEMENT(0x01),
    /** Not a 32-byte big-endian scalar in [1, n). */
    INVALID_SCALAR(0x02),
    /** The input hashes to the identity, or is longer than a two-byte length can carry (RFC 9497, 3.3.1). */
    INVALID_INPUT(0x03),
    /** DeriveKeyPair found no non-zero scalar in 256 tries (RFC 9497, 3.2.1). */
    DERIVE_KEY_PAIR(0x04),
    /** The envelope's authentication tag does not match: wrong password, or a tampered or fake record. */
    ENVELOPE_RECOVERY(0x05),
    /** A wire message of the wrong length. */
    MALFORMED_MESSAGE(0x06);

    private final int code;

    PakeError(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
