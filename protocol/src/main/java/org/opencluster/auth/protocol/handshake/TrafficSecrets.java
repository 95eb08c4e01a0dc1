package org.opencluster.auth.protocol.handshake;

import org.opencluster.auth.protocol.frame.FrameConfig;
import org.opencluster.auth.protocol.frame.FrameOpener;
import org.opencluster.auth.protocol.frame.FrameSealer;
import org.opencluster.auth.protocol.frame.TrafficSecret;

/** The two directions' secrets of one phase (handshake or application). Closing wipes both. */
public record TrafficSecrets(TrafficSecret clientToServer, TrafficSecret serverToClient) implements AutoCloseable {

    /** The sealer for what {@code role} sends. */
    public FrameSealer sealer(Role role, FrameConfig config) {
        return new FrameSealer(role == Role.CLIENT ? clientToServer : serverToClient, config);
    }

    /** The opener for what {@code role} receives. */
    public FrameOpener opener(Role role, FrameConfig config) {
        return new FrameOpener(role == Role.CLIENT ? serverToClient : clientToServer, config);
    }

    @Override
    public void close() {
        clientToServer.close();
        serverToClient.close();
    }
}
