package org.opencluster.auth.server.dispatch;

import org.opencluster.auth.protocol.risp.RispCommand;

/** Receives reply commands; the TCP transport encrypts them into a frame, the REST transport into a body. */
@FunctionalInterface
public interface ReplySink {
    void send(RispCommand reply);
}
