package org.opencluster.auth.protocol.suite;

/** Why a suite, a suite policy or a key exchange was refused. Codes are stable (they appear in logs and docs). */
public enum SuiteError {
    UNKNOWN_SUITE(0x01),
    DUPLICATE_SUITE(0x02),
    EMPTY_POLICY(0x03),
    MALFORMED_POLICY(0x04),
    INVALID_PUBLIC_KEY(0x05),
    KEY_AGREEMENT_FAILED(0x06),
    STALE_POLICY(0x07);

    private final int code;

    SuiteError(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
