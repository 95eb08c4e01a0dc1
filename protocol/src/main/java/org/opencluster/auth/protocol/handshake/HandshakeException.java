package org.opencluster.auth.protocol.handshake;

/** An aborted handshake. The message is safe to log: it never contains secrets, proofs or key material. */
public final class HandshakeException extends Exception {
    private static final long serialVersionUID = 1L;

    private final HandshakeError error;

    public HandshakeException(HandshakeError error, String message) {
        super(error + ": " + message);
        this.error = error;
    }

    public HandshakeError error() {
        return error;
    }
}
