package org.opencluster.auth.client;

import java.io.IOException;
import org.opencluster.auth.token.TokenException;

/**
 * The login did not start: the account's token or card is not there (or its module cannot be loaded). Nothing was
 * sent to the server, so nothing was counted against the account; try again once the token is back. The CLI exits
 * with its own code for it. {@link #getCause()} is the token layer's {@link TokenException}.
 */
public final class TokenNotPresentException extends IOException {
    private static final long serialVersionUID = 1L;

    public TokenNotPresentException(String username, TokenException cause) {
        super("token not present for '" + username + "' (" + cause.error() + ": " + cause.getMessage()
                + "); nothing was sent to the server", cause);
    }

    /** What the token layer said. */
    public TokenException tokenError() {
        return (TokenException) getCause();
    }
}
