package org.opencluster.auth.server.login;

import org.opencluster.auth.protocol.handshake.DecoyEnvelope;

/** Envelopes for usernames without one (unknown users and service accounts): deterministic per username. */
final class DecoyEnvelopes {
    /** The length of a real P-256 person envelope with its certificate (the common case it must look like). */
    static final int LENGTH = 700;

    private DecoyEnvelopes() {
    }

    static byte[] derive(byte[] secret, String username) {
        return DecoyEnvelope.derive(secret, username, LENGTH);
    }
}
