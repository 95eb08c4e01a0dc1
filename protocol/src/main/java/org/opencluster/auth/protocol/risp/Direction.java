package org.opencluster.auth.protocol.risp;

/** Who may send a command. */
public enum Direction {
    CLIENT_TO_SERVER,
    SERVER_TO_CLIENT,
    BOTH;

    /** True when a command declared with this direction may travel in {@code travel}. */
    public boolean allows(Direction travel) {
        return this == BOTH || this == travel;
    }
}
