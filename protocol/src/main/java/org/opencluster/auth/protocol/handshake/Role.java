package org.opencluster.auth.protocol.handshake;

/** Which end of the connection this is; decides which traffic secret seals and which opens. */
public enum Role {
    CLIENT,
    SERVER
}
