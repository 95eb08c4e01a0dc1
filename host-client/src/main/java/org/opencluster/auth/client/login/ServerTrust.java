package org.opencluster.auth.client.login;

import java.security.cert.X509Certificate;
import java.util.List;
import org.opencluster.auth.protocol.handshake.HandshakeException;

/** Decides whether the server's certificate chain is the server we meant (pinned key or cluster CA). */
@FunctionalInterface
public interface ServerTrust {
    /** Returns normally when trusted; throws UNTRUSTED_SERVER_KEY or SERVER_KEY_CHANGED otherwise. */
    void check(List<X509Certificate> chain) throws HandshakeException;
}
