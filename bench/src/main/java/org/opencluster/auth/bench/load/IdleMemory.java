package org.opencluster.auth.bench.load;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;

/**
 * Memory per idle session with many sessions open. The server runs in this JVM, the clients in a child JVM (each
 * process within its own file-descriptor limit, and no client object in the measured heap). Reported: heap after GC
 * and resident set size, before and after, divided by the number of sessions. The TLS server for this part is
 * Netty with the JDK's SSLEngine ({@link SslHandler}): a thread per connection would measure thread stacks, not
 * TLS, and our server is Netty too.
 */
final class IdleMemory {
    private IdleMemory() {
    }

    static void ours(Path work, int count, Results out) throws Exception {
        try (OursFixture f = new OursFixture(work.resolve("idle-ours"), false, false)) {
            Path files = Files.createDirectories(work.resolve("idle-ours-client"));
            f.writeClientFiles(files);
            measure("ours", f.address(), files, count, () -> f.server.sessions().size(), out);
        }
    }

    static void jsse(Path work, int count, Results out) throws Exception {
        JsseFixture tls = JsseFixture.generate();
        Path files = Files.createDirectories(work.resolve("idle-jsse-client"));
        tls.writeClientFiles(files);
        EventLoopGroup boss = new NioEventLoopGroup(1);
        EventLoopGroup io = new NioEventLoopGroup(Runtime.getRuntime().availableProcessors());
        AtomicInteger established = new AtomicInteger();
        try {
            Channel server = new ServerBootstrap().group(boss, io).channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024).childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            SSLEngine engine = tls.server.createSSLEngine();
                            engine.setUseClientMode(false);
                            JsseFixture.configure(engine, true);
                            ch.pipeline().addLast(new SslHandler(engine), new ReadyOnHandshake(established));
                        }
                    }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            measure("jsse", (InetSocketAddress) server.localAddress(), files, count, established::get, out);
            server.close().sync();
        } finally {
            boss.shutdownGracefully().sync();
            io.shutdownGracefully().sync();
        }
    }

    /** Sends READY once the TLS handshake (client certificate included) completed; discards anything read. */
    private static final class ReadyOnHandshake extends ChannelInboundHandlerAdapter {
        private final AtomicInteger established;
        private boolean up;

        ReadyOnHandshake(AtomicInteger established) {
            this.established = established;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent) {
                if (((SslHandshakeCompletionEvent) evt).isSuccess()) {
                    up = true;
                    established.incrementAndGet();
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {PeerProtocol.READY}));
                } else {
                    ctx.close();
                }
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (up) {
                established.decrementAndGet();
            }
        }
    }

    private static void measure(String side, InetSocketAddress server, Path files, int count, IntSupplier live,
            Results out) throws Exception {
        long heap0 = usedHeapAfterGc();
        long rss0 = rss();
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(javaCommand, "-Xmx3g", "-cp", System.getProperty("java.class.path"),
                LoadBench.class.getName(), side.equals("ours") ? "hold-ours" : "hold-tls", files.toString(),
                server.getHostString(), String.valueOf(server.getPort()), String.valueOf(count), "8")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = lines.readLine();
            if (line == null || !line.startsWith("HELD " + count + " ")) {
                throw new IllegalStateException("the client process said: " + line);
            }
            long deadline = System.currentTimeMillis() + 30_000;
            while (live.getAsInt() < count && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            if (live.getAsInt() < count) {
                throw new IllegalStateException("only " + live.getAsInt() + " of " + count + " sessions are live");
            }
            long heap1 = usedHeapAfterGc();
            long rss1 = rss();
            System.out.printf(Locale.ROOT, "%s: %d idle sessions (%s s to open from 8 client threads); heap %d -> %d,"
                    + " RSS %d -> %d%n", side, count, line.split(" ")[2], heap0, heap1, rss0, rss1);
            out.put("idle." + side + ".heap", (heap1 - heap0) / (double) count);
            out.put("idle." + side + ".rss", (rss1 - rss0) / (double) count);
            out.put("idle.sessions", count);
        } finally {
            child.getOutputStream().close();
            if (!child.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
    }

    /** Child JVM: opens {@code count} sessions of the given kind with {@code threads} threads and holds them. */
    static void hold(String kind, String[] args) throws Exception {
        Path files = Path.of(args[1]);
        InetSocketAddress server = new InetSocketAddress(args[2], Integer.parseInt(args[3]));
        int count = Integer.parseInt(args[4]);
        int threads = Integer.parseInt(args[5]);
        List<Socket> held = Collections.synchronizedList(new ArrayList<>(count));
        java.util.concurrent.Callable<SSLContext> tlsShared = kind.equals("hold-tls")
                ? JsseFixture.clientContextsFrom(files) : null;
        byte[] key = tlsShared == null ? Files.readAllBytes(files.resolve("service.pk8")) : null;
        byte[] spki = tlsShared == null ? Files.readAllBytes(files.resolve("server.spki")) : null;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long t0 = System.nanoTime();
        List<Future<?>> results = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            results.add(pool.submit(() -> {
                if (tlsShared != null) {
                    // A context per connection: an empty session cache, so every handshake is a full one.
                    SSLSocket s = JsseFixture.connect(tlsShared.call(), server);
                    if (s.getInputStream().read() != PeerProtocol.READY) {
                        throw new IllegalStateException("TLS server refused");
                    }
                    JsseFixture.forget(s);
                    held.add(s);
                } else {
                    held.add(OcaConnection.login(server, OursFixture.SERVICE_ED25519, OursFixture.softwareKey(key),
                            OursFixture.pinnedTo(spki), 0x0101, 4096).detach());
                }
                return null;
            }));
        }
        for (Future<?> f : results) {
            f.get();
        }
        pool.shutdown();
        System.out.printf(Locale.ROOT, "HELD %d %.1f%n", held.size(), (System.nanoTime() - t0) / 1e9);
        System.out.flush();
        InputStream in = System.in;
        while (in.read() >= 0) {
            // hold until the parent closes our standard input
        }
        for (Socket s : held) {
            s.close();
        }
    }

    static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(150);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static long rss() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
