package org.opencluster.auth.protocol.frame;

/** A frame refused by the record layer; the channel that raised it is dead. Never carries key material. */
public final class FrameException extends Exception {
    private static final long serialVersionUID = 1L;

    private final FrameError error;

    public FrameException(FrameError error, String message) {
        super(error + ": " + message);
        this.error = error;
    }

    public FrameError error() {
        return error;
    }
}
