package org.opencluster.auth.card.vpcd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import javax.smartcardio.Card;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.token.piv.PcscReaders;
import org.opencluster.auth.token.piv.PivClient;
import org.opencluster.auth.token.piv.SmartcardioTransport;

/** The virtual card through the real PC/SC stack: javax.smartcardio -> pcscd -> vpcd -> bridge -> jCardSim. */
class VpcdBridgeTest {
    @Test
    void cardAppearsAnswersAndDisappearsCleanly() throws Exception {
        VirtualCard card = VirtualCard.create();
        VirtualReader reader = VirtualReader.insert(card);
        try {
            Card c = reader.connect();
            assertArrayEquals(card.atr(), c.getATR().getBytes());
            PivClient client = new PivClient(new SmartcardioTransport(c.getBasicChannel()));
            client.select();
            assertEquals(3, client.pinTriesLeft());
            c.disconnect(true);
        } finally {
            reader.close();
        }
        assertFalse(reader.terminal.isCardPresent());
        assertFalse(reader.bridgeRunning());
    }

    @Test
    void cardStateSurvivesReinsertionButPinVerificationDoesNot() throws Exception {
        VirtualCard card = VirtualCard.create();
        try (VirtualReader reader = VirtualReader.insert(card)) {
            Card c = reader.connect();
            PivClient client = new PivClient(new SmartcardioTransport(c.getBasicChannel()));
            client.select();
            client.verifyPin("123456".toCharArray());
            assertEquals(-1, client.pinTriesLeft());
            c.disconnect(false);
        }
        try (VirtualReader reader = VirtualReader.insert(card)) {
            Card c = reader.connect();
            PivClient client = new PivClient(new SmartcardioTransport(c.getBasicChannel()));
            client.select();
            assertEquals(3, client.pinTriesLeft(), "removal ends the PIN session");
            c.disconnect(false);
        }
    }

    @Test
    void removalWhileConnectedFailsTheNextCommand() throws Exception {
        VirtualCard card = VirtualCard.create();
        VirtualReader reader = VirtualReader.insert(card);
        Card c = reader.connect();
        PivClient client = new PivClient(new SmartcardioTransport(c.getBasicChannel()));
        client.select();
        reader.close();
        org.opencluster.auth.token.piv.PivCardException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.opencluster.auth.token.piv.PivCardException.class, client::pinTriesLeft);
        assertEquals(org.opencluster.auth.token.piv.PivCardError.CARD_REMOVED, e.error());
        assertTrue(PcscReaders.waitForCardAbsent(reader.terminal, Duration.ofSeconds(1)));
    }
}
