package org.opencluster.auth.protocol.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.risp.RispCommand;

/** The one builder and reader of ERROR + ERROR_TEXT. */
class ErrorReplyTest {
    @Test
    void errorThenTextWithTheCode() {
        List<RispCommand> reply = ErrorReply.of(ErrorCode.FORBIDDEN, "admins only");
        assertEquals(2, reply.size());
        assertEquals(CoreCommands.ERROR.id(), reply.get(0).id());
        assertEquals(ErrorCode.FORBIDDEN.code(), reply.get(0).number());
        assertEquals(CoreCommands.ERROR_TEXT.id(), reply.get(1).id());
        assertArrayEquals("admins only".getBytes(StandardCharsets.UTF_8), reply.get(1).copyBytes());
        assertEquals(Optional.of(new ErrorReply(ErrorCode.FORBIDDEN, "admins only")), ErrorReply.read(reply));
        assertEquals(Optional.of(ErrorCode.FORBIDDEN), ErrorReply.read(reply).orElseThrow().errorCode());
    }

    /** A handshake code travels as itself (the session's ending frame once built INTERNAL and overwrote it). */
    @Test
    void handshakeCodesTravelUnchanged() {
        int code = HandshakeError.values()[0].code();
        List<RispCommand> reply = new ErrorReply(code, "refused").commands();
        assertEquals(code, reply.get(0).number());
        assertEquals(code, ErrorReply.read(reply).orElseThrow().code());
        assertThrows(IllegalArgumentException.class, () -> new ErrorReply(0x10000, "too wide"));
    }

    /**
     * A long text is cut to ERROR_TEXT's 1 024 bytes on a character boundary. The three former builders cut at byte
     * 1 024 whatever was there, so a text with a two-byte character across the limit went out as invalid UTF-8.
     */
    @Test
    void aLongTextIsCutOnACharacterBoundary() throws CharacterCodingException {
        String text = "a".repeat(1023) + "é and more";
        byte[] sent = ErrorReply.of(ErrorCode.INTERNAL, text).get(1).copyBytes();
        assertEquals(1023, sent.length);
        String decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .decode(java.nio.ByteBuffer.wrap(sent)).toString();
        assertEquals("a".repeat(1023), decoded);
        assertEquals(1024, ErrorReply.of(ErrorCode.INTERNAL, "b".repeat(5000)).get(1).copyBytes().length);
    }

    @Test
    void aReplyThatIsNoErrorReadsAsNone() {
        assertEquals(Optional.empty(), ErrorReply.read(List.of()));
        assertEquals(Optional.empty(), ErrorReply.read(List.of(RispCommand.none(CoreCommands.OK.id()))));
        assertEquals(Optional.of(new ErrorReply(ErrorCode.INTERNAL, "")),
                ErrorReply.read(List.of(RispCommand.integer(CoreCommands.ERROR.id(), ErrorCode.INTERNAL.code()))));
    }
}
