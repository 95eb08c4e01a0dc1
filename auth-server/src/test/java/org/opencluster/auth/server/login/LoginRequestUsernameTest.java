package org.opencluster.auth.server.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.EXTENSIONS;
import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.HS_LOGIN_REQUEST;
import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.USERNAME;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.risp.RispCommand;

/**
 * The server reads LOGIN_REQUEST's USERNAME by the one account-name rule ({@code AccountNames}) before any lookup:
 * a name that could forge a log line or look like another (controls, bidirectional overrides, a non-NFC form,
 * malformed UTF-8) ends the handshake with MALFORMED_MESSAGE. The Java client refuses such names itself, so this
 * plays a client that does not. Before issue 15 item 8 the handshake had its own, narrower rule (bidi controls
 * and U+2028 passed).
 */
class LoginRequestUsernameTest {
    @ParameterizedTest
    @ValueSource(strings = {"ev\nil event=login.ok", "bell\u0007", "alice\u202Eecila", "line\u2028break",
        "e\u0301clair"})
    void aNameOutsideTheOneRuleIsRefusedBeforeAnyLookup(String name) {
        HandshakeException e = assertThrows(HandshakeException.class, () -> ServerLoginFlights.username(
                request(name.getBytes(StandardCharsets.UTF_8))));
        assertEquals(HandshakeError.MALFORMED_MESSAGE, e.error());
    }

    @org.junit.jupiter.api.Test
    void malformedUtf8IsRefusedNotReplaced() {
        HandshakeException e = assertThrows(HandshakeException.class, () -> ServerLoginFlights.username(
                request(new byte[] {'a', (byte) 0xC3, 'b'})));
        assertEquals(HandshakeError.MALFORMED_MESSAGE, e.error());
    }

    @org.junit.jupiter.api.Test
    void anOrdinaryNameIsRead() throws HandshakeException {
        assertEquals("\u00e9clair.ops", ServerLoginFlights.username(request("\u00e9clair.ops"
                .getBytes(StandardCharsets.UTF_8))));
    }

    private static HandshakeMessage request(byte[] name) {
        return HandshakeMessage.of(HS_LOGIN_REQUEST, RispCommand.string(USERNAME, name),
                RispCommand.string(EXTENSIONS, new byte[0]));
    }
}
