package org.opencluster.auth.server.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.frame.FrameHeader;
import org.opencluster.auth.protocol.handshake.HandshakeCommandIds;
import org.opencluster.auth.protocol.handshake.HandshakeCommands;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.handshake.HandshakeOutput;
import org.opencluster.auth.protocol.handshake.HandshakePadding;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.suite.KeyExchange;
import org.opencluster.auth.protocol.suite.KeyExchangeGroup;
import org.opencluster.auth.protocol.suite.KeyExchanges;
import org.opencluster.auth.server.config.ServerConfig;

/**
 * Issue 18 item 4: the hybrid shares make SERVER_HELLO and CLIENT_CHOICE about 1.2 KB larger. The largest flights
 * with them still fit every limit on the way: the KEY_SHARE field limit, the REST flight field (CLIENT_CHOICE and
 * the LOGIN_REQUEST frame travel together) and the TCP pre-authentication buffer per connection.
 */
class HybridFlightSizesTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void theHybridFlightsFitEveryPreAuthenticationLimit() throws Exception {
        KeyExchange kx = KeyExchanges.forGroup(KeyExchangeGroup.X25519MLKEM768);
        byte[] serverShare;
        byte[] clientShare;
        try (KeyExchange.EphemeralKeyPair server = kx.generate(RANDOM);
                KeyExchange.Response client = kx.respond(server.publicKey(), RANDOM)) {
            serverShare = HandshakeOutput.keyShare(KeyExchangeGroup.X25519MLKEM768, server.publicKey());
            clientShare = HandshakeOutput.keyShare(KeyExchangeGroup.X25519MLKEM768, client.share());
        }
        assertEquals(2 + 1216, serverShare.length);
        assertEquals(2 + 1120, clientShare.length);
        long keyShareLimit = HandshakeCommands.registry().lookup(HandshakeCommandIds.KEY_SHARE).maxLength();
        assertTrue(serverShare.length <= keyShareLimit, "SERVER_HELLO's share within KEY_SHARE's limit");

        byte[] choice = HandshakeMessage.of(HandshakeCommandIds.HS_CLIENT_CHOICE,
                RispCommand.integer(HandshakeCommandIds.CHOSEN_SUITE, 0x0105),
                RispCommand.integer(HandshakeCommandIds.POLICY_VERSION, Long.MAX_VALUE),
                RispCommand.string(HandshakeCommandIds.KEY_SHARE, clientShare),
                RispCommand.string(HandshakeCommandIds.EXTENSIONS, new byte[0])).encode();
        // The LOGIN_REQUEST frame: the largest request size class (a 255-byte name with a 255-byte device token
        // takes one STEP more), its frame header and the 16-byte tag.
        int loginRequestFrame = FrameHeader.LENGTH + HandshakePadding.LOGIN_REQUEST_BYTES + HandshakePadding.STEP
                + 16;
        int flight = choice.length + loginRequestFrame;
        int base64Chars = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[flight]).length();
        assertTrue(base64Chars <= RestJson.FLIGHT.maxChars(), flight + " bytes = " + base64Chars
                + " base64url characters, the REST flight field takes " + RestJson.FLIGHT.maxChars());
        int perConnection = ServerConfig.builder().build().preAuthBytesPerConnection();
        assertTrue(flight <= perConnection, "the TCP pre-authentication buffer holds the flight: " + flight + " <= "
                + perConnection);
    }
}
