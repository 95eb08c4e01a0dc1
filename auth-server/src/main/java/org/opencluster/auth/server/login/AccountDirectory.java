package org.opencluster.auth.server.login;

import java.util.Optional;

/** Looks accounts up for the handshake (the store, behind whatever caching the server wants). */
@FunctionalInterface
public interface AccountDirectory {
    Optional<LoginAccount> find(String username);
}
