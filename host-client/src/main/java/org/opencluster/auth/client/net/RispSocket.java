package org.opencluster.auth.client.net;

import org.opencluster.auth.protocol.time.MonotonicClock;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.risp.RispEncoder;
import org.opencluster.auth.protocol.risp.RispProtocolException;

/**
 * A blocking RISP connection for the client side: writes commands, reads them back framed. Client code is
 * sequential (send, then wait for the answer), so plain sockets are simpler and faster than an event loop here.
 * Not thread-safe.
 */
public final class RispSocket implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final RispDecoder decoder;
    private final ArrayDeque<RispCommand> ready = new ArrayDeque<>();
    private final byte[] readBuffer = new byte[64 * 1024];
    private ByteBuffer writeBuffer = ByteBuffer.allocate(16 * 1024);
    private volatile long timeoutNanos;
    /** When the read in progress gives up (MonotonicClock), or 0 when no read waits. */
    private volatile long readDeadline;
    private volatile boolean timedOut;

    private RispSocket(Socket socket, int maxStringLength, Duration timeout) throws IOException {
        this.socket = socket;
        this.timeoutNanos = timeout.toNanos();
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        // Strings are copied out of the read buffer as they are decoded, so the buffer is reused for every read.
        this.decoder = RispDecoder.builder().maxStringLength(maxStringLength).copyStrings(true).build();
    }

    public static RispSocket connect(InetSocketAddress address, Duration timeout) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(address, (int) timeout.toMillis());
            // Reads block without SO_TIMEOUT; ReadDeadlines closes the socket when one waits too long.
            RispSocket r = new RispSocket(s, RispDecoder.DEFAULT_MAX_STRING_LENGTH, timeout);
            ReadDeadlines.watch(r);
            return r;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Queues commands for the next {@link #flush()}. */
    public void write(RispCommand... commands) {
        for (RispCommand c : commands) {
            int size = (int) RispEncoder.sizeOf(c);
            if (writeBuffer.remaining() < size) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(writeBuffer.capacity() * 2, writeBuffer.position() + size));
                writeBuffer.flip();
                bigger.put(writeBuffer);
                writeBuffer = bigger;
            }
            RispEncoder.encode(c, writeBuffer);
        }
    }

    /** Queues raw bytes that already are RISP commands (for example a sealed frame). */
    public void writeRaw(ByteBuffer bytes) {
        if (writeBuffer.remaining() < bytes.remaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(writeBuffer.position() + bytes.remaining() + 1024);
            writeBuffer.flip();
            bigger.put(writeBuffer);
            writeBuffer = bigger;
        }
        writeBuffer.put(bytes);
    }

    public void flush() throws IOException {
        out.write(writeBuffer.array(), 0, writeBuffer.position());
        out.flush();
        writeBuffer.clear();
    }

    /** True when a command or bytes from the server wait to be read (a frame it sent without being asked). */
    public boolean hasPendingInput() throws IOException {
        return !ready.isEmpty() || in.available() > 0;
    }

    /** The next command; blocks up to the socket timeout. */
    public RispCommand read() throws IOException {
        while (ready.isEmpty()) {
            int n;
            readDeadline = MonotonicClock.system().nanos() + timeoutNanos;
            try {
                n = in.read(readBuffer);
            } catch (IOException e) {
                if (timedOut) {
                    throw new SocketTimeoutException("no answer from the server within the timeout");
                }
                throw e;
            } finally {
                readDeadline = 0;
            }
            // A cut or garbled stream is an I/O failure of this connection for the caller (exec and login declare
            // IOException), not an unchecked surprise: wrap the codec's error, keeping it as the cause.
            if (n < 0) {
                try {
                    decoder.finish();
                } catch (RispProtocolException e) {
                    throw (EOFException) new EOFException("the server closed the connection inside a command: "
                            + e.getMessage()).initCause(e);
                }
                throw new EOFException("the server closed the connection");
            }
            try {
                decoder.feed(ByteBuffer.wrap(readBuffer, 0, n), ready::add);
            } catch (RispProtocolException e) {
                throw (ProtocolException) new ProtocolException("the server sent invalid RISP: " + e.getMessage())
                        .initCause(e);
            }
        }
        return ready.poll();
    }

    public void setTimeout(Duration timeout) {
        timeoutNanos = timeout.toNanos();
    }

    /** Called by {@link ReadDeadlines}: closes the socket when the read in progress has waited too long. */
    void expireIfOverdue(long now) {
        long deadline = readDeadline;
        if (deadline != 0 && now - deadline > 0 && !timedOut) {
            timedOut = true;
            try {
                socket.close(); // the blocked read throws; read() turns that into SocketTimeoutException
            } catch (IOException e) {
                // closing anyway
            }
            ReadDeadlines.forget(this);
        }
    }

    @Override
    public void close() throws IOException {
        ReadDeadlines.forget(this);
        socket.close();
    }
}
