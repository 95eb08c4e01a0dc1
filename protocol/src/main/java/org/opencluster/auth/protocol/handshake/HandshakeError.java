package org.opencluster.auth.protocol.handshake;

/**
 * Why a handshake was aborted. Codes are stable and go on the wire in the error command of the handshake phase
 * (docs/handshake.md, section 7); the text sent with them never says which check on a secret failed beyond this.
 */
public enum HandshakeError {
    UNSUPPORTED_VERSION(0x0101),
    NO_COMMON_SUITE(0x0102),
    DOWNGRADE_DETECTED(0x0103),
    MALFORMED_MESSAGE(0x0104),
    UNEXPECTED_MESSAGE(0x0105),
    INVALID_KEY_SHARE(0x0106),
    BAD_SERVER_SIGNATURE(0x0107),
    UNTRUSTED_SERVER_KEY(0x0108),
    SERVER_KEY_CHANGED(0x0109),
    BAD_FINISHED(0x010a),
    LOGIN_FAILED(0x010b),
    SUITE_DISABLED(0x010c);

    private final int code;

    HandshakeError(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
