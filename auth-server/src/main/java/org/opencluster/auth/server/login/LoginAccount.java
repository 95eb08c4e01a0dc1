package org.opencluster.auth.server.login;

import java.security.PublicKey;
import java.util.Objects;
import java.util.Optional;
import org.opencluster.auth.server.dispatch.Caller;

/**
 * What the handshake needs to know of an account.
 *
 * @param key the account's public key, or {@code null} for a person who has security keys only (such an account
 *            can log in with proof kind 4 alone; the other kinds treat it like an unknown name)
 */
public record LoginAccount(String username, Caller.Role role, PublicKey key, Optional<byte[]> envelope,
        boolean disabled) {
    public LoginAccount {
        Objects.requireNonNull(username);
        Objects.requireNonNull(role);
        Objects.requireNonNull(envelope);
    }
}
