package org.opencluster.auth.server.net;

/** Makes the {@link Connection} of each accepted socket. */
@FunctionalInterface
public interface ConnectionFactory {
    Connection open(String remoteAddress);
}
