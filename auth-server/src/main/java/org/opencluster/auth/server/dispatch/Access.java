package org.opencluster.auth.server.dispatch;

import org.opencluster.auth.server.store.Account;

/**
 * Who may run a command. Every dispatched command needs a logged-in session; some need an admin account; an
 * enrolment session may run enrolment commands and nothing else.
 */
public enum Access {
    ANY_ACCOUNT,
    ADMIN_ONLY,
    ENROLMENT_ONLY,
    /** Logged-in accounts and enrolment sessions alike (registering a security key). */
    ANY_SESSION;

    /** Whether {@code caller} may run a command with this access. */
    public boolean permits(Caller caller) {
        switch (this) {
            case ENROLMENT_ONLY:
                return caller.role() == Account.Role.ENROLLING;
            case ANY_SESSION:
                return true;
            case ADMIN_ONLY:
                return caller.role() == Account.Role.ADMIN;
            default:
                return caller.role() != Account.Role.ENROLLING;
        }
    }
}
