package org.opencluster.auth.server.rest;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Map;
import java.util.Optional;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.server.log.LogValues;
import org.opencluster.auth.server.net.ProxyProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Adapts Netty's aggregated requests to {@link RestApi} and adds the security headers to every answer. */
final class RestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(RestHandler.class);

    /** Same-origin only, no inline script or style, no framing, no plugins; the page needs nothing more. */
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final RestApi api;
    private final String source;

    /** @param source the peer's source key (address prefix): what sessions and the throttle count it as */
    RestHandler(RestApi api, String source) {
        this.api = api;
        this.source = source;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        RestApi.Response res;
        if (!req.decoderResult().isSuccess()) {
            res = RestApi.problem(RestProblem.of(400, ErrorCode.BAD_PARAMETER, "malformed HTTP request"));
        } else {
            HttpHeaders h = req.headers();
            String path = new QueryStringDecoder(req.uri()).rawPath();
            RestApi.Request r = new RestApi.Request(req.method().name(), path,
                    Optional.ofNullable(h.get(HttpHeaderNames.CONTENT_TYPE)),
                    Optional.ofNullable(h.get(HttpHeaderNames.ORIGIN)), Optional.ofNullable(h.get(HttpHeaderNames.HOST)),
                    ByteBufUtil.getBytes(req.content()), source);
            try {
                res = api.handle(r);
            } catch (RuntimeException e) {
                LOG.error("event=rest.failed method={} path={}", LogValues.quote(r.method()), LogValues.quote(path), e);
                res = RestApi.problem(RestProblem.of(500, ErrorCode.INTERNAL, "internal error"));
            }
        }
        // A 413 always ends the connection, as section 10.1 promises, wherever it was decided.
        write(ctx, res, HttpUtil.isKeepAlive(req) && res.status() != 413);
    }

    /**
     * Sends {@code res}; without keep-alive the connection then closes, at once or, with {@code lingerMillis > 0},
     * that long after the answer was written (meanwhile what the peer still sends is read and discarded).
     */
    static void write(ChannelHandlerContext ctx, RestApi.Response res, boolean keepAlive, long lingerMillis) {
        FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(
                res.status()), Unpooled.wrappedBuffer(res.body()));
        HttpHeaders h = out.headers();
        if (res.contentType() != null) {
            h.set(HttpHeaderNames.CONTENT_TYPE, res.contentType());
        }
        h.set(HttpHeaderNames.CONTENT_LENGTH, res.body().length);
        for (Map.Entry<String, String> e : res.headers().entrySet()) {
            h.set(e.getKey(), e.getValue());
        }
        h.set("Content-Security-Policy", CSP);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        h.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        h.set("X-Frame-Options", "DENY");
        h.set("Cross-Origin-Opener-Policy", "same-origin");
        h.set("Cross-Origin-Resource-Policy", "same-origin");
        h.set("Strict-Transport-Security", "max-age=31536000");
        // HTTP/1.1 is kept alive unless the answer says otherwise: every answer before a close says so.
        HttpUtil.setKeepAlive(out, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(out);
        } else if (lingerMillis > 0) {
            // A lingering close: closing while the peer is still sending leaves unread bytes, and the kernel then
            // resets the connection, which can destroy this answer before the peer reads it.
            ctx.writeAndFlush(out).addListener(f -> ctx.executor().schedule(() -> ctx.close(), lingerMillis,
                    java.util.concurrent.TimeUnit.MILLISECONDS));
        } else {
            ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
        }
    }

    static void write(ChannelHandlerContext ctx, RestApi.Response res, boolean keepAlive) {
        write(ctx, res, keepAlive, 0);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("https connection from {} failed: {}", remote(ctx), cause.toString());
        ctx.close();
    }

    private static String remote(ChannelHandlerContext ctx) {
        return ProxyProtocol.clientHost(ctx.channel());
    }
}
