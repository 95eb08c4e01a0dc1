package org.opencluster.auth.server.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.server.limit.SourceCounts;
import org.opencluster.auth.server.limit.SourcePrefix;
import org.opencluster.auth.server.limit.TrustedProxies;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP transport: accepts connections, frames RISP both ways, enforces the connection caps (in all, per source,
 * handshakes in progress per source; within the process's descriptor limit), the pre-login limits
 * ({@link PreAuthLimits}), the handshake deadline, idle and absolute timeouts, and runs each connection's blocking work on a separate executor group (token operations and database
 * lookups block; the I/O threads must not). Per-connection order is kept: each connection has one logic executor
 * and {@link ConnectionHandler} delivers its commands one piece of work at a time.
 */
public final class RispServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RispServer.class);

    private final EventLoopGroup boss;
    private final EventLoopGroup io;
    private final EventExecutorGroup logic;
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    /**
     * Connections counted against the cap. Channels are initialised on several I/O threads at once, so the check
     * and the count must be one atomic step (checking {@code channels.size()} then adding let two threads both pass
     * at cap - 1).
     */
    private final java.util.concurrent.atomic.AtomicInteger admitted = new java.util.concurrent.atomic.AtomicInteger();
    private final Channel serverChannel;
    /** The listening sockets: one per I/O loop with epoll, else one whose connections the acceptor hands out. */
    private final List<Channel> listeners;
    private final int maxConnections;
    private final PreAuthLimits preAuth;

    private RispServer(Builder b) throws InterruptedException {
        FileDescriptorBudget.Decision fds = FileDescriptorBudget.decide(
                b.fdLimit != null ? b.fdLimit : FileDescriptorBudget.processLimit(), b.maxConnections,
                b.otherConnections);
        if (fds.lowered()) {
            LOG.warn(fds.logLine());
        } else {
            LOG.info(fds.logLine());
        }
        maxConnections = fds.tcpConnections();
        preAuth = b.strictUntilLogin ? new PreAuthLimits(b.preAuthBytesPerConnection, b.preAuthBytes) : null;
        SourceCounts connectionsPerSource = new SourceCounts(b.connectionsPerSource);
        SourceCounts handshakesPerSource = new SourceCounts(b.handshakesPerSource);
        boolean epoll = b.nativeTransport && Epoll.isAvailable();
        // With epoll every I/O loop accepts on a listening socket of its own (SO_REUSEPORT: the kernel spreads the
        // connections over them) and serves what it accepted: no acceptor thread wakes up and hands each connection
        // to another thread, which cost an anonymous connection flood's server about a third of its CPU per hello.
        boss = epoll ? null : new NioEventLoopGroup(1);
        io = epoll ? new EpollEventLoopGroup(b.ioThreads) : new NioEventLoopGroup(b.ioThreads);
        logic = new DefaultEventExecutorGroup(b.logicThreads);
        int maxConnections = this.maxConnections;
        long idleMillis = b.idleTimeout.toMillis();
        long handshakeMillis = b.handshakeTimeout.toMillis();
        ChannelInitializer<SocketChannel> initializer = new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                if (admitted.incrementAndGet() > maxConnections) {
                    admitted.decrementAndGet();
                    LOG.warn("event=connection.refused reason=cap cap={} remote={}", maxConnections, ch.remoteAddress());
                    b.rejections.accept("connection_cap");
                    ch.close();
                    return;
                }
                ch.closeFuture().addListener(f -> admitted.decrementAndGet());
                channels.add(ch);
                // A trusted balancer's connection is admitted once its PROXY header names the client.
                ProxyProtocol.admit(ch, b.trustedProxies, handshakeMillis, b.rejections, this::admit);
            }

            /** The per-source caps, on the connection's client address, and the connection's handlers. */
            private void admit(Channel ch) {
                String source = b.sources.key(ProxyProtocol.client(ch));
                if (!connectionsPerSource.tryAcquire(source)) {
                    LOG.warn("event=connection.refused reason=source_cap cap={} source={}",
                            connectionsPerSource.perSource(), source);
                    b.rejections.accept("source_connection_cap");
                    ch.close();
                    return;
                }
                ch.closeFuture().addListener(f -> connectionsPerSource.release(source));
                if (!handshakesPerSource.tryAcquire(source)) {
                    LOG.warn("event=connection.refused reason=source_handshakes cap={} source={}",
                            handshakesPerSource.perSource(), source);
                    b.rejections.accept("source_handshake_cap");
                    ch.close();
                    return;
                }
                java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean();
                Runnable loginSettled = () -> {
                    if (settled.compareAndSet(false, true)) {
                        handshakesPerSource.release(source);
                    }
                };
                ch.closeFuture().addListener(f -> loginSettled.run());
                RispDecoder decoder = RispDecoder.builder().maxStringLength(b.maxStringLength)
                        .copyStrings(true).build();
                RispFrameDecoder frames = new RispFrameDecoder(decoder, preAuth);
                // Before login the handshake deadline bounds idleness; the idle timer is armed at login
                // unless it is the shorter of the two.
                boolean idleFirst = idleMillis < handshakeMillis;
                if (idleFirst) {
                    ch.pipeline().addLast("idle", new IdleStateHandler(idleMillis, 0, 0,
                            TimeUnit.MILLISECONDS));
                }
                ch.pipeline()
                        .addLast("frame-decoder", frames)
                        .addLast("frame-encoder", new RispFrameEncoder())
                        .addLast("connection", new ConnectionHandler(b.factory, source, handshakeMillis,
                                idleFirst ? 0 : idleMillis, b.absoluteTimeout.toMillis(), logic.next(),
                                frames, loginSettled));
            }
        };
        try {
            listeners = epoll ? acceptOnEachIoLoop(b.bindAddress, initializer)
                    : List.of(bootstrap(boss, io, NioServerSocketChannel.class, initializer).bind(b.bindAddress)
                            .sync().channel());
        } catch (Exception e) { // Netty throws the checked BindException without declaring it
            // A listener that does not start leaves no thread behind (issue 17 item 6).
            shutDownLoops();
            throw e;
        }
        serverChannel = listeners.get(0);
        LOG.info("event=server.listening address={} transport={} acceptors={}", serverChannel.localAddress(),
                epoll ? "epoll" : "nio", listeners.size());
    }

    private static ServerBootstrap bootstrap(EventLoopGroup acceptor, EventLoopGroup children,
            Class<? extends io.netty.channel.ServerChannel> type, ChannelInitializer<SocketChannel> initializer) {
        return new ServerBootstrap().group(acceptor, children).channel(type)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(initializer);
    }

    /**
     * One listening socket per I/O loop, bound to one address with SO_REUSEPORT, each accepting onto its own loop
     * (a loop is a group of one). Port 0 binds the first one to a free port and the others to that port. Only a
     * process of the same user can join a reuse-port group on Linux.
     */
    private List<Channel> acceptOnEachIoLoop(InetSocketAddress address, ChannelInitializer<SocketChannel> initializer)
            throws InterruptedException {
        List<Channel> bound = new ArrayList<>();
        InetSocketAddress at = address;
        try {
            for (io.netty.util.concurrent.EventExecutor loop : io) {
                EventLoop l = (EventLoop) loop;
                Channel c = bootstrap(l, l, EpollServerSocketChannel.class, initializer)
                        .option(EpollChannelOption.SO_REUSEPORT, true).bind(at).sync().channel();
                bound.add(c);
                at = (InetSocketAddress) c.localAddress();
            }
        } catch (Exception e) { // Netty throws the checked BindException without declaring it
            bound.forEach(Channel::close);
            throw e;
        }
        return List.copyOf(bound);
    }

    public static Builder builder(ConnectionFactory factory) {
        return new Builder(factory);
    }

    /** The bound address (port 0 in the builder picks a free port). */
    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Open connections right now. */
    public int connectionCount() {
        return channels.size();
    }

    /** The connection cap in force: {@code connections.max}, lowered when the descriptor limit is too low. */
    public int maxConnections() {
        return maxConnections;
    }

    /** Bytes buffered now by all connections that have not logged in (0 when the pre-login limits are off). */
    public long preAuthBufferedBytes() {
        return preAuth == null ? 0 : preAuth.buffered();
    }

    /**
     * Graceful stop (docs/PROTOCOL.md section 7.1): stops accepting, has every connection answer the command it is
     * running and then end with the shutdown notice ({@link ConnectionHandler#shutDown}), and waits up to
     * {@code drain} for them all to close. {@link #close} afterwards closes whatever is left.
     *
     * @return true when every connection closed within {@code drain}
     */
    public boolean drain(String reason, Duration drain) {
        // Every listening socket: with epoll there is one per I/O loop, and any left open keeps accepting.
        listeners.forEach(l -> l.close().syncUninterruptibly());
        io.netty.channel.group.ChannelGroupFuture closed = channels.newCloseFuture();
        for (Channel ch : channels) {
            ch.eventLoop().execute(() -> {
                ConnectionHandler h = ch.pipeline().get(ConnectionHandler.class);
                if (h != null) {
                    h.shutDown(reason);
                } else {
                    ch.close();
                }
            });
        }
        return closed.awaitUninterruptibly(drain.toMillis());
    }

    @Override
    public void close() {
        listeners.forEach(l -> l.close().syncUninterruptibly());
        channels.close().syncUninterruptibly();
        shutDownLoops();
    }

    private void shutDownLoops() {
        // The I/O loops hand their last events (channel inactive) to the logic executors: stop them first.
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        io.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        logic.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * Safe defaults: loopback only, 1 MiB strings, 5 min idle, 8 h lifetime, 20 000 connections (256 per source),
     * 10 s to log in, 16 handshakes in progress per source, strict decoding before login with 32 KiB buffered per
     * connection and 16 MiB over all of them.
     */
    public static final class Builder {
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private SourcePrefix sources = SourcePrefix.DEFAULT;
        private TrustedProxies trustedProxies = TrustedProxies.NONE;
        private int connectionsPerSource = 256;
        private int handshakesPerSource = 16;
        private boolean strictUntilLogin = true;
        private int preAuthBytesPerConnection = 32 * 1024;
        private java.util.function.Consumer<String> rejections = reason -> { };
        private long preAuthBytes = 16L << 20;
        private int otherConnections;
        private boolean nativeTransport = true;
        private Long fdLimit;
        private ConnectionFactory factory;
        private InetSocketAddress bindAddress = new InetSocketAddress("127.0.0.1", 0);
        private int maxStringLength = RispDecoder.DEFAULT_MAX_STRING_LENGTH;
        private Duration idleTimeout = Duration.ofMinutes(5);
        private Duration absoluteTimeout = Duration.ofHours(8);
        private int maxConnections = 20_000;
        private int ioThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private int logicThreads = Math.max(2, 2 * Runtime.getRuntime().availableProcessors());

        private Builder(ConnectionFactory factory) {
            this.factory = Objects.requireNonNull(factory, "factory");
        }

        /** The connection logic (replaces the one given to {@link RispServer#builder}). */
        public Builder factory(ConnectionFactory factory) {
            this.factory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        public Builder bind(InetSocketAddress address) {
            this.bindAddress = Objects.requireNonNull(address);
            return this;
        }

        public Builder maxStringLength(int bytes) {
            this.maxStringLength = bytes;
            return this;
        }

        public Builder idleTimeout(Duration d) {
            this.idleTimeout = positive(d);
            return this;
        }

        public Builder absoluteTimeout(Duration d) {
            this.absoluteTimeout = positive(d);
            return this;
        }

        public Builder maxConnections(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1");
            }
            this.maxConnections = n;
            return this;
        }

        /** From accept to login (LOGIN_RESULT), whatever the idle timer says; then ERROR and close. */
        public Builder handshakeTimeout(Duration d) {
            this.handshakeTimeout = positive(d);
            return this;
        }

        /** How addresses aggregate into sources, for the per-source caps and the connections' throttling. */
        public Builder sources(SourcePrefix prefix) {
            this.sources = Objects.requireNonNull(prefix);
            return this;
        }

        /**
         * The load balancers whose connections start with a PROXY protocol header naming the client
         * ({@link ProxyProtocol}); none by default.
         */
        public Builder trustedProxies(TrustedProxies trusted) {
            this.trustedProxies = Objects.requireNonNull(trusted);
            return this;
        }

        /** Concurrent connections per source, and of them connections not logged in yet. */
        public Builder perSource(int connections, int handshakes) {
            if (connections < 1 || handshakes < 1) {
                throw new IllegalArgumentException("per-source caps must be at least 1");
            }
            this.connectionsPerSource = connections;
            this.handshakesPerSource = handshakes;
            return this;
        }

        /** Bytes an unauthenticated connection may buffer, and all of them together. */
        public Builder preAuthBytes(int perConnection, long total) {
            if (perConnection < 1 || total < perConnection) {
                throw new IllegalArgumentException("pre-login byte caps: 1 <= per connection <= total");
            }
            this.preAuthBytesPerConnection = perConnection;
            this.preAuthBytes = total;
            return this;
        }

        /**
         * Before login only handshake and frame commands are decoded, with the pre-login limits (the default).
         * Off only for a transport test whose connections never log in.
         */
        public Builder strictUntilLogin(boolean strict) {
            this.strictUntilLogin = strict;
            return this;
        }

        /** Told the reason (a fixed word) of each connection refused at accept: the server's metrics. */
        public Builder rejections(java.util.function.Consumer<String> rejections) {
            this.rejections = java.util.Objects.requireNonNull(rejections);
            return this;
        }

        /** Connections another listener of this process may hold (descriptors the TCP cap must leave free). */
        public Builder otherConnections(int n) {
            this.otherConnections = Math.max(0, n);
            return this;
        }

        /**
         * Whether Linux's native epoll transport is used when it loads (the default; NIO otherwise). Native epoll
         * costs the server less CPU per connection (fewer system calls, no exception per reset connection), which is
         * what an anonymous connection flood spends; off only to test the NIO fallback.
         */
        public Builder nativeTransport(boolean use) {
            this.nativeTransport = use;
            return this;
        }

        /** The descriptor limit to plan with, instead of the process's (tests). */
        Builder fileDescriptorLimit(long limit) {
            this.fdLimit = limit;
            return this;
        }

        public Builder threads(int io, int logic) {
            if (io < 1 || logic < 1) {
                throw new IllegalArgumentException("thread counts must be at least 1");
            }
            this.ioThreads = io;
            this.logicThreads = logic;
            return this;
        }

        private static Duration positive(Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeouts must be positive");
            }
            return d;
        }

        public RispServer start() throws InterruptedException {
            return new RispServer(this);
        }
    }
}
