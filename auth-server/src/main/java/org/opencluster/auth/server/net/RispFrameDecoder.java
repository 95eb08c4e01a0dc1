package org.opencluster.auth.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.ByteBuffer;
import org.opencluster.auth.protocol.risp.RispDecoder;

/**
 * Frames inbound bytes into {@link org.opencluster.auth.protocol.risp.RispCommand}s and nothing else. The decoder
 * reads Netty's (pooled, recycled) buffer in place and copies each string parameter once into an array of its own
 * ({@code copyStrings}), so nothing points into the buffer after this read: no copy of the whole read, no second
 * copy of a parameter that spans reads, and a frame's ciphertext can be decrypted where it lies. A codec error
 * propagates as an exception for the connection handler to answer.
 */
final class RispFrameDecoder extends ChannelInboundHandlerAdapter {
    private final RispDecoder decoder;

    /** @param decoder a decoder built with {@code copyStrings(true)} */
    RispFrameDecoder(RispDecoder decoder) {
        this.decoder = decoder;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf in = (ByteBuf) msg;
        try {
            int n = in.readableBytes();
            ByteBuffer view = in.nioBufferCount() == 1 ? in.nioBuffer(in.readerIndex(), n)
                    : ByteBuffer.wrap(ByteBufUtil.getBytes(in));
            decoder.feed(view, ctx::fireChannelRead);
        } finally {
            in.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        // A stream that ends inside a command is a truncation, which the connection should know about.
        if (!decoder.isIdle()) {
            ctx.fireUserEventTriggered(TruncatedStream.INSTANCE);
        }
        super.channelInactive(ctx);
    }

    /** Event fired when the peer closed in the middle of a command. */
    enum TruncatedStream { INSTANCE }
}
