package org.opencluster.auth.server.rest;

import java.io.IOException;
import java.security.PrivateKey;
import org.opencluster.auth.server.boot.ServerKeys;
import org.opencluster.auth.token.Token;

/** The key the HTTPS listener signs TLS handshakes with: the server key, wherever it lives. */
public final class TlsKeys {
    private TlsKeys() {
    }

    /**
     * A {@code keyfile:} key is read as a JCA key (JSSE signs with it directly); a token key is wrapped so that JSSE
     * asks the token to sign, and never sees key material.
     */
    public static PrivateKey serverKey(String spec, Token serverKey) throws IOException {
        if (spec.startsWith("keyfile:")) {
            return ServerKeys.tlsPrivateKey(spec);
        }
        TokenTlsProvider.install();
        return new TokenTlsProvider.TokenKey(serverKey);
    }
}
