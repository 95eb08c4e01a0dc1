package org.opencluster.auth.card.vpcd;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Connects a {@link VirtualCard} to pcscd's vpcd driver, which then shows it as inserted in the reader
 * "Virtual PCD 00 00" (port 35963) or "Virtual PCD 00 01" (35964).
 *
 * <p>vpcd framing: each message is a 2-byte big-endian length and a payload. A 1-byte payload is a control
 * (0 power off, 1 power on, 2 reset, 4 get ATR); anything longer is a command APDU answered with the response
 * APDU. The bridge is the TCP client and connects to the loopback address only (vpcd itself listens on all
 * interfaces). When the connection ends the bridge thread ends too, or reconnects if so configured; it never
 * spins on a dead socket.
 */
public final class VpcdBridge implements AutoCloseable {
    public static final int DEFAULT_PORT = 35963;
    /** Largest APDU a short/extended-length exchange can carry plus headroom; vpcd frames cannot exceed 65535. */
    private static final int MAX_FRAME = 65535;

    private static final Logger LOG = Logger.getLogger(VpcdBridge.class.getName());

    private static final int CTRL_POWER_OFF = 0;
    private static final int CTRL_POWER_ON = 1;
    private static final int CTRL_RESET = 2;
    private static final int CTRL_GET_ATR = 4;

    private final VirtualCard card;
    private final int port;
    private final boolean reconnect;
    private final Duration connectTimeout;
    private final Duration retryInterval;

    private final CountDownLatch firstConnection = new CountDownLatch(1);
    private final Object socketLock = new Object();
    private volatile boolean closed;
    private volatile boolean connectedOnce;
    private Socket socket;
    private Thread thread;

    private VpcdBridge(Builder b) {
        this.card = b.card;
        this.port = b.port;
        this.reconnect = b.reconnect;
        this.connectTimeout = b.connectTimeout;
        this.retryInterval = b.retryInterval;
    }

    public static Builder builder(VirtualCard card) {
        return new Builder(card);
    }

    /** Configuration of a bridge; defaults: port 35963, one session, 10 s to connect, 100 ms between tries. */
    public static final class Builder {
        private final VirtualCard card;
        private int port = DEFAULT_PORT;
        private boolean reconnect;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration retryInterval = Duration.ofMillis(100);

        private Builder(VirtualCard card) {
            this.card = Objects.requireNonNull(card, "card");
        }

        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1..65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** Whether to connect again after vpcd drops the connection (pcscd restart); default false. */
        public Builder reconnect(boolean reconnect) {
            this.reconnect = reconnect;
            return this;
        }

        /** How long to keep retrying when vpcd is not listening yet. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        public Builder retryInterval(Duration interval) {
            this.retryInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        public VpcdBridge build() {
            return new VpcdBridge(this);
        }
    }

    /** Starts the bridge thread; returns at once (use {@link #awaitConnected} or a PC/SC wait for the card). */
    public synchronized VpcdBridge start() {
        if (thread != null) {
            throw new IllegalStateException("bridge already started");
        }
        thread = new Thread(this::run, "vpcd-bridge-" + port);
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** Waits until the first TCP connection to vpcd is up; false on timeout or if the bridge gave up first. */
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        return firstConnection.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && connectedOnce;
    }

    public boolean isRunning() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    private void run() {
        try {
            do {
                Socket s = connectWithRetry();
                if (s == null) {
                    return;
                }
                connectedOnce = true;
                firstConnection.countDown();
                serve(s);
            } while (reconnect && !closed);
        } finally {
            firstConnection.countDown();
        }
    }

    private Socket connectWithRetry() {
        long deadline = System.nanoTime() + connectTimeout.toNanos();
        while (!closed) {
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                synchronized (socketLock) {
                    if (closed) {
                        s.close();
                        return null;
                    }
                    socket = s;
                }
                return s;
            } catch (IOException e) {
                closeQuietly(s);
                if (System.nanoTime() - deadline > 0) {
                    LOG.warning(() -> "vpcd not reachable on 127.0.0.1:" + port + " (is pcscd with vsmartcard-vpcd"
                            + " running?): " + e.getMessage());
                    return null;
                }
                if (!sleep(retryInterval)) {
                    return null;
                }
            }
        }
        return null;
    }

    private void serve(Socket s) {
        try (s) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (!closed) {
                quickAck(s);
                int len = in.readUnsignedShort();
                quickAck(s);
                if (len == 0) {
                    throw new IOException("vpcd sent an empty frame");
                }
                byte[] payload = new byte[len];
                in.readFully(payload);
                if (len == 1) {
                    byte[] reply = control(payload[0] & 0xFF);
                    if (reply != null) {
                        writeFrame(out, reply);
                    }
                } else {
                    writeFrame(out, card.transmit(payload));
                }
            }
        } catch (EOFException | SocketException e) {
            // vpcd closed the connection (pcscd stopped) or close() was called: a normal end.
            LOG.fine(() -> "vpcd connection on port " + port + " ended: " + e.getMessage());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "vpcd connection on port " + port + " failed", e);
        } finally {
            synchronized (socketLock) {
                socket = null;
            }
            // The card leaves the reader: clear transient state as a real removal would.
            card.powerCycle();
        }
    }

    /**
     * vpcd writes a frame's length and payload with two send() calls. With Nagle's algorithm on vpcd's side
     * and delayed ACKs on ours, every APDU stalled ~40 ms (measured in pcscd's APDU log). Linux resets
     * TCP_QUICKACK after a while, so it is set again before every read.
     */
    private static void quickAck(Socket s) {
        if (QUICKACK_SUPPORTED) {
            try {
                s.setOption(jdk.net.ExtendedSocketOptions.TCP_QUICKACK, Boolean.TRUE);
            } catch (IOException | UnsupportedOperationException e) {
                // only a latency optimisation
            }
        }
    }

    private static final boolean QUICKACK_SUPPORTED = probeQuickAck();

    private static boolean probeQuickAck() {
        try (Socket probe = new Socket()) {
            return probe.supportedOptions().contains(jdk.net.ExtendedSocketOptions.TCP_QUICKACK);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private byte[] control(int code) {
        switch (code) {
            case CTRL_POWER_OFF:
            case CTRL_POWER_ON:
            case CTRL_RESET:
                card.powerCycle();
                return null;
            case CTRL_GET_ATR:
                return card.atr();
            default:
                LOG.warning(() -> "ignoring unknown vpcd control " + code);
                return null;
        }
    }

    private static void writeFrame(OutputStream out, byte[] payload) throws IOException {
        if (payload.length > MAX_FRAME) {
            throw new IOException("response of " + payload.length + " bytes does not fit a vpcd frame");
        }
        byte[] frame = new byte[2 + payload.length];
        frame[0] = (byte) (payload.length >> 8);
        frame[1] = (byte) payload.length;
        System.arraycopy(payload, 0, frame, 2, payload.length);
        out.write(frame);
        out.flush();
    }

    private boolean sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do: the socket is being discarded
        }
    }

    /** Disconnects (the card disappears from the reader) and waits for the bridge thread to end. */
    @Override
    public void close() {
        closed = true;
        synchronized (socketLock) {
            if (socket != null) {
                closeQuietly(socket);
            }
        }
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null && t != Thread.currentThread()) {
            t.interrupt();
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
