package org.opencluster.auth.server.e2e;

import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispEncoder;

/** Wire bytes of commands, for rules that replace what they saw. */
final class RispCommandsBytes {
    private RispCommandsBytes() {
    }

    static byte[] of(RispCommand... commands) {
        return RispEncoder.toBytes(commands);
    }
}
