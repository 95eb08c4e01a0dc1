package org.opencluster.auth.server.login;

import java.security.PublicKey;
import java.util.Objects;
import java.util.Optional;
import org.opencluster.auth.server.dispatch.Caller;

/** What the handshake needs to know of an account. */
public record LoginAccount(String username, Caller.Role role, PublicKey key, Optional<byte[]> envelope,
        boolean disabled) {
    public LoginAccount {
        Objects.requireNonNull(username);
        Objects.requireNonNull(role);
        Objects.requireNonNull(key);
        Objects.requireNonNull(envelope);
    }
}
