package org.opencluster.auth.token.piv;

import java.util.Objects;
import javax.smartcardio.Card;
import javax.smartcardio.CardException;
import javax.smartcardio.CardTerminal;
import org.opencluster.auth.token.TokenException;

/**
 * A PC/SC connection to a PIV card in one reader (shared mode, so other programs such as OpenSC can use the card
 * between our operations). {@link #transact} runs a unit of work inside an exclusive PC/SC transaction with the
 * PIV application selected, so no other program's commands interleave with, for example, a VERIFY and
 * the GENERAL AUTHENTICATE that needs it. Not thread-safe; {@link PivToken} serialises its calls.
 */
public final class PivConnection implements AutoCloseable {
    /** Work on the card; may fail with card errors or token errors (PIN handling). */
    @FunctionalInterface
    public interface CardWork<T> {
        T run(PivClient client) throws PivCardException, TokenException;
    }

    /**
     * How long a transport failure waits for PC/SC to report the reader empty before calling it a removal: pcscd
     * polls some readers (vpcd) every ~400 ms and meanwhile reports SCARD_E_NOT_TRANSACTED for a card that is gone.
     */
    private static final java.time.Duration REMOVAL_SETTLE = java.time.Duration.ofMillis(600);

    private final CardTerminal terminal;
    private final String readerName;
    private final Card card;
    private final PivClient client;
    private boolean closed;
    private boolean selected;

    PivConnection(CardTerminal terminal, Card card) {
        this.terminal = Objects.requireNonNull(terminal);
        this.readerName = terminal.getName();
        this.card = Objects.requireNonNull(card);
        this.client = new PivClient(new SmartcardioTransport(card.getBasicChannel()));
    }

    /** The PC/SC name of the reader holding the card. */
    public String readerName() {
        return readerName;
    }

    /**
     * Runs {@code work} in an exclusive transaction with PIV selected. Use this for provisioning too:
     * {@code connection.transact(c -> { c.authenticateManagementKey(key); return c.generateKey(slot, alg); })}.
     */
    public <T> T transact(CardWork<T> work) throws PivCardException, TokenException {
        if (closed) {
            throw new PivCardException(PivCardError.INVALID_ARGUMENT, "the connection to '" + readerName
                    + "' is closed");
        }
        try {
            card.beginExclusive();
        } catch (CardException | IllegalStateException e) {
            throw PcscFailures.classify("starting a transaction with the card in '" + readerName + "'", e);
        }
        try {
            // Another program may have selected another application since our last transaction; if not, PIV is
            // not SELECTed again, because a re-SELECT makes the card forget a kept PIN verification.
            if (!selected || !client.pivStillSelected()) {
                client.select();
                selected = true;
            }
            return work.run(client);
        } catch (PivCardException e) {
            throw e.error() == PivCardError.TRANSPORT && cardLeft() ? new PivCardException(PivCardError.CARD_REMOVED,
                    "the card left '" + readerName + "' during the operation: insert it and open the token again",
                    -1, -1, e) : e;
        } finally {
            try {
                card.endExclusive();
            } catch (CardException | IllegalStateException e) {
                // The card is gone or the transaction already ended with it; the work's own result stands.
            }
        }
    }

    private boolean cardLeft() {
        try {
            return PcscReaders.waitForCardAbsent(terminal, REMOVAL_SETTLE);
        } catch (CardException | RuntimeException e) {
            return false;
        }
    }

    /** Leaves the card powered and in the reader (other programs keep their state); idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            card.disconnect(false);
        } catch (CardException | IllegalStateException e) {
            // already disconnected or removed: nothing left to release
        }
    }
}
