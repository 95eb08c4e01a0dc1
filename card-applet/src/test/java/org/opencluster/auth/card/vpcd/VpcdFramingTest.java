package org.opencluster.auth.card.vpcd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The bridge's side of the vpcd protocol against a stand-in for vpcd's listening socket (pure protocol logic;
 * the real pcscd path is covered by {@link VpcdBridgeTest}).
 */
class VpcdFramingTest {
    private static byte[] exchange(DataOutputStream out, DataInputStream in, byte[] payload) throws Exception {
        out.writeShort(payload.length);
        out.write(payload);
        out.flush();
        byte[] reply = new byte[in.readUnsignedShort()];
        in.readFully(reply);
        return reply;
    }

    private static void awaitStopped(VpcdBridge bridge) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (bridge.isRunning() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertFalse(bridge.isRunning(), "bridge thread still running");
    }

    @Test
    void answersAtrAndApdusAndEndsWhenVpcdCloses() throws Exception {
        VirtualCard card = VirtualCard.create();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            VpcdBridge bridge = VpcdBridge.builder(card).port(server.getLocalPort()).build().start();
            try (Socket s = server.accept()) {
                assertTrue(bridge.awaitConnected(Duration.ofSeconds(5)));
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                DataInputStream in = new DataInputStream(s.getInputStream());
                assertArrayEquals(card.atr(), exchange(out, in, new byte[] {4}));
                out.writeShort(1);
                out.write(1); // power on: no reply
                byte[] select = HexFormat.of().parseHex("00A4040005A00000030800");
                byte[] r = exchange(out, in, select);
                assertEquals("9000", HexFormat.of().withUpperCase().formatHex(r, r.length - 2, r.length));
                byte[] garbage = exchange(out, in, new byte[] {0x00, (byte) 0xCB, 0x3F});
                assertEquals("6700", HexFormat.of().withUpperCase().formatHex(garbage));
            }
            // vpcd went away: the bridge thread ends instead of spinning.
            awaitStopped(bridge);
            bridge.close();
        }
    }

    @Test
    void reconnectingBridgeComesBackAfterVpcdDropsIt() throws Exception {
        VirtualCard card = VirtualCard.create();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            VpcdBridge bridge = VpcdBridge.builder(card).port(server.getLocalPort()).reconnect(true)
                    .retryInterval(Duration.ofMillis(50)).build().start();
            try {
                server.accept().close();
                try (Socket again = server.accept()) {
                    DataOutputStream out = new DataOutputStream(again.getOutputStream());
                    DataInputStream in = new DataInputStream(again.getInputStream());
                    assertArrayEquals(card.atr(), exchange(out, in, new byte[] {4}));
                }
                assertTrue(bridge.isRunning());
            } finally {
                bridge.close();
            }
            assertFalse(bridge.isRunning());
        }
    }

    @Test
    void retriesUntilVpcdListensThenGivesUpAfterTheTimeout() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        VpcdBridge bridge = VpcdBridge.builder(VirtualCard.create()).port(port)
                .connectTimeout(Duration.ofMillis(400)).retryInterval(Duration.ofMillis(50)).build().start();
        assertFalse(bridge.awaitConnected(Duration.ofSeconds(5)));
        awaitStopped(bridge);
        bridge.close();
    }

    @Test
    void connectsOnceVpcdStartsListening() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        VpcdBridge bridge = VpcdBridge.builder(VirtualCard.create()).port(port)
                .connectTimeout(Duration.ofSeconds(5)).retryInterval(Duration.ofMillis(50)).build().start();
        Thread.sleep(200);
        try (ServerSocket server = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
             Socket s = server.accept()) {
            assertTrue(bridge.awaitConnected(Duration.ofSeconds(5)));
            bridge.close();
            assertEquals(-1, s.getInputStream().read(), "close() disconnects from vpcd");
            assertFalse(bridge.isRunning());
        }
    }
}
