package org.opencluster.auth.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.frame.FrameHeader;
import org.opencluster.auth.protocol.handshake.HandshakeCommandIds;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispEncoder;

/**
 * Issue 12, item 1 on the TCP server: before login only handshake and frame commands are decoded, handshake frames
 * are at most 16 KiB, and the application limits apply from the command after the one that logged in, whether that
 * command was handled at once or offloaded.
 */
class PreAuthDecodingTest {
    private RispServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Logs in on CLIENT_HELLO (offloaded or not) and answers every later command with its length. */
    private void start(boolean offloadLogin) throws InterruptedException {
        start(offloadLogin, RispServer.builder(remote -> null));
    }

    private void start(boolean offloadLogin, RispServer.Builder limits) throws InterruptedException {
        server = limits.factory(remote -> new Connection() {
            private volatile boolean in;

            @Override
            public boolean runsOnIoThread() {
                return true;
            }

            @Override
            public void onCommand(RispCommand command, Outbound out) {
                if (!in && command.id() == HandshakeCommandIds.HS_CLIENT_HELLO) {
                    if (offloadLogin) {
                        out.offload(() -> {
                            sleep(100);
                            in = true;
                        });
                    } else {
                        in = true;
                    }
                    return;
                }
                out.send(RispCommand.integer(0x3101, command.length()));
            }

            @Override
            public boolean loggedIn() {
                return in;
            }
        }).start();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Socket connect() throws Exception {
        Socket s = new Socket();
        s.connect(server.address(), 2000);
        s.setSoTimeout(5000);
        return s;
    }

    @Test
    void beforeLoginAnApplicationCommandIsRefused() throws Exception {
        start(false);
        try (Socket s = connect()) {
            s.getOutputStream().write(RispEncoder.toBytes(RispCommand.none(0x7101)));
            List<RispCommand> got = RispServerTest.read(s, 2);
            assertEquals(CoreCommands.ERROR.id(), got.get(0).id());
            assertEquals(ErrorCode.PROTOCOL_ERROR.code(), got.get(0).number());
        }
    }

    @Test
    void beforeLoginAFrameOver16KiBIsRefusedAtItsHeader() throws Exception {
        start(false);
        try (Socket s = connect()) {
            s.getOutputStream().write(new byte[] {(byte) 0xa3, 0x00, 0x00, 0x00, 0x40, 0x01});
            List<RispCommand> got = RispServerTest.read(s, 2);
            assertEquals(ErrorCode.PROTOCOL_ERROR.code(), got.get(0).number());
            assertTrue(new String(got.get(1).copyBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    .contains("LENGTH_OVER_LIMIT"));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void afterLoginTheNextCommandMayBeAnApplicationSizedFrame(boolean offloaded) throws Exception {
        start(offloaded);
        try (Socket s = connect()) {
            byte[] big = new byte[200_000];
            // CLIENT_HELLO and a 200 KB frame in one write: the switch happens between them.
            s.getOutputStream().write(RispEncoder.toBytes(RispCommand.none(HandshakeCommandIds.HS_CLIENT_HELLO),
                    RispCommand.string(FrameHeader.ENCRYPTED_STRING, big)));
            List<RispCommand> got = RispServerTest.read(s, 1);
            assertEquals(0x3101, got.get(0).id(), got.toString());
            assertEquals(big.length, got.get(0).number());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void afterLoginAnApplicationSizedFrameSentLaterIsAccepted(boolean offloaded) throws Exception {
        start(offloaded);
        try (Socket s = connect()) {
            s.getOutputStream().write(RispEncoder.toBytes(RispCommand.none(HandshakeCommandIds.HS_CLIENT_HELLO)));
            Thread.sleep(300); // the login is over, nothing is held: the next read starts on the new limits
            s.getOutputStream().write(RispEncoder.toBytes(RispCommand.string(FrameHeader.ENCRYPTED_STRING,
                    new byte[100_000])));
            List<RispCommand> got = RispServerTest.read(s, 1);
            assertEquals(100_000, got.get(0).number(), got.toString());
        }
    }

    /** A partial handshake frame of {@code bytes} bytes (header claiming 16 KiB). */
    private static byte[] partialFrame(int bytes) {
        byte[] b = new byte[6 + bytes];
        b[0] = (byte) 0xa3;
        b[4] = 0x40;
        return b;
    }

    @Test
    void anUnauthenticatedConnectionOverItsByteCapIsClosed() throws Exception {
        start(false, RispServer.builder(remote -> null).preAuthBytes(1000, 100_000));
        try (Socket s = connect()) {
            s.getOutputStream().write(partialFrame(1200));
            List<RispCommand> got = RispServerTest.read(s, 2);
            assertEquals(ErrorCode.PROTOCOL_ERROR.code(), got.get(0).number());
            assertTrue(new String(got.get(1).copyBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    .contains("preauth.max-bytes-per-connection"));
        }
        assertEquals(0, server.preAuthBufferedBytes(), "a closed connection's bytes are no longer counted");
    }

    @Test
    void unauthenticatedConnectionsOverTheSharedByteCapAreClosed() throws Exception {
        start(false, RispServer.builder(remote -> null).preAuthBytes(1000, 1000));
        try (Socket a = connect(); Socket b = connect()) {
            a.getOutputStream().write(partialFrame(300));
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (server.preAuthBufferedBytes() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(server.preAuthBufferedBytes() > 0 && server.preAuthBufferedBytes() <= 1000);
            b.getOutputStream().write(partialFrame(300));
            List<RispCommand> got = RispServerTest.read(b, 2);
            assertEquals(ErrorCode.PROTOCOL_ERROR.code(), got.get(0).number());
            assertTrue(new String(got.get(1).copyBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    .contains("preauth.max-bytes"));
            a.setSoTimeout(300);
            assertThrows(java.net.SocketTimeoutException.class, () -> a.getInputStream().read(),
                    "the first connection stays open");
        }
    }
}
