package org.opencluster.auth.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzz target for the PROXY header a trusted balancer's connection starts with ({@link ProxyProtocol}): the input is
 * what such a peer sends, in two reads (byte 0 says where the first ends), through Netty's decoder and the handler
 * that waits for the header, in an {@link EmbeddedChannel}.
 *
 * <p>Contract: nothing escapes the pipeline; the connection is either admitted once (its client then is the
 * header's IP source or the peer itself, and the bytes after the header reach the handlers added at admission,
 * unchanged and in order), refused (closed, one reason among {@code proxy_header_invalid}), or still waiting for
 * more bytes; never admitted and refused both; at most {@link ProxyProtocol#MAX_HEADER_BYTES} bytes are read
 * before it decides.
 */
class ProxyProtocolFuzzTest {
    @FuzzTest
    void header(byte[] input) {
        EmbeddedChannel ch = new EmbeddedChannel();
        List<String> refusals = new ArrayList<>();
        List<Channel> admitted = new ArrayList<>();
        ByteBuf after = Unpooled.buffer();
        ProxyProtocol.expectHeader(ch, 10_000, refusals::add, c -> {
            admitted.add(c);
            c.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ByteBuf b = (ByteBuf) msg;
                    after.writeBytes(b);
                    b.release();
                }
            });
        });
        ch.pipeline().fireChannelActive();
        try {
            int split = input.length == 0 ? 0 : Math.min(input[0] & 0xff, input.length - 1);
            int from = input.length == 0 ? 0 : 1;
            ch.writeInbound(Unpooled.wrappedBuffer(input, from, split));
            if (ch.isOpen()) { // a refusal after the first read closed it (a balancer would then see a reset)
                ch.writeInbound(Unpooled.wrappedBuffer(input, from + split, input.length - from - split));
            }
            ch.checkException();
        } catch (RuntimeException | Error e) {
            throw new AssertionError("the PROXY header's pipeline let something escape", e);
        }
        assertTrue(admitted.size() <= 1 && (admitted.isEmpty() || refusals.isEmpty()),
                () -> "admitted " + admitted.size() + " times, refused " + refusals);
        assertTrue(refusals.stream().allMatch("proxy_header_invalid"::equals), refusals::toString);
        if (!refusals.isEmpty()) {
            assertTrue(!ch.isOpen(), "a refused connection stays open");
        }
        if (admitted.isEmpty() && refusals.isEmpty() && ch.isOpen()) {
            assertTrue(input.length - 1 <= ProxyProtocol.MAX_HEADER_BYTES,
                    () -> "still waiting after " + (input.length - 1) + " bytes");
        }
        if (!admitted.isEmpty()) {
            SocketAddress client = ProxyProtocol.client(ch);
            assertTrue(client == ch.remoteAddress() || client instanceof InetSocketAddress, String.valueOf(client));
            // What followed the header reaches the connection's handlers as sent: the input's tail.
            int n = after.readableBytes();
            assertTrue(n <= input.length - 1, "more bytes after the header than were sent");
            byte[] tail = new byte[n];
            after.readBytes(tail);
            for (int i = 0; i < n; i++) {
                assertEquals(input[input.length - n + i], tail[i], "the bytes after the header changed");
            }
        }
        after.release();
        ch.finishAndReleaseAll();
    }
}
