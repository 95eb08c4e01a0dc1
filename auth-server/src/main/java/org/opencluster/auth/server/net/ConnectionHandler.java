package org.opencluster.auth.server.net;

import org.opencluster.auth.protocol.time.MonotonicClock;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispProtocolException;
import org.opencluster.auth.server.dispatch.CommandDispatcher;
import org.opencluster.auth.server.log.LogValues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bridges Netty to a {@link Connection}: delivers commands in order, turns codec errors, idle time, the handshake
 * deadline, the absolute lifetime and truncation into an error reply and a close, and makes sure
 * {@link Connection#onClose()} runs once.
 *
 * <p>Runs on the channel's I/O thread. Work that may block goes to this connection's logic executor (one of the
 * group, fixed per connection) through {@link #offload}: every command of a connection that does not run on the
 * I/O thread, and what a connection that does hands over. While offloaded work runs, nothing more is decoded: the
 * frame decoder holds the rest of the read and stops reading the socket ({@link RispFrameDecoder.Gate}), so no
 * queue of commands grows here, whatever the client pipelines. When the work ends, a task queued on the I/O thread
 * behind the work's own writes resumes decoding, so replies keep their order too. All fields but {@link #failed}
 * are touched on the I/O thread only.
 */
final class ConnectionHandler extends SimpleChannelInboundHandler<RispCommand> implements Outbound,
        RispFrameDecoder.Gate {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);

    private final ConnectionFactory factory;
    private final long absoluteTimeoutMillis;
    private final EventExecutor logic;
    private final String source;
    private final long handshakeTimeoutMillis;
    /** The idle timer to add at login, or 0 when the pipeline has had one from the start. */
    private final long idleAfterLoginMillis;
    private final RispFrameDecoder frames;
    private final Runnable loginSettled;
    private ChannelHandlerContext ctx;
    private Connection connection;
    private boolean onIoThread;
    private ScheduledFuture<?> lifetime;
    private ScheduledFuture<?> handshakeDeadline;
    private long acceptedAt;
    private boolean loginSeen;
    private boolean offloaded;
    private boolean inactive;
    /** The server is shutting down and the offloaded work must finish first: {@link #resume} ends the connection. */
    private String shutdownReason;
    private volatile boolean failed;

    /**
     * @param source                 the peer's source key (its address aggregated to its prefix), given to the
     *                               connection for throttling
     * @param handshakeTimeoutMillis from accept to login, whatever the idle timer says
     * @param idleAfterLoginMillis   the idle timeout, to arm at login; 0 when the pipeline has its idle handler
     *                               from the start (an idle timeout shorter than the handshake's)
     * @param loginSettled           run once, when the connection logged in or closed (frees its handshake slot)
     */
    ConnectionHandler(ConnectionFactory factory, String source, long handshakeTimeoutMillis,
            long idleAfterLoginMillis, long absoluteTimeoutMillis, EventExecutor logic, RispFrameDecoder frames,
            Runnable loginSettled) {
        this.factory = factory;
        this.source = source;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.idleAfterLoginMillis = idleAfterLoginMillis;
        this.absoluteTimeoutMillis = absoluteTimeoutMillis;
        this.logic = logic;
        this.frames = frames;
        this.loginSettled = loginSettled;
        frames.gate(this);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        this.connection = factory.open(source);
        this.onIoThread = connection.runsOnIoThread();
        // One timer until login (each costs a scheduled task per connection, which a connection flood pays for):
        // the handshake deadline, or the lifetime if that comes first; the lifetime's own timer and the idle timer
        // are armed at login.
        acceptedAt = MonotonicClock.system().nanos();
        handshakeDeadline = ctx.executor().schedule(this::handshakeExpired,
                Math.min(handshakeTimeoutMillis, absoluteTimeoutMillis), TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    private void lifetimeReached() {
        fail(ErrorCode.NOT_AUTHENTICATED, "session reached its absolute lifetime; log in again");
    }

    private void handshakeExpired() {
        if (absoluteTimeoutMillis <= handshakeTimeoutMillis) {
            lifetimeReached();
        } else if (!loggedIn()) {
            LOG.info("event=connection.handshake_timeout remote={} timeout_ms={}", remoteAddress(),
                    handshakeTimeoutMillis);
            fail(ErrorCode.NOT_AUTHENTICATED, "no login within " + handshakeTimeoutMillis
                    + " ms of connecting (handshake.timeout); the connection is closed");
        }
    }

    /** Once the connection is logged in: the handshake deadline no longer applies and its slot is free. */
    private void noteLogin() {
        if (!loginSeen && loggedIn()) {
            loginSeen = true;
            handshakeDeadline.cancel(false);
            long left = absoluteTimeoutMillis - TimeUnit.NANOSECONDS.toMillis(MonotonicClock.system().nanos() - acceptedAt);
            lifetime = ctx.executor().schedule(this::lifetimeReached, Math.max(0, left), TimeUnit.MILLISECONDS);
            if (idleAfterLoginMillis > 0) {
                ctx.pipeline().addFirst("idle", new IdleStateHandler(idleAfterLoginMillis, 0, 0,
                        TimeUnit.MILLISECONDS));
            }
            loginSettled.run();
        }
    }

    @Override
    public boolean busy() {
        return offloaded;
    }

    @Override
    public boolean loggedIn() {
        Connection c = connection;
        return c != null && c.loggedIn();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, RispCommand command) {
        if (failed) {
            return;
        }
        if (offloaded) {
            // The frame decoder decodes nothing while work is offloaded; a command here would break the order.
            throw new IllegalStateException("a command arrived while the previous work was offloaded");
        }
        deliver(command);
    }

    private void deliver(RispCommand command) {
        if (onIoThread) {
            connection.onCommand(command, this);
            noteLogin();
        } else {
            offload(() -> connection.onCommand(command, this));
        }
    }

    @Override
    public void offload(Runnable task) {
        offloaded = true;
        logic.execute(() -> {
            try {
                task.run();
            } catch (org.opencluster.auth.server.store.StoreException e) {
                if (!e.unavailable()) {
                    LOG.error("event=connection.failed remote={}", remoteAddress(), e);
                    fail(ErrorCode.INTERNAL, "internal error; the connection is closed");
                } else {
                    // A login during a database outage: the store logged the outage once; no trace per login.
                    fail(e.stale() ? ErrorCode.CLUSTER_STATE_STALE : ErrorCode.STORE_UNAVAILABLE,
                            e.stale() ? e.getMessage() : org.opencluster.auth.server.store.StoreException.RETRY_LATER);
                }
            } catch (RuntimeException | Error e) {
                LOG.error("event=connection.failed remote={}", remoteAddress(), e);
                fail(ErrorCode.INTERNAL, "internal error; the connection is closed");
            } finally {
                // Queued behind the writes the task made (they hop to the I/O thread in order), so resuming can
                // never let a later reply overtake an earlier one.
                try {
                    ctx.executor().execute(this::resume);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // the I/O loop is shutting down: nothing more will be delivered anyway
                }
            }
        });
    }

    private void resume() {
        offloaded = false;
        if (connection != null) {
            noteLogin();
        }
        if (!inactive && !failed) {
            frames.resume();
        }
        // The offloaded work's writes and those of the commands just decoded: no read completes to flush them.
        ctx.flush();
        if (!offloaded && shutdownReason != null && !inactive) {
            shutDown(shutdownReason);
        }
        if (!offloaded && inactive) {
            closeConnection();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            fail(ErrorCode.NOT_AUTHENTICATED, "idle timeout");
        } else if (evt == RispFrameDecoder.TruncatedStream.INSTANCE) {
            LOG.info("event=connection.truncated remote={} detail=\"closed inside a command (truncated)\"", remoteAddress());
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof RispProtocolException) {
            LOG.info("event=connection.protocol_error remote={} detail={}", remoteAddress(),
                    LogValues.quote(cause.getMessage()));
            fail(ErrorCode.PROTOCOL_ERROR, cause.getMessage());
        } else if (cause instanceof java.io.IOException) {
            // Every reset connection comes here (a flooder resets them all): build the message only when logged.
            if (LOG.isDebugEnabled()) {
                LOG.debug("connection from {} failed: {}", remoteAddress(), cause.toString());
            }
            ctx.close();
        } else {
            LOG.error("event=connection.failed remote={}", remoteAddress(), cause);
            fail(ErrorCode.INTERNAL, "internal error; the connection is closed");
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (handshakeDeadline != null) {
            handshakeDeadline.cancel(false);
        }
        if (lifetime != null) {
            lifetime.cancel(false);
        }
        loginSettled.run();
        if (offloaded) {
            inactive = true; // onClose after the running work, never concurrently with it
        } else {
            closeConnection();
        }
        super.channelInactive(ctx);
    }

    private void closeConnection() {
        if (connection != null) {
            Connection c = connection;
            connection = null;
            c.onClose();
        }
    }

    @Override
    public void send(RispCommand command) {
        ctx.write(command, ctx.voidPromise());
    }

    @Override
    public void sendRaw(java.nio.ByteBuffer bytes) {
        if (bytes.hasRemaining()) {
            ctx.write(io.netty.buffer.Unpooled.wrappedBuffer(bytes), ctx.voidPromise());
        }
    }

    @Override
    public void sendFilled(int length, Filler filler) throws Exception {
        io.netty.buffer.ByteBuf buf = ctx.alloc().ioBuffer(length);
        boolean sent = false;
        try {
            java.nio.ByteBuffer target = buf.nioBuffer(0, length);
            filler.fill(target);
            if (target.position() != length) {
                throw new IllegalStateException("filled " + target.position() + " of " + length + " bytes");
            }
            buf.writerIndex(length);
            ctx.write(buf, ctx.voidPromise());
            sent = true;
        } finally {
            if (!sent) {
                buf.release();
            }
        }
    }

    @Override
    public void flush() {
        ctx.flush();
    }

    @Override
    public void close() {
        failed = true;
        ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void fail(ErrorCode code, String text) {
        if (failed) {
            return;
        }
        failed = true;
        Connection c = connection;
        // Sealing takes the session's lock. The I/O thread serves many connections and must never wait for
        // offloaded work that holds it (a slow store or token): then the error goes in clear, as before keys.
        boolean wouldWait = offloaded && ctx.executor().inEventLoop();
        java.util.Optional<java.nio.ByteBuffer> sealed = c == null || wouldWait ? java.util.Optional.empty()
                : c.endingBytes(code, text);
        if (sealed.isPresent()) {
            sendRaw(sealed.get());
        } else {
            CommandDispatcher.error(this::send, code, text);
        }
        ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * The server is shutting down (on the I/O thread): after the command in progress has been answered, say so
     * under the connection's keys ({@link Connection#shutdownBytes}) and close. Nothing more is read.
     */
    void shutDown(String reason) {
        if (failed || inactive) {
            return;
        }
        if (offloaded) {
            shutdownReason = reason; // the running work answers first; resume() comes back here
            return;
        }
        failed = true;
        Connection c = connection;
        java.util.Optional<java.nio.ByteBuffer> bytes = c == null ? java.util.Optional.empty() : c.shutdownBytes(reason);
        if (bytes.isPresent()) {
            sendRaw(bytes.get());
        } else {
            CommandDispatcher.error(this::send, ErrorCode.SHUTTING_DOWN, reason);
        }
        ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public String remoteAddress() {
        return ctx == null ? "null" : ProxyProtocol.clientHost(ctx.channel());
    }
}
