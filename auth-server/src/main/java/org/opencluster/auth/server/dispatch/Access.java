package org.opencluster.auth.server.dispatch;

/** Who may run a command. Every dispatched command needs a logged-in session; some need an admin account. */
public enum Access {
    ANY_ACCOUNT,
    ADMIN_ONLY
}
