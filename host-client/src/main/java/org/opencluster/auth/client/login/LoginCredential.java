package org.opencluster.auth.client.login;

import java.security.SecureRandom;
import org.opencluster.auth.protocol.pake.CredentialRequest;
import org.opencluster.auth.protocol.pake.PendingRequest;
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

    /**
     * This login's OPRF credential request (LOGIN_REQUEST extension 0x0001). By default a blinded random input: a
     * credential without a passphrase sends what a passphrase credential sends, so all LOGIN_REQUESTs look alike.
     */
    default PendingRequest<CredentialRequest> oprfRequest(SecureRandom random) throws TokenException {
        return OprfAnswer.unrelatedRequest(random);
    }

    /**
     * Opens with the server's OPRF answer as well ({@link PassphraseCredential} does); by default the answer is
     * not needed and {@link #unlock(String, byte[])} decides.
     */
    default Token unlock(String username, byte[] envelope, OprfAnswer oprf) throws TokenException {
        return unlock(username, envelope);
    }
}
