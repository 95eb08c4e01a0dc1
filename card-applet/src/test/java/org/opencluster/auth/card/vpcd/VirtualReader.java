package org.opencluster.auth.card.vpcd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import javax.smartcardio.Card;
import javax.smartcardio.CardException;
import javax.smartcardio.CardTerminal;
import org.opencluster.auth.card.admin.PivAdminClient;
import org.opencluster.auth.testsupport.RealComponent;

/**
 * A fresh {@link VirtualCard} inserted into pcscd's virtual reader through a {@link VpcdBridge}, following
 * the absent, connect, present order (a stale card stays visible for ~400 ms after a disconnect).
 */
final class VirtualReader implements AutoCloseable {
    /** Port of vpcd's first reader; override with -Dcard.vpcd.port=35964 to use "Virtual PCD 00 01". */
    static final int PORT = Integer.getInteger("card.vpcd.port", VpcdBridge.DEFAULT_PORT);
    static final String READER = PORT == VpcdBridge.DEFAULT_PORT ? PcscReaders.VIRTUAL_READER_0
            : PcscReaders.VIRTUAL_READER_1;
    private static final Duration WAIT = Duration.ofSeconds(10);

    final VirtualCard card;
    final CardTerminal terminal;
    private final VpcdBridge bridge;

    private VirtualReader(VirtualCard card, CardTerminal terminal, VpcdBridge bridge) {
        this.card = card;
        this.terminal = terminal;
        this.bridge = bridge;
    }

    /** Skips (or fails under CI=true) unless pcscd shows the vpcd reader. */
    static CardTerminal requireReader() {
        Optional<CardTerminal> t = PcscReaders.system().find(READER);
        RealComponent.require(t.isPresent(), "pcscd running with the vpcd reader '" + READER
                + "' (apt-get install pcscd vsmartcard-vpcd; start pcscd before the JVM, see bin/test)");
        return t.get();
    }

    static VirtualReader insert(VirtualCard card) throws Exception {
        CardTerminal terminal = requireReader();
        assertTrue(PcscReaders.waitForCardAbsent(terminal, WAIT),
                "a card is still in '" + READER + "': another virtual card holds vpcd port " + PORT);
        // Remember this card's identity to make sure PC/SC really talks to it and not another client's card.
        byte[] chuid = chuid(new PivAdminClient(card.directTransport()));
        VpcdBridge bridge = VpcdBridge.builder(card).port(PORT).build().start();
        try {
            assertTrue(bridge.awaitConnected(WAIT), "vpcd not reachable on 127.0.0.1:" + PORT);
            assertTrue(PcscReaders.waitForCardPresent(terminal, WAIT), "card did not appear in '" + READER + "'");
            Card c = terminal.connect("*");
            try {
                byte[] seen = chuid(new PivAdminClient(new SmartcardioTransport(c.getBasicChannel())));
                assertArrayEquals(chuid, seen, "the card in '" + READER + "' is not ours (vpcd queues clients)");
            } finally {
                c.disconnect(false);
            }
        } catch (Exception | AssertionError e) {
            bridge.close();
            throw e;
        }
        return new VirtualReader(card, terminal, bridge);
    }

    private static byte[] chuid(PivAdminClient client) throws Exception {
        client.select();
        return client.getData(0x5FC102);
    }

    /** A PC/SC connection to the card; disconnect it before handing the card to another process. */
    Card connect() throws CardException {
        return terminal.connect("*");
    }

    boolean bridgeRunning() {
        return bridge.isRunning();
    }

    @Override
    public void close() throws CardException {
        bridge.close();
        PcscReaders.waitForCardAbsent(terminal, WAIT);
    }
}
