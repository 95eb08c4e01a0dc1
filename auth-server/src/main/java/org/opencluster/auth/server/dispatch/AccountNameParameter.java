package org.opencluster.auth.server.dispatch;

import java.nio.ByteBuffer;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.names.AccountNames;

/**
 * An account name in a command's parameter, checked by the one rule ({@link AccountNames}) before a handler does
 * anything with it: every admin and enrolment command that takes a name reads it here, so TCP and REST (which
 * tunnels the same commands) refuse the same names with {@link ErrorCode#BAD_PARAMETER}.
 */
public final class AccountNameParameter {
    private AccountNameParameter() {
    }

    /** The name in the remaining bytes of {@code utf8} (consumed), or BAD_PARAMETER saying what is wrong with it. */
    public static String read(ByteBuffer utf8) throws CommandException {
        try {
            return AccountNames.decode(utf8);
        } catch (IllegalArgumentException e) {
            throw new CommandException(ErrorCode.BAD_PARAMETER, e.getMessage());
        }
    }
}
