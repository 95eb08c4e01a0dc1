package org.opencluster.auth.client.login;

/** A login that did not succeed: the code (handshake, command or token error) and what to do about it. */
public final class LoginException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int code;

    public LoginException(int code, String message) {
        super(message);
        this.code = code;
    }

    public LoginException(int code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The wire code (HandshakeError, ErrorCode) or -1 for a local failure such as a token error. */
    public int code() {
        return code;
    }
}
