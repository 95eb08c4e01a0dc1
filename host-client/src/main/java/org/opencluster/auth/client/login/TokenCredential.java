package org.opencluster.auth.client.login;

import java.util.Objects;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.pkcs11.Pkcs11Connection;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;
import org.opencluster.auth.token.pkcs11.Pkcs11Uri;

/**
 * The credential of a service (or anyone whose key lives in a PKCS#11 token): the key named by an RFC 7512 URI.
 * The envelope the server sends is ignored (for a token account it is a decoy).
 *
 * <p>PKCS#11 login state belongs to the process, and closing any connection to a token logs it out for every
 * user in the process. Two modes follow from that:
 * <ul>
 *   <li>{@link #pkcs11} opens the token for each login and closes it (logs out) right after the proof: the PIN is
 *       read from its pin-source at every login and the token is not left logged in between logins. One login at
 *       a time per token in this process; nothing else in the process may use the same token.</li>
 *   <li>{@link #pkcs11Shared} logs in once, on first use, and hands each login a token that shares that
 *       connection (the handshake's close then releases only the handle): concurrent logins work, the token stays
 *       logged in until {@link #close()}. A token that was removed or reset fails the login in progress; the next
 *       login opens the URI again (new provider, new PIN read).</li>
 * </ul>
 */
public final class TokenCredential implements LoginCredential, AutoCloseable {
    private final Pkcs11Tokens tokens;
    private final Pkcs11Uri uri;
    private final boolean shared;
    private Pkcs11Connection connection; // shared mode only; guarded by this
    private boolean closed; // guarded by this

    private TokenCredential(Pkcs11Tokens tokens, Pkcs11Uri uri, boolean shared) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.uri = uri;
        this.shared = shared;
    }

    /**
     * Opens the token for each login.
     *
     * @param uri e.g. {@code pkcs11:token=svc-a;object=login-key;type=private?module-path=...&pin-source=file:/run/pin}
     * @throws TokenException {@code INVALID_URI} at once, not at the first login
     */
    public static TokenCredential pkcs11(Pkcs11Tokens tokens, String uri) throws TokenException {
        return new TokenCredential(tokens, Pkcs11Uri.parse(uri), false);
    }

    /** Logs in once and shares the connection between (possibly concurrent) logins; close it when done. */
    public static TokenCredential pkcs11Shared(Pkcs11Tokens tokens, String uri) throws TokenException {
        return new TokenCredential(tokens, Pkcs11Uri.parse(uri), true);
    }

    /** The token the URI names is present (read from the module's slot list: no session, no PIN). */
    @Override
    public void checkReady() throws TokenException {
        tokens.requirePresent(uri);
    }

    @Override
    public Token unlock(String username, byte[] envelope) throws TokenException {
        if (!shared) {
            return tokens.open(uri);
        }
        synchronized (this) {
            if (closed) {
                throw new TokenException(TokenError.TOKEN_CLOSED, "the credential for " + uri + " has been closed");
            }
            if (connection == null) {
                connection = tokens.connect(uri);
            }
            try {
                return connection.tokenFor(uri);
            } catch (TokenException e) {
                if (e.error() != TokenError.TOKEN_REMOVED) {
                    throw e;
                }
                // Reset or re-inserted: a new provider and a new login (which re-reads the PIN).
                connection.close();
                connection = null;
                connection = tokens.connect(uri);
                return connection.tokenFor(uri);
            }
        }
    }

    /** Shared mode: logs the token out. Per-login mode: nothing to release. */
    @Override
    public synchronized void close() {
        closed = true;
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    @Override
    public String toString() {
        return "TokenCredential[" + uri + (shared ? ", shared" : "") + "]";
    }
}
