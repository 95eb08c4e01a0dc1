package org.opencluster.auth.server.rest;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLException;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.server.config.PublicOrigins;
import org.opencluster.auth.server.limit.SourceCounts;
import org.opencluster.auth.server.limit.SourcePrefix;
import org.opencluster.auth.server.limit.TrustedProxies;
import org.opencluster.auth.server.net.ConnectionFactory;
import org.opencluster.auth.server.net.ProxyProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS transport (TLS 1.3 only, HTTP/1.1): the REST API and the web page, over the same sessions, dispatcher
 * and login throttle as TCP (docs/PROTOCOL.md section 10). Request logic runs on its own executor group, as on
 * TCP, because logins sign with the server key and read the store.
 */
public final class RestServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RestServer.class);

    private final EventLoopGroup boss = new NioEventLoopGroup(1);
    private final EventLoopGroup io = new NioEventLoopGroup(1);
    private final EventExecutorGroup logic;
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final RestSessions sessions;
    private final Channel serverChannel;
    private final ScheduledFuture<?> reaper;
    private final int maxConnections;

    private RestServer(Builder b) throws InterruptedException, SSLException {
        SslContext tls = SslContextBuilder.forServer(new ServerKeyManager(b.key, b.chain))
                .sslProvider(SslProvider.JDK).protocols("TLSv1.3").clientAuth(ClientAuth.NONE).build();
        sessions = new RestSessions(b.factory, b.ticker, b.random, b.idleTimeout, b.lifetime, b.handshakeTimeout,
                b.maxPendingHandshakes, b.maxPendingPerSource, b.maxSessions, b.maxStringLength);
        sessions.onRejection(b.rejections);
        SourceCounts connectionsPerSource = new SourceCounts(b.connectionsPerSource);
        RestApi api = new RestApi(sessions, b.suites);
        logic = new DefaultEventExecutorGroup(b.logicThreads);
        int maxBody = b.maxBody;
        this.maxConnections = b.maxConnections;
        int maxConnections = b.maxConnections;
        ServerBootstrap bootstrap = new ServerBootstrap().group(boss, io).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (channels.size() >= maxConnections) {
                            b.rejections.accept("https_connection_cap");
                            ch.close();
                            return;
                        }
                        channels.add(ch);
                        // A trusted balancer's connection is admitted once its PROXY header names the client.
                        ProxyProtocol.admit(ch, b.trustedProxies, b.handshakeTimeout.toMillis(), b.rejections,
                                this::admit);
                    }

                    /** The per-source cap, on the connection's client address, and the connection's handlers. */
                    private void admit(Channel ch) {
                        String source = b.sources.key(ProxyProtocol.client(ch));
                        if (!connectionsPerSource.tryAcquire(source)) {
                            LOG.warn("event=https.connection_refused reason=source_cap cap={} source={}",
                                    connectionsPerSource.perSource(), source);
                            b.rejections.accept("https_source_connection_cap");
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> connectionsPerSource.release(source));
                        HttpDeadlines deadlines = new HttpDeadlines(b.headerTimeout.toMillis(), b.bodyTimeout.toMillis());
                        ch.pipeline()
                                .addLast("tls", tls.newHandler(ch.alloc()))
                                .addLast("header-deadline", deadlines.beforeHttp())
                                .addLast("idle", new IdleStateHandler(0, 0, 120, TimeUnit.SECONDS) {
                                    @Override
                                    protected void channelIdle(ChannelHandlerContext ctx,
                                            io.netty.handler.timeout.IdleStateEvent evt) {
                                        ctx.close();
                                    }
                                })
                                .addLast("http", new HttpServerCodec(4096, 8192, 8192))
                                .addLast("body-deadline", deadlines.afterHttp())
                                .addLast("aggregate", new BoundedAggregator(maxBody, sessions::loggedIn))
                                .addLast(logic, "api", new RestHandler(api, source));
                    }
                });
        serverChannel = bootstrap.bind(b.bind).sync().channel();
        api.origins(b.origins != null ? b.origins : PublicOrigins.ofListener("localhost",
                (InetSocketAddress) serverChannel.localAddress()));
        // Often enough that a pending session's slot is free soon after its handshake deadline.
        long every = Math.max(100, Math.min(30_000, Math.min(b.idleTimeout.toMillis() / 4,
                b.handshakeTimeout.toMillis() / 2)));
        reaper = io.next().scheduleAtFixedRate(() -> logic.execute(sessions::reap), every, every,
                TimeUnit.MILLISECONDS);
        LOG.info("event=https.listening address={}", serverChannel.localAddress());
    }

    /**
     * Answers an oversized body with a 413 problem and closes the connection two seconds later; until then the
     * aggregator reads and discards the rest of the body, so the client has finished sending and reads the answer.
     */
    private static final class BoundedAggregator extends HttpObjectAggregator {
        private final java.util.function.Predicate<String> loggedIn;
        /** The current request's limit and the body bytes received so far (chunked bodies declare no length). */
        private int limit;
        private long received;
        private boolean refused;

        BoundedAggregator(int maxBody, java.util.function.Predicate<String> loggedIn) {
            super(maxBody);
            this.loggedIn = loggedIn;
        }

        /**
         * Counts each request's body as it arrives against that request's own limit, so a chunked body that
         * declares no length is refused at its limit too, never held up to the largest frames body.
         */
        @Override
        protected void decode(ChannelHandlerContext ctx, HttpObject msg, List<Object> out) throws Exception {
            if (refused) {
                return; // the rest of a refused body, read and dropped until the lingering close
            }
            if (msg instanceof HttpRequest) {
                limit = limitOf((HttpRequest) msg);
                received = 0;
            }
            if (msg instanceof HttpContent && !isHandlingOversizedMessage()) {
                received += ((HttpContent) msg).content().readableBytes();
                if (received > limit) {
                    refused = true;
                    releaseCurrentMessage();
                    RestHandler.write(ctx, RestApi.problem(RestProblem.of(413, ErrorCode.BAD_PARAMETER,
                            "the body is larger than " + limit + " bytes")), false, 2000);
                    return;
                }
            }
            super.decode(ctx, msg, out);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            RestHandler.write(ctx, RestApi.problem(RestProblem.of(413, ErrorCode.BAD_PARAMETER,
                    "the body is larger than " + limitOf(oversized) + " bytes")), false, 2000);
        }

        /**
         * Only a frames body of a logged-in session may be large; every other body (JSON, DELETE's close frame,
         * frames sent before login) is bounded by the pre-login limit, so a larger declared length is refused from
         * the headers, before anything of the body is held.
         */
        @Override
        protected boolean isContentLengthInvalid(HttpMessage start, int maxContentLength) {
            try {
                return HttpUtil.getContentLength(start, -1L) > limitOf(start);
            } catch (NumberFormatException e) {
                return false;
            }
        }

        private int limitOf(HttpMessage m) {
            if (m instanceof HttpRequest) {
                java.util.Optional<String> id = RestRoute.FRAMES.match(new QueryStringDecoder(
                        ((HttpRequest) m).uri()).rawPath());
                if (id.isEmpty() || !loggedIn.test(id.get())) {
                    return Math.min(RestApi.MAX_JSON_BODY, maxContentLength());
                }
            }
            return maxContentLength();
        }
    }

    public static Builder builder(ConnectionFactory factory, PrivateKey key, List<X509Certificate> chain) {
        return new Builder(factory, key, chain);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** The cap on concurrent HTTPS connections. */
    public int maxConnections() {
        return maxConnections;
    }

    /** REST sessions open now (in their handshake or logged in). */
    public int sessionCount() {
        return sessions.size();
    }

    @Override
    public void close() {
        reaper.cancel(false);
        serverChannel.close().syncUninterruptibly();
        channels.close().syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        io.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        logic.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        sessions.close();
    }

    /**
     * Safe defaults: loopback, 5 min idle, 8 h lifetime, 10 s to log in, 64 pending handshakes (16 per source),
     * 1 000 connections (256 per source), 10 s for TLS and headers, 30 s for a body, one maximal frame per body.
     */
    public static final class Builder {
        /** Concurrent HTTPS connections by default. */
        public static final int DEFAULT_MAX_CONNECTIONS = 1_000;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration headerTimeout = Duration.ofSeconds(10);
        private Duration bodyTimeout = Duration.ofSeconds(30);
        private SourcePrefix sources = SourcePrefix.DEFAULT;
        private TrustedProxies trustedProxies = TrustedProxies.NONE;
        private int connectionsPerSource = 256;
        private final ConnectionFactory factory;
        private final PrivateKey key;
        private final List<X509Certificate> chain;
        private InetSocketAddress bind = new InetSocketAddress("127.0.0.1", 0);
        /** Null: the listener's own ({@link PublicOrigins#ofListener} with host localhost). */
        private Set<String> origins;
        private LongSupplier ticker = org.opencluster.auth.protocol.time.MonotonicClock.system();
        private SecureRandom random = new SecureRandom();
        private SuiteRegistry suites = SuiteRegistry.standard();
        private Duration idleTimeout = Duration.ofMinutes(5);
        private Duration lifetime = Duration.ofHours(8);
        private int maxPendingHandshakes = 64;
        private int maxPendingPerSource = 16;
        private int maxSessions = 10_000;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int maxStringLength = 1 << 20;
        /** One frame of the largest plaintext (2^20 - 16) plus its 14-byte header and 16-byte tag, and some slack. */
        private int maxBody = (1 << 20) + 1024;
        private int logicThreads = 2;
        private java.util.function.Consumer<String> rejections = reason -> { };

        private Builder(ConnectionFactory factory, PrivateKey key, List<X509Certificate> chain) {
            this.factory = Objects.requireNonNull(factory);
            this.key = Objects.requireNonNull(key);
            this.chain = List.copyOf(chain);
        }

        public Builder bind(InetSocketAddress a) { this.bind = Objects.requireNonNull(a); return this; }
        /** The public origins a browser's Origin header must be one of (normalised, see {@link PublicOrigins}). */
        public Builder origins(Set<String> o) { this.origins = Set.copyOf(o); return this; }
        /** Monotonic nanoseconds for the session timeouts (default System::nanoTime; a test's fake ticker). */
        public Builder ticker(LongSupplier t) { this.ticker = Objects.requireNonNull(t); return this; }
        public Builder random(SecureRandom r) { this.random = Objects.requireNonNull(r); return this; }
        public Builder idleTimeout(Duration d) { this.idleTimeout = Objects.requireNonNull(d); return this; }
        public Builder lifetime(Duration d) { this.lifetime = Objects.requireNonNull(d); return this; }
        public Builder maxPendingHandshakes(int n) { this.maxPendingHandshakes = atLeastOne(n); return this; }
        public Builder maxPendingPerSource(int n) { this.maxPendingPerSource = atLeastOne(n); return this; }
        public Builder maxSessions(int n) { this.maxSessions = atLeastOne(n); return this; }
        public Builder maxConnections(int n) { this.maxConnections = atLeastOne(n); return this; }
        public Builder maxStringLength(int n) { this.maxStringLength = atLeastOne(n); return this; }
        /** From session creation to login; a pending session then ends and its slot is free. */
        public Builder handshakeTimeout(Duration d) { this.handshakeTimeout = positive(d); return this; }
        /** TLS handshake + request line + headers of each request (from its first byte), and then its body. */
        public Builder httpDeadlines(Duration headers, Duration body) {
            this.headerTimeout = positive(headers);
            this.bodyTimeout = positive(body);
            return this;
        }
        /** How addresses aggregate into sources, for the per-source caps. */
        public Builder sources(SourcePrefix p) { this.sources = Objects.requireNonNull(p); return this; }
        /** The load balancers whose connections start with a PROXY header ({@link ProxyProtocol}); none by default. */
        public Builder trustedProxies(TrustedProxies t) { this.trustedProxies = Objects.requireNonNull(t); return this; }
        public Builder connectionsPerSource(int n) { this.connectionsPerSource = atLeastOne(n); return this; }
        /** Told the reason of each refused connection or pending session before login (the server's meter). */
        public Builder rejections(java.util.function.Consumer<String> r) { this.rejections = Objects.requireNonNull(r); return this; }

        private static Duration positive(Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("durations must be positive: " + d);
            }
            return d;
        }

        private static int atLeastOne(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("must be at least 1: " + n);
            }
            return n;
        }

        public RestServer start() throws InterruptedException, SSLException {
            return new RestServer(this);
        }
    }
}
