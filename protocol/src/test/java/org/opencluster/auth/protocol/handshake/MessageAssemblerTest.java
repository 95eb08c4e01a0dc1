package org.opencluster.auth.protocol.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.risp.RispCommand;

/** Issue 12, item 7: the assembler is bounded by the bytes it holds, not only by the number of fields. */
class MessageAssemblerTest {
    @Test
    void fieldsOverTheByteLimitAreRefusedBeforeTheyAreHeld() throws HandshakeException {
        MessageAssembler a = new MessageAssembler();
        a.accept(RispCommand.none(HandshakeCommandIds.HS_CLIENT_HELLO));
        // 23 fields of 16 KiB (the old limit was 24 fields of up to 1 MiB each): the fourth one is refused.
        int held = 0;
        HandshakeException e = null;
        for (int i = 0; i < 23 && e == null; i++) {
            try {
                a.accept(RispCommand.string(HandshakeCommandIds.EXTENSIONS, new byte[16 * 1024]));
                held += 16 * 1024;
            } catch (HandshakeException x) {
                e = x;
            }
        }
        assertTrue(e != null, "24 fields of 16 KiB were all held");
        assertEquals(HandshakeError.MALFORMED_MESSAGE, e.error());
        assertTrue(a.heldBytes() <= MessageAssembler.DEFAULT_MAX_MESSAGE_BYTES);
        assertEquals(held, a.heldBytes());
    }

    @Test
    void aConfiguredLimitCountsEveryFieldsBytes() throws HandshakeException {
        MessageAssembler a = new MessageAssembler(100);
        a.accept(RispCommand.none(HandshakeCommandIds.HS_CLIENT_HELLO));
        a.accept(RispCommand.string(HandshakeCommandIds.EXTENSIONS, new byte[60]));
        a.accept(RispCommand.string(HandshakeCommandIds.SUPPORTED_SUITES, new byte[40]));
        assertEquals(100, a.heldBytes());
        assertThrows(HandshakeException.class,
                () -> a.accept(RispCommand.string(HandshakeCommandIds.KEY_SHARE, new byte[1])));
    }
}
