package org.opencluster.auth.server.dispatch;

import java.util.Objects;
import org.opencluster.auth.server.store.Account.Role;

/**
 * The authenticated identity behind a session, as the dispatcher sees it.
 *
 * @param enrolment present only in an enrolment session (role {@link Role#ENROLLING}): what the code enrols
 * @param sessionId the session's handshake session id (empty until the session is established): the rekey
 *     binding (docs/PROTOCOL.md 8.3) names it, so a proof of a new key is worth nothing in another session
 */
public record Caller(String username, Role role, java.util.Optional<org.opencluster.auth.server.store.EnrolmentCode>
        enrolment, byte[] sessionId) {
    public Caller {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(enrolment, "enrolment");
        sessionId = sessionId.clone();
        if ((role == Role.ENROLLING) != enrolment.isPresent()) {
            throw new IllegalArgumentException("an enrolling caller, and only one, carries its enrolment code");
        }
    }

    public Caller(String username, Role role, java.util.Optional<org.opencluster.auth.server.store.EnrolmentCode>
            enrolment) {
        this(username, role, enrolment, new byte[0]);
    }

    public Caller(String username, Role role) {
        this(username, role, java.util.Optional.empty());
    }

    /** This caller in the established session {@code sessionId}. */
    public Caller inSession(byte[] sessionId) {
        return new Caller(username, role, enrolment, sessionId);
    }

    @Override
    public byte[] sessionId() {
        return sessionId.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Caller c && username.equals(c.username) && role == c.role
                && enrolment.equals(c.enrolment) && java.util.Arrays.equals(sessionId, c.sessionId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(username, role, enrolment, java.util.Arrays.hashCode(sessionId));
    }

    @Override
    public String toString() {
        return "Caller[" + username + ", " + role + "]";
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }
}
