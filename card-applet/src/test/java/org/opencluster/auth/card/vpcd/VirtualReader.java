package org.opencluster.auth.card.vpcd;

import java.time.Duration;
import java.util.Optional;
import javax.smartcardio.Card;
import javax.smartcardio.CardException;
import javax.smartcardio.CardTerminal;
import org.opencluster.auth.testsupport.RealComponent;

/** A fresh {@link VirtualCard} in pcscd's virtual reader ({@link InsertedCard}), skipped without pcscd. */
final class VirtualReader implements AutoCloseable {
    /** Port of vpcd's first reader; override with -Dcard.vpcd.port=35964 to use "Virtual PCD 00 01". */
    static final int PORT = Integer.getInteger("card.vpcd.port", VpcdBridge.DEFAULT_PORT);
    static final String READER = InsertedCard.readerName(PORT);
    private static final Duration WAIT = Duration.ofSeconds(10);

    final VirtualCard card;
    final CardTerminal terminal;
    private final InsertedCard inserted;

    private VirtualReader(InsertedCard inserted) {
        this.inserted = inserted;
        this.card = inserted.card();
        this.terminal = inserted.terminal();
    }

    /** Skips (or fails under CI=true) unless pcscd shows the vpcd reader. */
    static CardTerminal requireReader() {
        Optional<CardTerminal> t = InsertedCard.reader(PORT);
        RealComponent.require(t.isPresent(), "pcscd running with the vpcd reader '" + READER
                + "' (apt-get install pcscd vsmartcard-vpcd; start pcscd before the JVM, see bin/test)");
        return t.get();
    }

    static VirtualReader insert(VirtualCard card) throws Exception {
        requireReader();
        return new VirtualReader(InsertedCard.insert(card, PORT, WAIT));
    }

    /** A PC/SC connection to the card; disconnect it before handing the card to another process. */
    Card connect() throws CardException {
        return terminal.connect("*");
    }

    /** Pulls the card without waiting for pcscd to notice. */
    void pull() {
        inserted.pull();
    }

    boolean bridgeRunning() {
        return inserted.bridgeRunning();
    }

    @Override
    public void close() throws CardException {
        inserted.close();
    }
}
