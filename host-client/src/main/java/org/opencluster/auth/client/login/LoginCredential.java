package org.opencluster.auth.client.login;

import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenException;

/**
 * How the client gets the token that proves possession: a person opens the envelope the server sent with their
 * passphrase; a service or a card holder already has a token and ignores the envelope.
 */
@FunctionalInterface
public interface LoginCredential {
    /**
     * @param username the account
     * @param envelope what the server sent (a real envelope, or a decoy that will not open)
     * @return a token the handshake uses for one proof and then closes
     */
    Token unlock(String username, byte[] envelope) throws TokenException;

    /**
     * Checked before connecting: throws when this credential cannot make a proof now (its token or card is not
     * present), so that a local fault never reaches the server, which would count the abandoned login as a failed
     * one. The default (a passphrase needs nothing present) checks nothing.
     */
    default void checkReady() throws TokenException {
    }
}
