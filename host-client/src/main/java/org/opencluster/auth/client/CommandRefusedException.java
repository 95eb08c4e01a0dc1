package org.opencluster.auth.client;

import java.io.IOException;

/** The server answered a command with ERROR: its code (docs/PROTOCOL.md section 7) and its text. */
public final class CommandRefusedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int code;

    public CommandRefusedException(int code, String serverText) {
        super(String.format("the server refused (0x%04x): %s", code, serverText));
        this.code = code;
    }

    /** The error code, as {@link org.opencluster.auth.protocol.command.ErrorCode} values. */
    public int code() {
        return code;
    }
}
