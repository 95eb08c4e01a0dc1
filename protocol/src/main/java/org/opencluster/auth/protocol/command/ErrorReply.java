package org.opencluster.auth.protocol.command;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.opencluster.auth.protocol.risp.RispCommand;

/**
 * A refusal as it travels: {@link CoreCommands#ERROR} (the 2-byte code: an {@link ErrorCode}, or a handshake error
 * code during a login) followed by {@link CoreCommands#ERROR_TEXT}. The one place that builds and reads the pair,
 * for the dispatcher, the session's last frame, the handshake and every client.
 *
 * @param code the code, 0 to 0xffff
 * @param text the explanation for a person (never secret)
 */
public record ErrorReply(int code, String text) {
    public ErrorReply {
        if (code < 0 || code > 0xffff) {
            throw new IllegalArgumentException("an error code is 2 bytes: " + code);
        }
        Objects.requireNonNull(text, "text");
    }

    public ErrorReply(ErrorCode code, String text) {
        this(code.code(), text);
    }

    /** ERROR then ERROR_TEXT, the text cut to the largest ERROR_TEXT without splitting a character. */
    public List<RispCommand> commands() {
        byte[] utf8 = utf8Within(text, (int) CoreCommands.ERROR_TEXT.maxLength());
        return List.of(RispCommand.integer(CoreCommands.ERROR.id(), code),
                RispCommand.string(CoreCommands.ERROR_TEXT.id(), utf8));
    }

    public static List<RispCommand> of(ErrorCode code, String text) {
        return new ErrorReply(code, text).commands();
    }

    /**
     * The refusal that {@code reply} starts with, if it starts with ERROR. A missing ERROR_TEXT (never sent by this
     * server) reads as an empty text.
     */
    public static Optional<ErrorReply> read(List<RispCommand> reply) {
        if (reply.isEmpty() || reply.get(0).id() != CoreCommands.ERROR.id()) {
            return Optional.empty();
        }
        String text = reply.size() > 1 && reply.get(1).id() == CoreCommands.ERROR_TEXT.id()
                ? StandardCharsets.UTF_8.decode(reply.get(1).bytes()).toString() : "";
        return Optional.of(new ErrorReply((int) reply.get(0).number(), text));
    }

    /** The command-layer meaning of the code; empty for a handshake code or one this version does not know. */
    public Optional<ErrorCode> errorCode() {
        return ErrorCode.fromCode(code);
    }

    /** The UTF-8 of {@code text}, at most {@code max} bytes, ending on a whole character. */
    static byte[] utf8Within(String text, int max) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= max) {
            return utf8;
        }
        int end = max;
        while (end > 0 && (utf8[end] & 0xc0) == 0x80) { // utf8[end] begins the first character left out
            end--;
        }
        return Arrays.copyOf(utf8, end);
    }

    @Override
    public String toString() {
        return String.format("0x%04x: %s", code, text);
    }
}
