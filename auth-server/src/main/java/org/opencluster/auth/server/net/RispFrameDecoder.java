package org.opencluster.auth.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.ByteBuffer;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.risp.RispError;
import org.opencluster.auth.protocol.risp.RispProtocolException;

/**
 * Frames inbound bytes into {@link org.opencluster.auth.protocol.risp.RispCommand}s and nothing else. The decoder
 * reads Netty's (pooled, recycled) buffer in place and copies each string parameter once into an array of its own
 * ({@code copyStrings}), so nothing points into the buffer after this read: no copy of the whole read, no second
 * copy of a parameter that spans reads, and a frame's ciphertext can be decrypted where it lies. A codec error
 * propagates as an exception for the connection handler to answer.
 *
 * <p>Two rules bound what a connection holds:
 * <ul>
 * <li>Back-pressure: no command is decoded while the connection's previous work is offloaded ({@link Gate#busy()}).
 *     The rest of the read is held undecoded and the socket is not read again until the work ends, so what waits is
 *     at most one read buffer, and a client that pipelines faster than the server works is slowed by TCP's window
 *     instead of filling the heap (or being cut off).
 * <li>Before login ({@link PreAuthLimits}): a strict decoder (handshake and frame commands only, each with its own
 *     maximum, direction checked), and the bytes held (partial parameter and held read) capped per connection and
 *     over all unauthenticated connections. The switch to the application decoder happens at a command boundary,
 *     after the command whose handling logged the connection in.
 * </ul>
 */
final class RispFrameDecoder extends ChannelInboundHandlerAdapter {
    /** What the decoder asks of the connection it feeds. */
    interface Gate {
        /** True while the connection's previous work runs elsewhere: decode nothing more until {@link #resume}. */
        boolean busy();

        /** True once the connection has logged in (application limits from the next command on). */
        boolean loggedIn();
    }

    /** Stops a feed after the command just delivered; a control-flow signal without a stack trace. */
    private static final class Pause extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final Pause INSTANCE = new Pause();

        private Pause() {
            super(null, null, false, false);
        }
    }

    private final RispDecoder application;
    private final PreAuthLimits preAuth;
    private RispDecoder decoder;
    private Gate gate;
    private ChannelHandlerContext ctx;
    private ByteBuf held;
    private long counted;
    private boolean dead;

    /**
     * @param application a decoder built with {@code copyStrings(true)}, used once logged in
     * @param preAuth     the limits before login, or {@code null} to use {@code application} from the start
     */
    RispFrameDecoder(RispDecoder application, PreAuthLimits preAuth) {
        this.application = application;
        this.preAuth = preAuth;
        this.decoder = preAuth == null ? application : PreAuthLimits.strictDecoder(application.maxStringLength(), true);
    }

    void gate(Gate gate) {
        this.gate = gate;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf in = (ByteBuf) msg;
        if (dead) {
            in.release();
            return;
        }
        if (held != null) {
            // A read that was already under way when reading stopped: keep it behind what is held, in order.
            ByteBuf joined = ctx.alloc().buffer(held.readableBytes() + in.readableBytes());
            joined.writeBytes(held).writeBytes(in);
            held.release();
            in.release();
            held = null;
            in = joined;
        }
        decode(in);
    }

    /** Continues after offloaded work ended: decodes what was held, then reads the socket again. */
    void resume() {
        if (held == null || dead) {
            return;
        }
        ByteBuf h = held;
        held = null;
        try {
            decode(h);
        } catch (RispProtocolException e) {
            ctx.fireExceptionCaught(e);
            return;
        }
        if (held == null && !dead) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void decode(ByteBuf in) {
        try {
            while (in.isReadable() && !dead) {
                switchIfLoggedIn();
                if (gate.busy()) {
                    held = in;
                    in = null;
                    ctx.channel().config().setAutoRead(false);
                    return;
                }
                int n = in.readableBytes();
                ByteBuffer view = in.nioBufferCount() == 1 ? in.nioBuffer(in.readerIndex(), n)
                        : ByteBuffer.wrap(ByteBufUtil.getBytes(in));
                int start = view.position();
                try {
                    decoder.feed(view, command -> {
                        ctx.fireChannelRead(command);
                        if (gate.busy() || decoder != application && gate.loggedIn()) {
                            throw Pause.INSTANCE;
                        }
                    });
                } catch (Pause p) {
                    // stopped on a command boundary: switch if the connection logged in, hold or go on
                } catch (RispProtocolException e) {
                    dead = true;
                    throw e;
                } finally {
                    in.skipBytes(view.position() - start);
                }
                switchIfLoggedIn();
            }
        } finally {
            if (in != null) {
                in.release();
            }
            account();
        }
    }

    /**
     * Once the connection has logged in, the application decoder takes over, on a command boundary: the login
     * completes while its last command is handled (at once or offloaded), and decoding stops after every command
     * until that is known.
     */
    private void switchIfLoggedIn() {
        if (decoder != application && decoder.isIdle() && gate.loggedIn()) {
            decoder = application;
        }
    }

    /** Counts what an unauthenticated connection holds, and refuses it over its own or the shared cap. */
    private void account() {
        if (preAuth == null) {
            return;
        }
        long now = decoder == application ? 0 : decoder.bufferedBytes() + (held == null ? 0 : held.readableBytes());
        long all = preAuth.adjust(now - counted);
        counted = now;
        if (dead || decoder == application) {
            return;
        }
        if (now > preAuth.perConnection()) {
            release();
            throw new RispProtocolException(RispError.LENGTH_OVER_LIMIT, "an unauthenticated connection may buffer "
                    + preAuth.perConnection() + " bytes (preauth.max-bytes-per-connection); this one holds " + now);
        }
        if (all > preAuth.total()) {
            release();
            throw new RispProtocolException(RispError.LENGTH_OVER_LIMIT, "unauthenticated connections together"
                    + " hold more than " + preAuth.total() + " bytes (preauth.max-bytes); retry later");
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        // A stream that ends inside a command is a truncation, which the connection should know about.
        if (!decoder.isIdle() || held != null) {
            ctx.fireUserEventTriggered(TruncatedStream.INSTANCE);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    /** Decodes nothing more and gives back what this connection held and counted (once it fails or is gone). */
    private void release() {
        dead = true;
        if (held != null) {
            held.release();
            held = null;
        }
        if (preAuth != null && counted != 0) {
            preAuth.adjust(-counted);
            counted = 0;
        }
    }

    /** Event fired when the peer closed in the middle of a command. */
    enum TruncatedStream { INSTANCE }
}
