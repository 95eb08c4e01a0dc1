package org.opencluster.auth.server.rest;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deadlines of one HTTPS connection, which an idle timer cannot give (a byte every 90 s resets it): from accept,
 * the TLS handshake, request line and headers must be in within {@code headerMillis}; the body then within
 * {@code bodyMillis}. Between keep-alive requests the header deadline starts again with the first byte of the next
 * request. On expiry the connection is closed. One instance per connection: {@link #beforeHttp()} sits between TLS
 * and the HTTP codec (it sees the first byte of each request), {@link #afterHttp()} after the codec (it sees where
 * the headers and the body end). Both run on the connection's I/O thread.
 */
final class HttpDeadlines {
    private static final Logger LOG = LoggerFactory.getLogger(HttpDeadlines.class);

    private enum Phase { HEADERS, BODY, BETWEEN }

    private final long headerMillis;
    private final long bodyMillis;
    private Phase phase = Phase.HEADERS;
    private ScheduledFuture<?> timer;

    HttpDeadlines(long headerMillis, long bodyMillis) {
        this.headerMillis = headerMillis;
        this.bodyMillis = bodyMillis;
    }

    ChannelInboundHandlerAdapter beforeHttp() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) throws Exception {
                arm(ctx, headerMillis, "tls+headers");
                super.channelActive(ctx);
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (phase == Phase.BETWEEN && msg instanceof ByteBuf && ((ByteBuf) msg).isReadable()) {
                    phase = Phase.HEADERS;
                    arm(ctx, headerMillis, "headers");
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) throws Exception {
                cancel();
                super.channelInactive(ctx);
            }
        };
    }

    ChannelInboundHandlerAdapter afterHttp() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest) {
                    phase = Phase.BODY;
                    arm(ctx, bodyMillis, "body");
                }
                if (msg instanceof LastHttpContent) {
                    phase = Phase.BETWEEN;
                    cancel();
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    private void arm(ChannelHandlerContext ctx, long millis, String what) {
        cancel();
        timer = ctx.executor().schedule(() -> {
            LOG.info("event=https.deadline what={} timeout_ms={} remote={}", what, millis,
                    org.opencluster.auth.server.net.ProxyProtocol.clientHost(ctx.channel()));
            ctx.close();
        }, millis, TimeUnit.MILLISECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
