package org.opencluster.auth.client.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispEncoder;

/** Reads against a real loopback peer: answers arrive, and a silent peer times the read out instead of hanging. */
class RispSocketTest {

    @Test
    void aSilentServerTimesTheReadOutAndAnAnsweringOneDoesNot() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            try (RispSocket client = RispSocket.connect(address, Duration.ofMillis(300));
                 Socket peer = listener.accept()) {
                long t0 = System.nanoTime();
                SocketTimeoutException e = assertThrows(SocketTimeoutException.class, client::read);
                long waitedMillis = (System.nanoTime() - t0) / 1_000_000;
                assertEquals("no answer from the server within the timeout", e.getMessage());
                assertTrue(waitedMillis >= 300 && waitedMillis < 300 + 10 * ReadDeadlines.TICK_MILLIS,
                        "timed out after " + waitedMillis + " ms");
                // The connection is gone: a second read fails the same way at once.
                assertThrows(SocketTimeoutException.class, client::read);
            }
            try (RispSocket client = RispSocket.connect(address, Duration.ofMillis(300));
                 Socket peer = listener.accept()) {
                // Answer after twice the tick but within the timeout, in two pieces: the read waits, it is not cut.
                ByteBuffer pong = ByteBuffer.allocate(16);
                RispEncoder.encode(RispCommand.none(CoreCommands.PONG.id()), pong);
                OutputStream out = peer.getOutputStream();
                Thread.sleep(2 * ReadDeadlines.TICK_MILLIS);
                out.write(pong.array(), 0, 1);
                out.flush();
                Thread.sleep(2 * ReadDeadlines.TICK_MILLIS / 2);
                out.write(pong.array(), 1, pong.position() - 1);
                out.flush();
                assertEquals(CoreCommands.PONG.id(), client.read().id());
                // Each read has its own deadline: a quiet spell longer than the timeout between reads is fine.
                Thread.sleep(400);
                out.write(pong.array(), 0, pong.position());
                out.flush();
                assertEquals(CoreCommands.PONG.id(), client.read().id());
            }
        }
    }
}
