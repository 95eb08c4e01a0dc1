package org.opencluster.auth.server.e2e;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.opencluster.auth.client.login.ClientHandshake;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.client.login.ServerTrust;
import org.opencluster.auth.protocol.command.AdminCommands;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.frame.FrameException;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.session.SecureChannel;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.SuiteRegistry;

/**
 * The real client handshake ({@link ClientHandshake}) over a bare socket, for what {@code OcaSession} deliberately
 * does not allow: several frames in flight at once (to be reordered or dropped on the wire), and holding thousands
 * of idle sessions with nothing but their socket.
 */
final class RawClient implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final CommandRegistry COMMANDS = CommandRegistry.builder().include(CoreCommands.registry())
            .include(AdminCommands.registry()).build();
    private static final Set<Integer> SUITES = SuiteRegistry.standard().all().stream().map(CipherSuite::id)
            .collect(Collectors.toSet());

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final RispDecoder decoder = RispDecoder.framingOnly();
    private final ArrayDeque<RispCommand> ready = new ArrayDeque<>();
    private SecureChannel channel;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static RawClient login(InetSocketAddress server, String user, LoginCredential credential, ServerTrust trust,
            int timeoutMillis) throws IOException, LoginException {
        return login(server, null, user, credential, trust, timeoutMillis);
    }

    /** A login from {@code local} (an address of 127.0.0.0/8 stands for another source), or any address if null. */
    static RawClient login(InetSocketAddress server, java.net.InetAddress local, String user,
            LoginCredential credential, ServerTrust trust, int timeoutMillis) throws IOException, LoginException {
        return login(server, local, user, credential, trust, timeoutMillis, java.util.function.UnaryOperator.identity());
    }

    /** As above with the handshake changed before it starts (e.g. {@link ClientHandshake#version2}). */
    static RawClient login(InetSocketAddress server, java.net.InetAddress local, String user,
            LoginCredential credential, ServerTrust trust, int timeoutMillis,
            java.util.function.UnaryOperator<ClientHandshake> handshake) throws IOException, LoginException {
        Socket s = new Socket();
        RawClient c = null;
        try {
            if (local != null) {
                s.bind(new InetSocketAddress(local, 0));
            }
            s.setTcpNoDelay(true);
            s.connect(server, timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            c = new RawClient(s);
            ClientHandshake hs = handshake.apply(new ClientHandshake(user, credential, trust, SUITES,
                    SuiteRegistry.standard(), COMMANDS, RANDOM));
            c.write(hs.start());
            while (hs.state() != ClientHandshake.State.ESTABLISHED) {
                ClientHandshake.State st = hs.onCommand(c.read());
                c.write(hs.takeOutput());
                if (st == ClientHandshake.State.FAILED) {
                    throw hs.failure();
                }
            }
            c.channel = hs.applicationChannel();
            return c;
        } catch (IOException | LoginException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Seals each command list into its own frame and writes them all in one go, in this order. */
    void sendFrames(List<List<RispCommand>> frames) throws IOException, FrameException {
        ByteBuffer buf = ByteBuffer.allocate(256);
        for (List<RispCommand> f : frames) {
            buf = channel.send(f, buf);
        }
        write(buf.flip());
    }

    /** Commands of the next reply frame; throws EOFException when the server closed instead. */
    List<RispCommand> receiveFrame() throws IOException, FrameException {
        List<RispCommand> reply = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            if (channel.receive(read(), reply::add)) {
                throw new EOFException("the server closed the session");
            }
        }
        return reply;
    }

    /**
     * True when the next frame is the server's authenticated close frame (section 5.7.4); false for a data frame.
     * Throws EOFException when the connection ended without one (what a client must report as TRUNCATED).
     */
    boolean nextIsCloseFrame() throws IOException, FrameException {
        List<RispCommand> ignored = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            if (channel.receive(read(), ignored::add)) {
                return true;
            }
        }
        return false;
    }

    /** Forgets everything but the socket: an idle session as cheap as the client side can hold it. */
    Socket detach() {
        channel.close();
        return socket;
    }

    private void write(ByteBuffer b) throws IOException {
        if (b.hasRemaining()) {
            out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
            out.flush();
        }
    }

    private RispCommand read() throws IOException {
        byte[] buf = new byte[8192];
        while (ready.isEmpty()) {
            int n = in.read(buf);
            if (n < 0) {
                throw new EOFException("the server closed the connection");
            }
            decoder.feed(ByteBuffer.wrap(Arrays.copyOf(buf, n)), ready::add);
        }
        return ready.poll();
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
        socket.close();
    }
}
