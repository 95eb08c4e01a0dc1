package org.opencluster.auth.card.vpcd;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import javax.smartcardio.Card;
import javax.smartcardio.CardException;
import javax.smartcardio.CardTerminal;
import org.opencluster.auth.token.piv.ApduTransport;
import org.opencluster.auth.token.piv.PcscReaders;
import org.opencluster.auth.token.piv.PivCardException;
import org.opencluster.auth.token.piv.PivClient;
import org.opencluster.auth.token.piv.SmartcardioTransport;

/**
 * A {@link VirtualCard} inserted into one of pcscd's vpcd readers, following the order the PC/SC timing needs:
 * wait until the reader is empty (pcscd reports a removed card for ~400 ms), connect the bridge, wait until the
 * card is present, and check through PC/SC that it is this card (vpcd silently queues a second client on a
 * port). {@link #close()} removes the card and waits until pcscd has noticed.
 */
public final class InsertedCard implements AutoCloseable {
    private final VirtualCard card;
    private final CardTerminal terminal;
    private final VpcdBridge bridge;
    private final Duration wait;

    private InsertedCard(VirtualCard card, CardTerminal terminal, VpcdBridge bridge, Duration wait) {
        this.card = card;
        this.terminal = terminal;
        this.bridge = bridge;
        this.wait = wait;
    }

    /** The PC/SC name of the vpcd reader served on {@code port} (35963 or 35964). */
    public static String readerName(int port) {
        return port == VpcdBridge.DEFAULT_PORT ? PcscReaders.VIRTUAL_READER_0 : PcscReaders.VIRTUAL_READER_1;
    }

    /** The vpcd reader for {@code port}, if pcscd lists it. */
    public static Optional<CardTerminal> reader(int port) {
        return PcscReaders.system().find(readerName(port));
    }

    /**
     * Inserts {@code card} into the reader of {@code port}.
     *
     * @throws IllegalStateException when the reader is missing, stays occupied, or shows another card
     */
    public static InsertedCard insert(VirtualCard card, int port, Duration wait) throws CardException,
            PivCardException, InterruptedException {
        Objects.requireNonNull(card, "card");
        String name = readerName(port);
        CardTerminal terminal = reader(port).orElseThrow(() -> new IllegalStateException("pcscd does not list '"
                + name + "': start pcscd with vsmartcard-vpcd"));
        if (!PcscReaders.waitForCardAbsent(terminal, wait)) {
            throw new IllegalStateException("a card is still in '" + name + "': another virtual card holds vpcd port "
                    + port);
        }
        byte[] chuid = chuid(card.directTransport());
        VpcdBridge bridge = VpcdBridge.builder(card).port(port).build().start();
        try {
            if (!bridge.awaitConnected(wait)) {
                throw new IllegalStateException("vpcd not reachable on 127.0.0.1:" + port);
            }
            if (!PcscReaders.waitForCardPresent(terminal, wait)) {
                throw new IllegalStateException("the card did not appear in '" + name + "'");
            }
            Card c = terminal.connect("*");
            try {
                if (!Arrays.equals(chuid, chuid(new SmartcardioTransport(c.getBasicChannel())))) {
                    throw new IllegalStateException("the card in '" + name + "' is not ours (vpcd queues clients)");
                }
            } finally {
                c.disconnect(false);
            }
        } catch (CardException | PivCardException | InterruptedException | RuntimeException e) {
            bridge.close();
            throw e;
        }
        return new InsertedCard(card, terminal, bridge, wait);
    }

    /** The card's CHUID (a random GUID per virtual card) identifies it. */
    private static byte[] chuid(ApduTransport transport) throws PivCardException {
        PivClient client = new PivClient(transport);
        client.select();
        return client.getData(0x5FC102);
    }

    public VirtualCard card() {
        return card;
    }

    public CardTerminal terminal() {
        return terminal;
    }

    public String readerName() {
        return terminal.getName();
    }

    public boolean bridgeRunning() {
        return bridge.isRunning();
    }

    /**
     * Pulls the card without waiting for pcscd to notice, which takes up to ~400 ms: the moment a host program
     * sees when the card leaves in the middle of its work.
     */
    public void pull() {
        bridge.close();
    }

    /** Pulls the card: the bridge disconnects and this waits until PC/SC reports the reader empty. */
    @Override
    public void close() throws CardException {
        bridge.close();
        PcscReaders.waitForCardAbsent(terminal, wait);
    }
}
