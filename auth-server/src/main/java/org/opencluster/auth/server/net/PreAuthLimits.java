package org.opencluster.auth.server.net;

import java.util.concurrent.atomic.AtomicLong;
import org.opencluster.auth.protocol.frame.FrameHeader;
import org.opencluster.auth.protocol.handshake.HandshakeCommands;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.CommandSpec;
import org.opencluster.auth.protocol.risp.Direction;
import org.opencluster.auth.protocol.risp.RispDecoder;

/**
 * What a TCP connection may cost before LOGIN_RESULT (docs/PROTOCOL.md section 3): only the handshake and frame
 * commands, each with its own maximum, a handshake frame of at most {@link #MAX_HANDSHAKE_FRAME} bytes, and a cap on
 * the bytes buffered per connection and over all unauthenticated connections together (shared by every connection
 * of one server).
 */
public final class PreAuthLimits {
    /**
     * Largest ENCRYPTED_STRING before login: the largest handshake flight is a WebAuthn LOGIN_PROOF (a PROOF of up
     * to 8 KiB plus CLIENT_FINISHED, about 8.3 KiB with its tag), so 16 KiB leaves room and refuses application-sized
     * frames (up to 1 MiB) from strangers.
     */
    static final int MAX_HANDSHAKE_FRAME = 16 * 1024;

    private static final CommandRegistry REGISTRY = registry();

    private final int perConnection;
    private final long total;
    private final AtomicLong buffered = new AtomicLong();

    PreAuthLimits(int perConnection, long total) {
        this.perConnection = perConnection;
        this.total = total;
    }

    /** The handshake registry with the handshake frame limit in place of the application one. */
    private static CommandRegistry registry() {
        CommandRegistry.Builder b = CommandRegistry.builder();
        for (CommandSpec s : HandshakeCommands.registry().all()) {
            b.register(s.id() == FrameHeader.ENCRYPTED_STRING
                    ? CommandSpec.string(s.id(), s.name(), s.direction(), MAX_HANDSHAKE_FRAME) : s);
        }
        return b.build();
    }

    /**
     * A strict decoder for a client that has not logged in, on any transport: handshake and frame commands only,
     * client to server, each within its own maximum and handshake frames within {@link #MAX_HANDSHAKE_FRAME}.
     */
    public static RispDecoder strictDecoder(int maxStringLength, boolean copyStrings) {
        return RispDecoder.builder().registry(REGISTRY, Direction.CLIENT_TO_SERVER)
                .maxStringLength(Math.min(maxStringLength, MAX_HANDSHAKE_FRAME)).copyStrings(copyStrings).build();
    }

    int perConnection() {
        return perConnection;
    }

    long total() {
        return total;
    }

    /** Bytes buffered by all unauthenticated connections now. */
    long buffered() {
        return buffered.get();
    }

    /** Moves one connection's share by {@code delta}; returns the new total. */
    long adjust(long delta) {
        return delta == 0 ? buffered.get() : buffered.addAndGet(delta);
    }
}
