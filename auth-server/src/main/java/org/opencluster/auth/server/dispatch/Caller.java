package org.opencluster.auth.server.dispatch;

import java.util.Objects;

/**
 * The authenticated identity behind a session, as the dispatcher sees it.
 *
 * @param enrolment present only in an enrolment session (role {@link Role#ENROLLING}): what the code enrols
 */
public record Caller(String username, Role role, java.util.Optional<org.opencluster.auth.server.store.EnrolmentCode>
        enrolment) {
    /** What an account may do. ENROLLING is a session's role only, never an account's. */
    public enum Role { USER, ADMIN, ENROLLING }

    public Caller {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(enrolment, "enrolment");
        if ((role == Role.ENROLLING) != enrolment.isPresent()) {
            throw new IllegalArgumentException("an enrolling caller, and only one, carries its enrolment code");
        }
    }

    public Caller(String username, Role role) {
        this(username, role, java.util.Optional.empty());
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }
}
