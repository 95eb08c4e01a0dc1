package org.opencluster.auth.server.net;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispEncoder;

/**
 * Issue 12, item 7: commands that arrive while a connection's work is offloaded wait in the socket (TCP's window),
 * not in an unbounded queue on the heap. Before, every pipelined command was decoded and queued: 64 MiB sent
 * behind one slow command all landed in the server's heap.
 */
class ConnectionBackpressureTest {
    private RispServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void pipelinedCommandsWaitInTheSocketNotInTheHeap() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger delivered = new AtomicInteger();
        server = RispServer.builder(remote -> new Connection() {
            @Override
            public boolean runsOnIoThread() {
                return true;
            }

            @Override
            public void onCommand(RispCommand command, Outbound out) {
                if (delivered.getAndIncrement() == 0) {
                    out.offload(() -> {
                        try {
                            release.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                }
            }
        }).strictUntilLogin(false).start();
        // 0x9001 with 4 092 bytes: 16 commands of 4 KiB in each 64 KiB chunk, cheap to frame, so an unbounded
        // reader would take all 64 MiB at memory speed.
        byte[] chunk = new byte[64 * 1024];
        int perChunk = chunk.length / 4096;
        for (int i = 0; i < chunk.length; i += 4096) {
            chunk[i] = (byte) 0x90;
            chunk[i + 1] = 0x01;
            chunk[i + 2] = 0x0f;
            chunk[i + 3] = (byte) 0xfc;
        }
        int chunks = 1024;
        AtomicInteger written = new AtomicInteger();
        try (Socket s = new Socket()) {
            s.connect(server.address(), 2000);
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    for (int i = 0; i < chunks; i++) {
                        out.write(chunk);
                        written.incrementAndGet();
                    }
                } catch (java.io.IOException e) {
                    // closed at the end of the test
                }
            });
            writer.setDaemon(true);
            writer.start();
            Thread.sleep(1500);
            int writtenWhileBusy = written.get();
            int deliveredWhileBusy = delivered.get();
            // The socket buffers on both sides hold a few MiB at most; the rest must still be in the writer.
            assertTrue(writtenWhileBusy < chunks / 4, writtenWhileBusy + " of " + chunks + " chunks accepted");
            assertTrue(deliveredWhileBusy == 1, deliveredWhileBusy + " commands delivered while offloaded");
            release.countDown();
            writer.join(20_000);
            assertFalse(writer.isAlive(), "reading resumed after the offloaded work");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (delivered.get() < chunks * perChunk && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(delivered.get() == chunks * perChunk, delivered.get() + " delivered in all");
        }
    }
}
