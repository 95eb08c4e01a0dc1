package org.opencluster.auth.server.session;

import java.time.Instant;

/** What the registry knows of a live session: enough for admins and for policy enforcement, no secrets. */
public interface LiveSession {
    /** Random 64-bit id, shown to admins and used to end a session. */
    long id();

    String username();

    /** The negotiated suite id. */
    int suiteId();

    String remoteAddress();

    Instant startedAt();

    /** Ends the session with an error code telling the peer why (for example its suite was disabled). */
    void terminate(String reason);
}
