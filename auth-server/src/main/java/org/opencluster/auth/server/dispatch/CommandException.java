package org.opencluster.auth.server.dispatch;

import java.util.Objects;
import org.opencluster.auth.protocol.command.ErrorCode;

/** A handler's refusal: the code and a message that is safe to send to the peer (never secrets). */
public final class CommandException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public CommandException(ErrorCode code, String publicMessage) {
        super(publicMessage);
        this.code = Objects.requireNonNull(code, "code");
    }

    public ErrorCode code() {
        return code;
    }
}
