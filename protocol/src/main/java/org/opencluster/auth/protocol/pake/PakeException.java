package org.opencluster.auth.protocol.pake;

/** A refused OPRF or OPAQUE input or a failed recovery. The message never contains secret material. */
public final class PakeException extends Exception {
    private static final long serialVersionUID = 1L;

    private final PakeError error;

    public PakeException(PakeError error, String message) {
        super(error + ": " + message);
        this.error = error;
    }

    public PakeError error() {
        return error;
    }
}
