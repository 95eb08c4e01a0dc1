package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.*;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.handshake.HandshakeLabels;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.login.HelloGate;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;

/** HELLO_RETRY over TCP (docs/PROTOCOL.md section 5.3.11), with {@code hello.cookies=always}. */
class HelloRetryTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();

    @TempDir
    Path dir;
    private TestCluster cluster;
    private final Accounts accounts = new Accounts();

    private void start(HelloGate.Mode mode) throws Exception {
        cluster = new TestCluster(ServerConfig.defaults(dir.resolve("data")).toBuilder()
                .hello(new HelloGate.Settings(mode, 100, 500)).build(), ProofKind.KEY_AGREEMENT,
                LoginThrottle.builder().build(), Pkcs11Tokens.builder().build());
        accounts.person("alice", PASS, KeyType.EC_P256, cluster);
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static byte[] hello(int version, byte[] extensions) {
        return HandshakeMessage.of(HS_CLIENT_HELLO, RispCommand.integer(PROTOCOL_VERSION, version),
                RispCommand.fixed(CLIENT_RANDOM, new byte[32]), RispCommand.string(SUPPORTED_SUITES, new byte[] {1, 3}),
                RispCommand.string(EXTENSIONS, extensions)).encode();
    }

    /** Commands until {@code count} arrived or the server closed. */
    private static List<RispCommand> read(InputStream in, int count) throws IOException {
        RispDecoder decoder = RispDecoder.framingOnly();
        List<RispCommand> got = new ArrayList<>();
        byte[] buf = new byte[8192];
        while (got.size() < count) {
            int n = in.read(buf);
            if (n < 0) {
                break;
            }
            decoder.feed(ByteBuffer.wrap(Arrays.copyOf(buf, n)), got::add);
        }
        return got;
    }

    @Test
    void theClientAnswersTheRetryWithItsCookieAndLogsIn() throws Exception {
        start(HelloGate.Mode.ALWAYS);
        // With hello.cookies=always the first hello always gets HELLO_RETRY: established means the retry was answered.
        for (int i = 0; i < 3; i++) {
            RawClient.login(cluster.address(), "alice", accounts.cachedKey(), cluster.pinned(), 10_000).close();
        }
    }

    @Test
    void aVersionOneClientThatWouldNeedACookieGetsRateLimitedInClearThenClose() throws Exception {
        start(HelloGate.Mode.ALWAYS);
        try (Socket s = new Socket(cluster.address().getAddress(), cluster.address().getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(hello(PROTOCOL_VERSION_1, new byte[0]));
            List<RispCommand> answer = read(s.getInputStream(), 3);
            assertEquals(CoreCommands.ERROR.id(), answer.get(0).id());
            assertEquals(ErrorCode.RATE_LIMITED.code(), answer.get(0).number());
            assertEquals(2, answer.size(), "ERROR, ERROR_TEXT, then the connection closes");
        }
    }

    @Test
    void aSecondHelloWithoutAValidCookieEndsTheConnection() throws Exception {
        start(HelloGate.Mode.ALWAYS);
        try (Socket s = new Socket(cluster.address().getAddress(), cluster.address().getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(hello(PROTOCOL_VERSION_2, new byte[0]));
            List<RispCommand> retry = read(s.getInputStream(), 3);
            assertEquals(HS_HELLO_RETRY, retry.get(0).id());
            byte[] cookie = retry.get(1).copyBytes();
            cookie[cookie.length - 1] ^= 1;
            byte[] ext = ByteBuffer.allocate(4 + cookie.length).putShort((short) HandshakeLabels.EXTENSION_HELLO_COOKIE)
                    .putShort((short) cookie.length).put(cookie).array();
            s.getOutputStream().write(hello(PROTOCOL_VERSION_2, ext));
            List<RispCommand> answer = read(s.getInputStream(), 3);
            assertEquals(CoreCommands.ERROR.id(), answer.get(0).id());
            assertEquals(ErrorCode.RATE_LIMITED.code(), answer.get(0).number());
            assertEquals(2, answer.size());
        }
    }

    @Test
    void theServerAnswersVersionMinOfTheClientsAndThree() throws Exception {
        start(HelloGate.Mode.OFF);
        for (int[] v : new int[][] {{1, 1}, {2, 2}, {3, 3}, {7, 3}}) {
            try (Socket s = new Socket(cluster.address().getAddress(), cluster.address().getPort())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(hello(v[0], new byte[0]));
                List<RispCommand> answer = read(s.getInputStream(), 2);
                assertEquals(HS_SERVER_HELLO, answer.get(0).id());
                assertEquals(v[1], answer.get(1).number(), "client version " + v[0]);
            }
        }
    }

    @Test
    void theClientRefusesASecondRetry() throws Exception {
        start(HelloGate.Mode.ALWAYS);
        // A server that always retries: the real one answers the second hello, so play it here with a cookie-less
        // client handshake fed two retries.
        org.opencluster.auth.client.login.ClientHandshake hs = new org.opencluster.auth.client.login.ClientHandshake(
                "alice", accounts.cachedKey(), cluster.pinned(), java.util.Set.of(0x0103),
                org.opencluster.auth.protocol.suite.SuiteRegistry.standard(), CoreCommands.registry(),
                new java.security.SecureRandom());
        hs.start();
        List<RispCommand> retry = List.of(RispCommand.none(HS_HELLO_RETRY), RispCommand.string(COOKIE, new byte[37]),
                RispCommand.none(HS_END));
        retry.forEach(hs::onCommand);
        assertTrue(hs.takeOutput().hasRemaining(), "the hello again, with the cookie");
        for (RispCommand c : retry) {
            if (hs.onCommand(c) == org.opencluster.auth.client.login.ClientHandshake.State.FAILED) {
                break;
            }
        }
        assertEquals(org.opencluster.auth.client.login.ClientHandshake.State.FAILED, hs.state());
        assertThrows(IllegalStateException.class, () -> hs.onCommand(RispCommand.none(HS_END)));
    }
}
