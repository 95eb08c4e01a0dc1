package org.opencluster.auth.protocol.handshake;

import java.util.ArrayList;
import java.util.List;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.risp.CommandIds;
import org.opencluster.auth.protocol.risp.RispCommand;

/**
 * Groups incoming commands into handshake messages (marker ... HS_END), and recognises the peer's
 * {@code ERROR} + {@code ERROR_TEXT}. At most {@link #MAX_FIELDS} fields and {@link #maxMessageBytes()} parameter
 * bytes per message: a peer cannot make us hoard (24 fields of a 16 KiB maximum each would otherwise be 384 KiB).
 */
public final class MessageAssembler {
    /** More than any message of version 1 has (a certificate chain of up to 8 plus the rest). */
    public static final int MAX_FIELDS = 24;
    /**
     * Parameter bytes of one message, by default: the largest client message (CLIENT_HELLO with 16 KiB of
     * extensions, a 4 KiB key share and the rest, or a WebAuthn LOGIN_PROOF of 8 KiB) fits with room, and so does
     * a server's certificate chain of a few certificates.
     */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;

    private final int maxMessageBytes;
    private int messageBytes;

    /** An assembler holding at most {@link #DEFAULT_MAX_MESSAGE_BYTES} per message. */
    public MessageAssembler() {
        this(DEFAULT_MAX_MESSAGE_BYTES);
    }

    /** An assembler holding at most {@code maxMessageBytes} parameter bytes per message. */
    public MessageAssembler(int maxMessageBytes) {
        if (maxMessageBytes < 1) {
            throw new IllegalArgumentException("maxMessageBytes must be at least 1");
        }
        this.maxMessageBytes = maxMessageBytes;
    }

    /** The limit on the parameter bytes of one message. */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /** Parameter bytes held for the message being assembled. */
    public int heldBytes() {
        return messageBytes;
    }

    /** What one command completed. */
    public interface Result {
    }

    /** A whole message arrived. */
    public record Message(HandshakeMessage message) implements Result {
    }

    /** The peer reported an error and will close. */
    public record PeerError(int code, String text) implements Result {
    }

    private int marker = -1;
    private final List<RispCommand> fields = new ArrayList<>();
    private int errorCode = -1;

    /** Returns a result when {@code c} completes one, else {@code null}. */
    public Result accept(RispCommand c) throws HandshakeException {
        int id = c.id();
        if (errorCode >= 0) {
            if (id != CoreCommands.ERROR_TEXT.id()) {
                throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "ERROR without ERROR_TEXT");
            }
            int code = errorCode;
            errorCode = -1;
            return new PeerError(code, java.nio.charset.StandardCharsets.UTF_8.decode(c.bytes()).toString());
        }
        if (marker < 0) {
            if (id == CoreCommands.ERROR.id()) {
                errorCode = (int) c.number();
                return null;
            }
            if (!HandshakeMessage.isMarker(id)) {
                throw new HandshakeException(HandshakeError.UNEXPECTED_MESSAGE, "expected a handshake message, got "
                        + CommandIds.hex(id));
            }
            marker = id;
            return null;
        }
        if (id == HandshakeCommandIds.HS_END) {
            HandshakeMessage m = HandshakeMessage.parse(marker, fields);
            marker = -1;
            fields.clear();
            messageBytes = 0;
            return new Message(m);
        }
        if (fields.size() >= MAX_FIELDS || HandshakeMessage.isMarker(id)) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, CommandIds.hex(marker)
                    + " is not closed by HS_END");
        }
        if (c.length() > maxMessageBytes - messageBytes) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, CommandIds.hex(marker)
                    + " carries more than " + maxMessageBytes + " bytes of fields");
        }
        messageBytes += c.length();
        fields.add(c);
        return null;
    }

    /** True between messages. */
    public boolean idle() {
        return marker < 0 && errorCode < 0;
    }
}
