package org.opencluster.auth.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispEncoder;

/** Writes outbound commands; nothing else. */
final class RispFrameEncoder extends MessageToByteEncoder<RispCommand> {
    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, RispCommand msg, boolean preferDirect) {
        return ctx.alloc().ioBuffer((int) RispEncoder.sizeOf(msg));
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, RispCommand msg, ByteBuf out) {
        int size = (int) RispEncoder.sizeOf(msg);
        out.ensureWritable(size);
        RispEncoder.encode(msg, out.nioBuffer(out.writerIndex(), size));
        out.writerIndex(out.writerIndex() + size);
    }
}
