package org.opencluster.auth.protocol.handshake;

/**
 * Why a handshake was aborted. Codes are stable and go on the wire in the error command of the handshake phase
 * (docs/PROTOCOL.md, section 5.7); the text sent with them never says which check on a secret failed beyond this.
 */
public enum HandshakeError {
    UNSUPPORTED_VERSION(0x0601),
    NO_COMMON_SUITE(0x0602),
    DOWNGRADE_DETECTED(0x0603),
    MALFORMED_MESSAGE(0x0604),
    UNEXPECTED_MESSAGE(0x0605),
    INVALID_KEY_SHARE(0x0606),
    BAD_SERVER_SIGNATURE(0x0607),
    UNTRUSTED_SERVER_KEY(0x0608),
    SERVER_KEY_CHANGED(0x0609),
    BAD_FINISHED(0x060a),
    LOGIN_FAILED(0x060b),
    SUITE_DISABLED(0x060c);

    private final int code;

    HandshakeError(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
