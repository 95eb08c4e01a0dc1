package org.opencluster.auth.client.login;

import java.util.Objects;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;
import org.opencluster.auth.token.pkcs11.Pkcs11Uri;

/**
 * The credential of a service (or anyone whose key lives in a PKCS#11 token): the key named by an RFC 7512 URI.
 * The envelope the server sends is ignored (for a token account it is a decoy).
 *
 * <p>The token is opened for each login and closed by the handshake right after the proof. Closing logs the token
 * out for the whole process (PKCS#11 login state is per process), which is what a service wants: the PIN is read
 * from its pin-source at every login and the token is not left logged in between logins. A process that keeps
 * other keys of the same token open must not use this credential for that token.
 */
public final class TokenCredential implements LoginCredential {
    private final Pkcs11Tokens tokens;
    private final Pkcs11Uri uri;

    private TokenCredential(Pkcs11Tokens tokens, Pkcs11Uri uri) {
        this.tokens = tokens;
        this.uri = uri;
    }

    /**
     * @param uri e.g. {@code pkcs11:token=svc-a;object=login-key;type=private?module-path=...&pin-source=file:/run/pin}
     * @throws TokenException {@code INVALID_URI} at once, not at the first login
     */
    public static TokenCredential pkcs11(Pkcs11Tokens tokens, String uri) throws TokenException {
        return new TokenCredential(Objects.requireNonNull(tokens, "tokens"), Pkcs11Uri.parse(uri));
    }

    @Override
    public Token unlock(String username, byte[] envelope) throws TokenException {
        return tokens.open(uri);
    }

    @Override
    public String toString() {
        return "TokenCredential[" + uri + "]";
    }
}
