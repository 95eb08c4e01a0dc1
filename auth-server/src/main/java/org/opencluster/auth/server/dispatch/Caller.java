package org.opencluster.auth.server.dispatch;

import java.util.Objects;

/** The authenticated identity behind a session, as the dispatcher sees it. */
public record Caller(String username, Role role) {
    /** What an account may do. */
    public enum Role { USER, ADMIN }

    public Caller {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(role, "role");
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }
}
