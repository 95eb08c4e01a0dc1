package org.opencluster.auth.protocol.frame;

/**
 * The first command of a frame. It is part of the authenticated header, so a data frame cannot be turned into a
 * close frame or back.
 */
public enum FrameType {
    /** {@code WRAPPED_ENCRYPTED_COMMAND}: the plaintext is one or more RISP commands. */
    DATA(FrameHeader.WRAPPED_ENCRYPTED_COMMAND),
    /** {@code WRAPPED_ENCRYPTED_CLOSE}: empty plaintext; the sender will send nothing more (close_notify). */
    CLOSE(FrameHeader.WRAPPED_ENCRYPTED_CLOSE);

    private final int commandId;

    FrameType(int commandId) {
        this.commandId = commandId;
    }

    /** The RISP command id that starts a frame of this type. */
    public int commandId() {
        return commandId;
    }
}
