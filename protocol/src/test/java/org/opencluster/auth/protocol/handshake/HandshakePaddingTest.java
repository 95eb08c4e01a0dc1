package org.opencluster.auth.protocol.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.*;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.risp.RispCommand;

/** The size classes of docs/PROTOCOL.md section 5.3.12, byte for byte, and the receiver's checks. */
class HandshakePaddingTest {
    private static HandshakeMessage request(String name, int extensionBytes) {
        return HandshakePadding.pad(HS_LOGIN_REQUEST, HandshakePadding.LOGIN_REQUEST_BYTES,
                RispCommand.string(USERNAME, name.getBytes(StandardCharsets.UTF_8)),
                RispCommand.string(EXTENSIONS, new byte[extensionBytes]));
    }

    @Test
    void theSpecExampleForAlice() throws Exception {
        byte[] m = request("alice", 0).encode();
        assertEquals(512, m.length);
        assertEquals("720582000561" + "6c696365" + "92010000" + "920a01ec", HexFormat.of().formatHex(m, 0, 18));
        assertEquals("72ff", HexFormat.of().formatHex(m, 510, 512));
        HandshakePadding.check(request("alice", 0), HandshakePadding.LOGIN_REQUEST_BYTES);
    }

    @Test
    void everyNameFitsTheClassUnlessLongAndWithTheLongestToken() {
        for (int len = 1; len <= 255; len++) {
            assertEquals(512, request("x".repeat(len), 4 + 4 + 41).encode().length, "name of " + len);
        }
        assertEquals(512, request("x".repeat(234), 4 + 4 + 255).encode().length);
        assertEquals(768, request("x".repeat(235), 4 + 4 + 255).encode().length);
    }

    @Test
    void everyProofIsOneSize() {
        for (int proof : new int[] {32, 48, 64, 72, 104, 256, 384, 512, 1024, 8192}) {
            HandshakeMessage m = HandshakePadding.pad(HS_LOGIN_PROOF, HandshakePadding.LOGIN_PROOF_BYTES,
                    RispCommand.integer(PROOF_KIND, 1), RispCommand.integer(SIGNATURE_SCHEME, 0x0807),
                    RispCommand.string(PROOF, new byte[proof]));
            assertEquals(HandshakePadding.LOGIN_PROOF_BYTES, m.encode().length, "proof of " + proof);
        }
    }

    @Test
    void missingNonZeroOrWrongSizedPaddingIsRefused() {
        RispCommand user = RispCommand.string(USERNAME, "bob".getBytes(StandardCharsets.UTF_8));
        RispCommand ext = RispCommand.string(EXTENSIONS, new byte[0]);
        HandshakeMessage unpadded = HandshakeMessage.of(HS_LOGIN_REQUEST, user, ext);
        byte[] pad = request("bob", 0).bytes(PADDING);
        byte[] dirty = pad.clone();
        dirty[7] = 1;
        for (HandshakeMessage bad : List.of(unpadded,
                HandshakeMessage.of(HS_LOGIN_REQUEST, user, ext, RispCommand.string(PADDING, dirty)),
                HandshakeMessage.of(HS_LOGIN_REQUEST, user, ext, RispCommand.string(PADDING, new byte[pad.length - 1])))) {
            HandshakeException e = assertThrows(HandshakeException.class,
                    () -> HandshakePadding.check(bad, HandshakePadding.LOGIN_REQUEST_BYTES));
            assertEquals(HandshakeError.MALFORMED_MESSAGE, e.error());
        }
    }
}
