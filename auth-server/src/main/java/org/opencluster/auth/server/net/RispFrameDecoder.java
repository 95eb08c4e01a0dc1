package org.opencluster.auth.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.ByteBuffer;
import org.opencluster.auth.protocol.risp.RispDecoder;

/**
 * Frames inbound bytes into {@link org.opencluster.auth.protocol.risp.RispCommand}s and nothing else. Netty
 * recycles its buffers, so each read is copied once into an array the decoder may keep slices of; the commands of
 * one read share that array. A codec error propagates as an exception for the connection handler to answer.
 */
final class RispFrameDecoder extends ChannelInboundHandlerAdapter {
    private final RispDecoder decoder;

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
        byte[] bytes;
        try {
            bytes = new byte[in.readableBytes()];
            in.readBytes(bytes);
        } finally {
            in.release();
        }
        decoder.feed(ByteBuffer.wrap(bytes), ctx::fireChannelRead);
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
