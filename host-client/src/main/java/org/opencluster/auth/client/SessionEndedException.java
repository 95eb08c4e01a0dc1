package org.opencluster.auth.client;

import java.io.IOException;

/**
 * The session is over and cannot be used again: the server ended it (a failed or overdue re-authentication, an
 * admin, a disabled suite) or the client had to (the card or token that proves the account was removed). Log in
 * again to continue. {@link #getCause()} says why when a local cause exists (for example a {@code TokenException}
 * with {@code TOKEN_REMOVED}).
 */
public final class SessionEndedException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int serverCode;

    public SessionEndedException(String message, int serverCode, Throwable cause) {
        super(message, cause);
        this.serverCode = serverCode;
    }

    /** The server's error code when the server ended the session, else -1. */
    public int serverCode() {
        return serverCode;
    }
}
