package org.opencluster.auth.bench.load;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import org.opencluster.auth.client.login.ClientHandshake;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.ServerTrust;
import org.opencluster.auth.protocol.frame.FrameException;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.session.SecureChannel;
import org.opencluster.auth.protocol.suite.SuiteRegistry;

/**
 * A logged-in connection driven directly with the library's {@link ClientHandshake} and {@link SecureChannel}
 * (what {@code OcaSession} does inside), for two things {@code OcaSession} does not offer: pipelining (many frames
 * in flight on one session, as a TLS stream has) and holding thousands of sessions with small buffers. Single
 * threaded; not thread-safe.
 */
final class OcaConnection implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final RispDecoder decoder = RispDecoder.builder().copyStrings(true).build();
    private final ArrayDeque<RispCommand> ready = new ArrayDeque<>();
    private final byte[] readBuffer;
    private SecureChannel channel;
    private ByteBuffer frame = ByteBuffer.allocate(64);

    private OcaConnection(Socket socket, int readBufferSize) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.readBuffer = new byte[readBufferSize];
    }

    static OcaConnection login(InetSocketAddress server, String user, LoginCredential credential, ServerTrust trust,
            int suite, int readBufferSize) throws Exception {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(server, 60_000);
        s.setSoTimeout(120_000);
        OcaConnection c = new OcaConnection(s, readBufferSize);
        try {
            ClientHandshake hs = new ClientHandshake(user, credential, trust, Set.of(suite), SuiteRegistry.standard(),
                    OursFixture.CLIENT_VIEW, RANDOM);
            c.write(hs.start());
            while (hs.state() != ClientHandshake.State.ESTABLISHED) {
                ClientHandshake.State st = hs.onCommand(c.read());
                ByteBuffer o = hs.takeOutput();
                if (o.hasRemaining()) {
                    c.write(o);
                }
                if (st == ClientHandshake.State.FAILED) {
                    throw hs.failure();
                }
            }
            c.channel = hs.applicationChannel();
            return c;
        } catch (Exception e) {
            s.close();
            throw e;
        }
    }

    /** Seals {@code command} in one frame and writes it (one write call). */
    void send(RispCommand command) throws IOException, FrameException {
        frame.clear();
        frame = channel.send(List.of(command), frame);
        frame.flip();
        write(frame);
    }

    /** Reads until one reply frame was opened; returns how many commands it held. */
    int receiveFrame() throws IOException, FrameException {
        int[] commands = {0};
        for (int i = 0; i < 3; i++) {
            RispCommand outer = read();
            if (channel.receive(outer, c -> commands[0]++)) {
                throw new EOFException("the server closed the session");
            }
        }
        return commands[0];
    }

    private void write(ByteBuffer b) throws IOException {
        if (!b.hasArray()) {
            byte[] copy = new byte[b.remaining()];
            b.get(copy);
            b = ByteBuffer.wrap(copy);
        }
        out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
        out.flush();
    }

    private RispCommand read() throws IOException {
        while (ready.isEmpty()) {
            int n = in.read(readBuffer);
            if (n < 0) {
                throw new EOFException("the server closed the connection");
            }
            // Strings are copied out as they are decoded: the read buffer is reused.
            decoder.feed(ByteBuffer.wrap(readBuffer, 0, n), ready::add);
        }
        return ready.poll();
    }

    /** Drops everything but the socket (an idle holder keeps only that). */
    Socket detach() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        try {
            if (channel != null) {
                frame.clear();
                ByteBuffer f = channel.sendClose(frame);
                f.flip();
                write(f);
                channel.close();
            }
        } catch (FrameException | IOException e) {
            // closing anyway
        } finally {
            socket.close();
        }
    }
}
