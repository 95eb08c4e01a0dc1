package org.opencluster.auth.server.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP transport: accepts connections, frames RISP both ways, enforces the connection cap, idle and absolute
 * timeouts, and runs each connection's blocking work on a separate executor group (token operations and database
 * lookups block; the I/O threads must not). Per-connection order is kept: each connection has one logic executor
 * and {@link ConnectionHandler} delivers its commands one piece of work at a time.
 */
public final class RispServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RispServer.class);

    private final EventLoopGroup boss = new NioEventLoopGroup(1);
    private final EventLoopGroup io;
    private final EventExecutorGroup logic;
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Channel serverChannel;

    private RispServer(Builder b) throws InterruptedException {
        io = new NioEventLoopGroup(b.ioThreads);
        logic = new DefaultEventExecutorGroup(b.logicThreads);
        int maxConnections = b.maxConnections;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, io)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (channels.size() >= maxConnections) {
                            LOG.warn("event=connection.refused reason=cap cap={} remote={}", maxConnections, ch.remoteAddress());
                            ch.close();
                            return;
                        }
                        channels.add(ch);
                        RispDecoder decoder = RispDecoder.builder().maxStringLength(b.maxStringLength)
                                .copyStrings(true).build();
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(b.idleTimeout.toMillis(), 0, 0,
                                        TimeUnit.MILLISECONDS))
                                .addLast("frame-decoder", new RispFrameDecoder(decoder))
                                .addLast("frame-encoder", new RispFrameEncoder())
                                .addLast("connection", new ConnectionHandler(b.factory,
                                        b.absoluteTimeout.toMillis(), logic.next()));
                    }
                });
        serverChannel = bootstrap.bind(b.bindAddress).sync().channel();
        LOG.info("event=server.listening address={}", serverChannel.localAddress());
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

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        channels.close().syncUninterruptibly();
        // The I/O loops hand their last events (channel inactive) to the logic executors: stop them first.
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        io.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        logic.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Safe defaults: loopback only, 1 MiB strings, 5 min idle, 8 h lifetime, 20 000 connections. */
    public static final class Builder {
        private final ConnectionFactory factory;
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
