package org.opencluster.auth.protocol.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispEncoder;

class SessionCommandsTest {
    /** The closing frame's plaintext, byte for byte as docs/PROTOCOL.md section 7.1 prints it. */
    @Test
    void theShutdownNoticeIsTheDocumentedTwentyEightBytes() {
        byte[] plain = RispEncoder.toBytes(
                RispCommand.integer(SessionCommands.SESSION_CLOSING.id(), ErrorCode.SHUTTING_DOWN.code()),
                RispCommand.string(SessionCommands.SESSION_CLOSING_TEXT.id(),
                        "server shutting down".getBytes(StandardCharsets.UTF_8)));
        assertEquals("11a00505" + "91a10014736572766572207368757474696e6720646f776e", HexFormat.of().formatHex(plain));
        assertEquals(28, plain.length);
    }

    @Test
    void theNewCodesAreInTheFaultRange() {
        assertEquals(0x0504, ErrorCode.TOKEN_UNAVAILABLE.code());
        assertEquals(0x0505, ErrorCode.SHUTTING_DOWN.code());
        assertEquals(0x0505, ErrorCode.fromCode(0x0505).orElseThrow().code());
    }
}
