package org.opencluster.auth.token.piv;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.smartcardio.CardException;
import javax.smartcardio.CardTerminal;
import javax.smartcardio.TerminalFactory;

/**
 * PC/SC reader lookups and card presence waits. The waits matter for virtual cards: pcscd keeps reporting a card for
 * up to ~400 ms after the bridge disconnects, so tests wait for "absent" before connecting a new card and for
 * "present" before using it.
 */
public final class PcscReaders {
    /** Reader name pcscd gives vpcd's first slot (port 35963). */
    public static final String VIRTUAL_READER_0 = "Virtual PCD 00 00";
    /** Reader name of vpcd's second slot (port 35964). */
    public static final String VIRTUAL_READER_1 = "Virtual PCD 00 01";

    private final TerminalFactory factory;

    private PcscReaders(TerminalFactory factory) {
        this.factory = factory;
    }

    /** Uses the JVM's default PC/SC provider (pcscd must already run: the JDK binds to "none" otherwise). */
    public static PcscReaders system() {
        return new PcscReaders(TerminalFactory.getDefault());
    }

    /** Uses {@code factory}, e.g. {@code PcscProvider.AUTO.terminalFactory()}. */
    public static PcscReaders of(TerminalFactory factory) {
        return new PcscReaders(java.util.Objects.requireNonNull(factory, "factory"));
    }

    /** The reader whose name contains {@code nameFragment}, if PC/SC lists one. */
    public Optional<CardTerminal> find(String nameFragment) {
        try {
            List<CardTerminal> list = factory.terminals().list();
            return list.stream().filter(t -> t.getName().contains(nameFragment)).findFirst();
        } catch (CardException | RuntimeException e) {
            return Optional.empty();
        }
    }

    public static boolean waitForCardPresent(CardTerminal terminal, Duration timeout) throws CardException {
        return waitFor(terminal, timeout, true);
    }

    public static boolean waitForCardAbsent(CardTerminal terminal, Duration timeout) throws CardException {
        return waitFor(terminal, timeout, false);
    }

    /**
     * Polls in short steps rather than one long wait: the JDK's blocking wait can miss a vpcd state change
     * that happens between two of its status calls.
     */
    private static boolean waitFor(CardTerminal terminal, Duration timeout, boolean present) throws CardException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (terminal.isCardPresent() == present) {
                return true;
            }
            long leftMs = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMs <= 0) {
                return false;
            }
            long step = Math.min(leftMs, 100);
            boolean changed = present ? terminal.waitForCardPresent(step) : terminal.waitForCardAbsent(step);
            if (changed) {
                return true;
            }
        }
    }
}
