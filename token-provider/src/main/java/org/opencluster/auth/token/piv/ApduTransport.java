package org.opencluster.auth.token.piv;

/** Sends one command APDU and returns the raw response (data followed by SW1 SW2). */
@FunctionalInterface
public interface ApduTransport {
    byte[] transmit(byte[] command) throws PivCardException;
}
