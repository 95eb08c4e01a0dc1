package org.opencluster.auth.card.vpcd;

import com.licel.jcardsim.smartcardio.CardSimulator;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import javacard.framework.AID;
import org.opencluster.auth.token.piv.ApduTransport;
import org.opencluster.auth.card.piv.PivApplet;

/**
 * A virtual PIV card: the {@link PivApplet} installed in a jCardSim simulator. Connect it to pcscd with a
 * {@link VpcdBridge}, or provision it in process through {@link #directTransport()} before (or between)
 * bridge sessions. Card state (keys, PIN counters, objects) lives as long as this object.
 *
 * <p>Run {@code java -cp card-applet.jar:jcardsim.jar org.opencluster.auth.card.vpcd.VirtualCard --port 35963}
 * to get a card in pcscd's "Virtual PCD 00 00" reader without hardware.
 */
public final class VirtualCard {
    /** The PIV application AID with version (SP 800-73-4 Part 1, 2.2). */
    public static final String PIV_AID_HEX = "A000000308000010000100";

    private final CardSimulator simulator;
    private final Object lock = new Object();

    /**
     * jCardSim's RandomData is a SHA-1 DRBG that is NOT seeded from the OS unless this property is "1": every
     * simulated card would then issue the same management-key witnesses and CHUID GUID. Keys are unaffected
     * (jCardSim generates them with its own SecureRandom), but the witness must be unpredictable.
     */
    private static final String JCARDSIM_SECURE_RANDOM = "com.licel.jcardsim.randomdata.secure";

    private VirtualCard() {
        if (!"1".equals(System.getProperty(JCARDSIM_SECURE_RANDOM))) {
            System.setProperty(JCARDSIM_SECURE_RANDOM, "1");
        }
        simulator = new CardSimulator();
        install();
    }

    private void install() {
        byte[] aid = HexFormat.of().parseHex(PIV_AID_HEX);
        simulator.installApplet(new AID(aid, (short) 0, (byte) aid.length), PivApplet.class);
    }

    /** A freshly installed card: default PIN 123456, PUK 12345678, management key 0102..08 x3, no keys. */
    public static VirtualCard create() {
        return new VirtualCard();
    }

    /**
     * Sends one APDU to the card; serialised so the bridge and in-process provisioning never interleave. A
     * byte string that is not a well-formed APDU (Lc disagreeing with the data, fewer than 4 bytes, an extended
     * length cut short) gets 6700, as a real card's I/O layer would answer, instead of jCardSim's exception.
     */
    public byte[] transmit(byte[] command) {
        synchronized (lock) {
            if (command.length < 4) {
                return new byte[] {0x67, 0x00};
            }
            try {
                return simulator.transmitCommand(command);
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                // jCardSim's APDU parser throws these for a header it cannot frame (an extended-length Lc cut short
                // threw ArrayIndexOutOfBoundsException past the bridge and ended its vpcd connection); the applet's
                // own exceptions never get here: the simulator turns them into status words.
                return new byte[] {0x67, 0x00};
            }
        }
    }

    /**
     * Back to the state of {@link #create()}: the applet is deleted and installed again (keys, PINs, retry counters
     * and data objects at their defaults) and the card power-cycled; the simulator itself is kept, which costs a
     * fraction of a new card (the APDU fuzz target does this between inputs). The runtime is reset as a whole:
     * deleting only the applet left its transient arrays registered with the simulator, which zeroes every one of
     * them at each power cycle, so each reset made every later power cycle slower (after a few thousand resets the
     * zeroing was most of the fuzz target's time).
     */
    public void factoryReset() {
        synchronized (lock) {
            simulator.resetRuntime();
            install();
        }
    }

    /** Power cycle: deselects the applet and clears its transient state, as pulling the card would. */
    public void powerCycle() {
        synchronized (lock) {
            simulator.reset();
        }
    }

    public byte[] atr() {
        synchronized (lock) {
            return simulator.getATR();
        }
    }

    /** In-process access for provisioning and unit tests (no pcscd involved). */
    public ApduTransport directTransport() {
        return this::transmit;
    }

    /** Command-line entry: serve this card to vpcd until the process is stopped, reconnecting as needed. */
    public static void main(String[] args) throws InterruptedException {
        int port = VpcdBridge.DEFAULT_PORT;
        for (int i = 0; i < args.length; i++) {
            if ("--port".equals(args[i]) && i + 1 < args.length && args[i + 1].matches("\\d{1,5}")) {
                port = Integer.parseInt(args[++i]);
            } else {
                System.err.println("usage: VirtualCard [--port 35963|35964]  (vpcd's ports for 'Virtual PCD 00 00'"
                        + " and 'Virtual PCD 00 01')");
                System.exit(2);
            }
        }
        VirtualCard card = create();
        CountDownLatch stopped = new CountDownLatch(1);
        VpcdBridge bridge = VpcdBridge.builder(card)
                .port(port)
                .reconnect(true)
                .connectTimeout(Duration.ofDays(365))
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            bridge.close();
            stopped.countDown();
        }, "virtual-card-shutdown"));
        bridge.start();
        System.out.println("Virtual PIV card serving vpcd on 127.0.0.1:" + port + " (Ctrl-C to stop)");
        stopped.await();
    }
}
