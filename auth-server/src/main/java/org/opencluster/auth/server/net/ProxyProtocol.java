package org.opencluster.auth.server.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.opencluster.auth.server.limit.TrustedProxies;
import org.opencluster.auth.server.log.LogValues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PROXY protocol (HAProxy's, v2 binary or v1 text) on the connections of trusted load balancers
 * ({@code proxy.trusted}): such a connection must start with the header, whose source address then is the
 * connection's client address ({@link #client}) for every per-source cap, the login throttle and the log lines. A
 * connection from any other address is never read as a PROXY header, so nobody else can claim a source.
 *
 * <p>The header must arrive within the handshake deadline and is at most {@link #MAX_HEADER_BYTES} bytes; a trusted
 * peer that sends something else, or nothing in time, is closed (one log line, counted as
 * {@code proxy_header_invalid} or {@code proxy_header_timeout}). A trusted peer that connects and closes without
 * sending a byte (a balancer's TCP health check) is closed quietly. The LOCAL command (the balancer's own
 * connection, e.g. a health check with {@code check-send-proxy}) and a header without an IP source (UNKNOWN, UNIX)
 * are served with the balancer's own address, as the protocol's specification says.
 */
public final class ProxyProtocol {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyProtocol.class);
    /** TLVs accepted after the addresses: HAProxy sends none unless told to ({@code proxy-v2-options}). */
    private static final int MAX_TLV_BYTES = 256;
    /** The decoder's bound on a v2 header (16 bytes, the addresses, the TLVs); a v1 line is at most 108 bytes. */
    public static final int MAX_HEADER_BYTES = 232 + MAX_TLV_BYTES;
    private static final AttributeKey<InetSocketAddress> CLIENT = AttributeKey.valueOf(ProxyProtocol.class,
            "client");

    private ProxyProtocol() {
    }

    /** The connection's client: the PROXY header's source on a trusted balancer's connection, else the TCP peer. */
    public static SocketAddress client(Channel ch) {
        InetSocketAddress c = ch.attr(CLIENT).get();
        return c != null ? c : ch.remoteAddress();
    }

    /** {@link #client}'s IP address as text (for the log lines), or the address's own text if it has no IP. */
    public static String clientHost(Channel ch) {
        SocketAddress a = client(ch);
        if (a instanceof InetSocketAddress && ((InetSocketAddress) a).getAddress() != null) {
            return ((InetSocketAddress) a).getAddress().getHostAddress();
        }
        return String.valueOf(a);
    }

    /**
     * Admits a new connection: at once with {@code admit} when its peer is not trusted; else when its PROXY header
     * has arrived, with the header's source as {@link #client} (the pipeline's later handlers then see
     * {@code channelActive}).
     *
     * @param deadlineMillis how long the header may take (the handshake deadline)
     * @param rejections     told {@code proxy_header_invalid} or {@code proxy_header_timeout} for each refusal
     * @param admit          adds the connection's handlers (at the end of the pipeline); may close the channel
     */
    public static void admit(Channel ch, TrustedProxies trusted, long deadlineMillis, Consumer<String> rejections,
            Consumer<Channel> admit) {
        if (!trusted.trusts(ch.remoteAddress())) {
            admit.accept(ch);
            return;
        }
        expectHeader(ch, deadlineMillis, rejections, admit);
    }

    /** The trusted peer's side of {@link #admit}: the header's decoder and the handler that waits for it. */
    static void expectHeader(Channel ch, long deadlineMillis, Consumer<String> rejections, Consumer<Channel> admit) {
        ch.pipeline().addLast("proxy-decoder", new HAProxyMessageDecoder(MAX_TLV_BYTES))
                .addLast("proxy-header", new HeaderHandler(deadlineMillis, rejections, admit));
    }

    /** Waits for the decoded header, then hands the connection on and leaves the pipeline. */
    private static final class HeaderHandler extends ChannelInboundHandlerAdapter {
        private final long deadlineMillis;
        private final Consumer<String> rejections;
        private final Consumer<Channel> admit;
        private ScheduledFuture<?> deadline;
        private boolean done;

        HeaderHandler(long deadlineMillis, Consumer<String> rejections, Consumer<Channel> admit) {
            this.deadlineMillis = deadlineMillis;
            this.rejections = rejections;
            this.admit = admit;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // Not passed on: the handlers after this one are added, and told, once the header is in.
            deadline = ctx.executor().schedule(() -> refuse(ctx, "proxy_header_timeout",
                    "no PROXY header within " + deadlineMillis + " ms"), deadlineMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (done || !(msg instanceof HAProxyMessage)) {
                ReferenceCountUtil.release(msg); // bytes after a refused header: nobody reads them
                return;
            }
            HAProxyMessage header = (HAProxyMessage) msg;
            InetSocketAddress client;
            try {
                client = source(header);
            } finally {
                header.release();
            }
            done = true;
            cancelDeadline();
            Channel ch = ctx.channel();
            if (client != null) {
                ch.attr(CLIENT).set(client);
            }
            admit.accept(ch);
            if (ch.isOpen()) {
                ctx.fireChannelActive();
            }
            ctx.pipeline().remove(this);
            // The decoder removes itself after this returns and passes on the bytes that followed the header.
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            cancelDeadline();
            if (!done) {
                done = true;
                // A connect and close without a byte: a balancer's TCP health check, not worth a log line.
                LOG.debug("event=connection.proxy_header_missing peer={}", peer(ctx));
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // The decoder's HAProxyProtocolException (it has closed the channel already), or a read error.
            refuse(ctx, "proxy_header_invalid", cause.getMessage());
        }

        private void refuse(ChannelHandlerContext ctx, String reason, String detail) {
            if (done) {
                ctx.close();
                return;
            }
            done = true;
            cancelDeadline();
            LOG.info("event=connection.{} peer={} detail={}", reason, peer(ctx), LogValues.quote(clean(detail)));
            rejections.accept(reason);
            ctx.close();
        }

        private void cancelDeadline() {
            if (deadline != null) {
                deadline.cancel(false);
            }
        }
    }

    /** The decoder's message, bounded (it may quote what the peer sent). */
    private static String clean(String detail) {
        String d = detail == null ? "" : detail;
        return d.length() > 200 ? d.substring(0, 200) : d;
    }

    private static String peer(ChannelHandlerContext ctx) {
        SocketAddress a = ctx.channel().remoteAddress();
        return a instanceof InetSocketAddress ? ((InetSocketAddress) a).getAddress().getHostAddress()
                : String.valueOf(a);
    }

    /** The header's IP source, or null (LOCAL, UNKNOWN, UNIX): the balancer's own address then. */
    static InetSocketAddress source(HAProxyMessage header) {
        if (header.command() != HAProxyCommand.PROXY || header.sourceAddress() == null) {
            return null;
        }
        HAProxyProxiedProtocol.AddressFamily family = header.proxiedProtocol().addressFamily();
        if (family != HAProxyProxiedProtocol.AddressFamily.AF_IPv4
                && family != HAProxyProxiedProtocol.AddressFamily.AF_IPv6) {
            return null;
        }
        try {
            // A literal (the decoder has checked it): no name look-up.
            return new InetSocketAddress(InetAddress.getByName(header.sourceAddress()), header.sourcePort());
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
