package org.opencluster.auth.server.metrics;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's listener, apart from the public ones (config {@code admin.listen}, off by default, loopback unless
 * an address is given): {@code GET /metrics} (Prometheus text), {@code /healthz} (the process answers) and
 * {@code /readyz} (200, or 503 with a one-line reason when the node should not get traffic). Plain HTTP: what it
 * tells is for the operator's monitoring, it changes nothing, and it carries no secret.
 *
 * <p>One request per connection, each within {@link #REQUEST_TIMEOUT_SECONDS}; a request line and headers of at
 * most 8 KiB, no body. The checks and the scrape run on a thread of their own, never on the I/O thread (a
 * readiness check may wait for the database up to its connect timeout).
 */
public final class AdminListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminListener.class);
    static final int REQUEST_TIMEOUT_SECONDS = 10;
    private static final int MAX_HEADER_BYTES = 8192;
    /** The Prometheus text exposition format. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    /** Whether the node should get traffic now: empty when ready, else why not (one short line, no secret). */
    @FunctionalInterface
    public interface Readiness {
        Optional<String> notReadyBecause();
    }

    private final EventLoopGroup io;
    private final EventExecutorGroup work;
    private final Channel listener;

    private AdminListener(InetSocketAddress address, Supplier<String> scrape, Readiness readiness)
            throws InterruptedException {
        io = new NioEventLoopGroup(1, new DefaultThreadFactory("oca-admin-io", true));
        work = new DefaultEventExecutorGroup(1, new DefaultThreadFactory("oca-admin", true));
        try {
            listener = new ServerBootstrap().group(io).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ReadTimeoutHandler(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                                    .addLast(new HttpServerCodec(MAX_HEADER_BYTES, MAX_HEADER_BYTES, 1024))
                                    .addLast(new HttpObjectAggregator(0))
                                    .addLast(work, new Routes(scrape, readiness));
                        }
                    }).bind(address).sync().channel();
        } catch (Exception e) { // a bind failure arrives as a checked exception Netty does not declare
            shutDown();
            throw e;
        }
        LOG.info("event=admin.listening address={}", listener.localAddress());
    }

    /**
     * Starts the listener on {@code address}.
     *
     * @param scrape    the Prometheus text of the server's meters, or null when there is no such registry
     *                  ({@code /metrics} then answers 404)
     * @param readiness what {@code /readyz} reports
     */
    public static AdminListener start(InetSocketAddress address, Supplier<String> scrape, Readiness readiness)
            throws InterruptedException {
        return new AdminListener(Objects.requireNonNull(address), scrape, Objects.requireNonNull(readiness));
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        shutDown();
    }

    private void shutDown() {
        io.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        work.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The three routes; anything else is 404, any method but GET 405. */
    private static final class Routes extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Supplier<String> scrape;
        private final Readiness readiness;

        Routes(Supplier<String> scrape, Readiness readiness) {
            this.scrape = scrape;
            this.readiness = readiness;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (!request.decoderResult().isSuccess()) {
                reply(ctx, HttpResponseStatus.BAD_REQUEST, "bad request\n", "text/plain; charset=utf-8");
                return;
            }
            if (!request.method().equals(HttpMethod.GET)) {
                reply(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "GET only\n", "text/plain; charset=utf-8");
                return;
            }
            String path = request.uri();
            int query = path.indexOf('?');
            if (query >= 0) {
                path = path.substring(0, query);
            }
            switch (path) {
                case "/healthz":
                    reply(ctx, HttpResponseStatus.OK, "ok\n", "text/plain; charset=utf-8");
                    break;
                case "/readyz":
                    Optional<String> notReady = readiness.notReadyBecause();
                    reply(ctx, notReady.isEmpty() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                            notReady.map(r -> "not ready: " + r + "\n").orElse("ready\n"),
                            "text/plain; charset=utf-8");
                    break;
                case "/metrics":
                    if (scrape == null) {
                        reply(ctx, HttpResponseStatus.NOT_FOUND, "no metrics registry to serve\n",
                                "text/plain; charset=utf-8");
                    } else {
                        reply(ctx, HttpResponseStatus.OK, scrape.get(), PROMETHEUS_TEXT);
                    }
                    break;
                default:
                    reply(ctx, HttpResponseStatus.NOT_FOUND, "not found: /metrics, /healthz, /readyz\n",
                            "text/plain; charset=utf-8");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A read timeout or a reset: nothing to answer. Anything else is ours: say so once, without a trace.
            if (!(cause instanceof io.netty.handler.timeout.ReadTimeoutException)
                    && !(cause instanceof java.io.IOException)) {
                LOG.warn("event=admin.failed error={}", cause.toString());
                if (ctx.channel().isActive()) {
                    reply(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error\n",
                            "text/plain; charset=utf-8");
                    return;
                }
            }
            ctx.close();
        }

        private static void reply(ChannelHandlerContext ctx, HttpResponseStatus status, String body,
                String contentType) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.wrappedBuffer(bytes));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                    .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
