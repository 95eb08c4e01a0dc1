package org.opencluster.auth.server.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.opencluster.auth.protocol.handshake.HandshakeCommandIds;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.risp.RispEncoder;

/**
 * An active attacker on loopback TCP that understands RISP: it decodes each direction into units (one encrypted
 * frame = its three commands, or one clear command), lets a {@link Rule} decide what goes on the wire instead, and
 * re-encodes. Bounded: it accepts at most {@code maxConnections} connections, every read times out, and all its
 * threads are daemons that end with their sockets.
 *
 * <p>When one side ends its stream the proxy half-closes the other side, so "the server closed the connection" is
 * observable as an end of stream from upstream ({@link Link#serverClosed()}).
 */
final class MitmProxy implements AutoCloseable {
    /** Direction of travel. */
    enum Flow { CLIENT_TO_SERVER, SERVER_TO_CLIENT }

    /** One unit on the wire: a whole frame or a single clear command, with its exact encoding. */
    static final class Unit {
        final Flow flow;
        /** Position of this unit in its flow on its connection, from 0. */
        final int index;
        final List<RispCommand> commands;
        /** When the proxy had it complete ({@link System#nanoTime()}). */
        final long seenAt = System.nanoTime();

        Unit(Flow flow, int index, List<RispCommand> commands) {
            this.flow = flow;
            this.index = index;
            this.commands = List.copyOf(commands);
        }

        /** Size on the wire. */
        int size() {
            return bytes().length;
        }

        boolean isFrame() {
            return commands.size() == 3 && isFrameStart(commands.get(0).id());
        }

        int firstId() {
            return commands.get(0).id();
        }

        byte[] bytes() {
            return RispEncoder.toBytes(commands.toArray(new RispCommand[0]));
        }
    }

    /** What the attacker does with a unit; {@link Wire#forward} passes it unchanged. */
    @FunctionalInterface
    interface Rule {
        void apply(Unit unit, Wire wire) throws IOException;

        Rule PASS = (u, w) -> w.send(u.bytes());
    }

    /** The attacker's side of one direction of one connection. */
    interface Wire {
        void send(byte[] bytes) throws IOException;

        /** Ends the connection at once in both directions (a cut cable). */
        void cut();
    }

    /** One proxied connection. */
    static final class Link {
        private final Socket client;
        private final Socket server;
        private final CompletableFuture<Void> serverEof = new CompletableFuture<>();
        private final CompletableFuture<Void> clientEof = new CompletableFuture<>();
        private final AtomicReference<Flow> firstToEnd = new AtomicReference<>();
        final List<Unit> seen = new CopyOnWriteArrayList<>();

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        /** Completes when the server ends its stream (or the proxy cut the link). */
        CompletableFuture<Void> serverClosed() {
            return serverEof;
        }

        /** True when the server ended its side before the client did: the server hung up, not the client. */
        boolean serverClosedFirst() {
            return firstToEnd.get() == Flow.SERVER_TO_CLIENT;
        }

        boolean awaitServerClose(long seconds) {
            try {
                serverEof.get(seconds, TimeUnit.SECONDS);
                return true;
            } catch (Exception e) {
                return false;
            }
        }

        /** Units seen (before the rule) in one direction, in order. */
        List<Unit> seen(Flow flow) {
            List<Unit> out = new ArrayList<>();
            for (Unit u : seen) {
                if (u.flow == flow) {
                    out.add(u);
                }
            }
            return out;
        }

        void cut() {
            firstToEnd.compareAndSet(null, Flow.CLIENT_TO_SERVER);
            closeQuietly(client);
            closeQuietly(server);
            serverEof.complete(null);
            clientEof.complete(null);
        }
    }

    private final InetSocketAddress upstream;
    private final ServerSocket listener;
    private final int maxConnections;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private volatile Rule toServer = Rule.PASS;
    private volatile Rule toClient = Rule.PASS;
    private final Thread acceptor;

    MitmProxy(InetSocketAddress upstream, int maxConnections) throws IOException {
        this.upstream = upstream;
        this.maxConnections = maxConnections;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "mitm-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
    }

    /** Sets the rule for one direction; takes effect with the next unit. */
    MitmProxy rule(Flow flow, Rule rule) {
        if (flow == Flow.CLIENT_TO_SERVER) {
            toServer = rule;
        } else {
            toClient = rule;
        }
        return this;
    }

    Link link(int i) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (links.size() <= i && System.nanoTime() < deadline) {
            sleep(5);
        }
        return links.get(i);
    }

    int linkCount() {
        return links.size();
    }

    private void acceptLoop() {
        try {
            for (int n = 0; n < maxConnections; n++) {
                Socket client = listener.accept();
                Socket server = new Socket();
                try {
                    server.connect(upstream, 5_000);
                } catch (IOException e) {
                    closeQuietly(client);
                    closeQuietly(server);
                    continue;
                }
                for (Socket s : List.of(client, server)) {
                    s.setTcpNoDelay(true);
                    s.setSoTimeout(30_000);
                }
                Link link = new Link(client, server);
                links.add(link);
                pump(link, Flow.CLIENT_TO_SERVER, client, server);
                pump(link, Flow.SERVER_TO_CLIENT, server, client);
            }
        } catch (IOException e) {
            // closed
        } finally {
            closeQuietly(listener);
        }
    }

    private void pump(Link link, Flow flow, Socket from, Socket to) {
        Thread t = new Thread(() -> {
            RispDecoder decoder = RispDecoder.framingOnly();
            List<RispCommand> pending = new ArrayList<>();
            int[] index = {0};
            Wire wire = new Wire() {
                @Override
                public void send(byte[] bytes) throws IOException {
                    OutputStream out = to.getOutputStream();
                    out.write(bytes);
                    out.flush();
                }

                @Override
                public void cut() {
                    link.cut();
                }
            };
            byte[] buf = new byte[64 * 1024];
            try {
                InputStream in = from.getInputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    List<Unit> ready = new ArrayList<>();
                    decoder.feed(ByteBuffer.wrap(Arrays.copyOf(buf, n)), c -> {
                        pending.add(c);
                        if (pending.size() == 1 && isFrameStart(c.id())) {
                            return;
                        }
                        if (pending.size() == 2) {
                            return;
                        }
                        ready.add(new Unit(flow, index[0]++, pending));
                        pending.clear();
                    });
                    for (Unit u : ready) {
                        link.seen.add(u);
                        (flow == Flow.CLIENT_TO_SERVER ? toServer : toClient).apply(u, wire);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // a cut, a reset or a timeout: the stream ends here
            } finally {
                link.firstToEnd.compareAndSet(null, flow);
                (flow == Flow.SERVER_TO_CLIENT ? link.serverEof : link.clientEof).complete(null);
                try {
                    to.shutdownOutput();
                } catch (IOException e) {
                    // already gone
                }
                if (link.serverEof.isDone() && link.clientEof.isDone()) {
                    closeQuietly(from);
                    closeQuietly(to);
                }
            }
        }, "mitm-" + flow);
        t.setDaemon(true);
        t.start();
    }

    private static boolean isFrameStart(int id) {
        return id == HandshakeCommandIds.WRAPPED_ENCRYPTED_COMMAND || id == HandshakeCommandIds.WRAPPED_ENCRYPTED_CLOSE;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        closeQuietly(listener);
        for (Link l : links) {
            l.cut();
        }
    }
}
