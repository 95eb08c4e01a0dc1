package org.opencluster.auth.server.dispatch;

import org.opencluster.auth.protocol.command.MalformedParameterException;
import org.opencluster.auth.protocol.risp.RispCommand;

/** Serves one command. Runs only after the dispatcher has checked registration, login and access. */
@FunctionalInterface
public interface CommandHandler {
    /**
     * @param caller  the logged-in identity (never null here)
     * @param command the command, already framed and length-checked by the codec; its parameter is a view of the
     *                session's decryption buffer, valid during this call only (copy what you keep)
     * @param replies where the answer goes; a handler that refuses throws instead of writing an error
     */
    void handle(Caller caller, RispCommand command, ReplySink replies)
            throws CommandException, MalformedParameterException;
}
