package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.e2e.MitmProxy.Flow;
import org.opencluster.auth.server.e2e.MitmProxy.Unit;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;

/**
 * Issue 13 item 3, application frames (docs/PROTOCOL.md section 6): with {@code frames.padding = block-256} every
 * frame the server sends has a plaintext that is a multiple of 256 bytes, so answers of different lengths up to 252
 * bytes look alike (up to 248 bytes of ECHO_REPLY); a client that does not pad, and one that pads with another block, interoperate; PADDING must be
 * zero bytes, and a frame of padding alone is dropped with the session going on. TCP (frames seen by a proxy) and
 * REST.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FramePaddingPolicyTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();
    /** A frame is its plaintext plus 30 bytes (section 5.7.1). */
    private static final int FRAME_OVERHEAD = 30;
    @TempDir
    static Path dir;
    @RegisterExtension
    final Clusters clusters = new Clusters();
    private TestCluster cluster;
    private MitmProxy proxy;
    private RestClient rest;

    @BeforeAll
    void start() throws Exception {
        cluster = clusters.in().https().ecProofKind(ProofKind.SIGNATURE).config(b -> b.framePadding(256)).start();
        cluster.person("alice", PASS, Account.Role.USER, KeyType.EC_P256);
        proxy = clusters.proxy(cluster, 16);
        rest = cluster.rest();
    }

    private static RispCommand echo(int length) {
        return RispCommand.string(CoreCommands.ECHO.id(), new byte[length]);
    }

    /** Echoes of these lengths over one TCP session; returns the sizes of the frames each direction sent. */
    private Map<Flow, List<Integer>> echoes(OcaSession.Options options, int... lengths) throws Exception {
        int link = proxy.linkCount();
        try (OcaSession s = OcaSession.login(proxy.address(), "alice", cluster.passphrase(PASS), cluster.pinned(),
                options)) {
            for (int len : lengths) {
                byte[] sent = new byte[len];
                java.util.Arrays.fill(sent, (byte) 'x');
                List<RispCommand> reply = s.exec(RispCommand.string(CoreCommands.ECHO.id(), sent));
                assertEquals(List.of(CoreCommands.ECHO_REPLY.id()), reply.stream().map(RispCommand::id).toList(),
                        "the PADDING of the server's frame never reaches the caller");
                assertArrayEquals(sent, reply.get(0).copyBytes());
            }
        }
        MitmProxy.Link l = proxy.link(link);
        assertTrue(l.awaitServerClose(5));
        Map<Flow, List<Integer>> sizes = new LinkedHashMap<>();
        for (Flow f : Flow.values()) {
            List<Integer> frames = l.seen(f).stream().filter(Unit::isFrame).map(Unit::size).collect(Collectors.toList());
            // After the login frames (two from the client, one flight from the server, LOGIN_RESULT excluded below).
            sizes.put(f, frames.subList(f == Flow.CLIENT_TO_SERVER ? 2 : frames.size() - lengths.length - 1,
                    frames.size()));
        }
        return sizes;
    }

    @Test
    void withBlock256TheServersFramesAreMultiplesOf256AndHideEchoLengthsUpTo248OverTcp() throws Exception {
        int[] lengths = {0, 1, 17, 100, 200, 248, 249, 251, 252, 300, 1000};
        List<Integer> server = echoes(new OcaSession.Options(), lengths).get(Flow.SERVER_TO_CLIENT);
        // ECHO_REPLY is 4 + L bytes; the frame plaintext is the next multiple of 256 with room for PADDING's 4.
        List<Integer> expected = new ArrayList<>();
        for (int len : lengths) {
            int unpadded = 4 + len;
            int gap = (256 - unpadded % 256) % 256;
            expected.add((gap == 0 ? unpadded : unpadded + gap + (gap < 4 ? 256 : 0)) + FRAME_OVERHEAD);
        }
        expected.add(FRAME_OVERHEAD); // the close frame (n = 0) is never padded
        assertEquals(expected, server);
        // 0-248 bytes of echo: one size; 249 and 251 leave 1-3 bytes, too few for PADDING, so take the next block.
        assertEquals(List.of(286, 286, 286, 286, 286, 286, 542, 542, 286, 542, 1054, 30), server);
    }

    @Test
    void aClientThatDoesNotPadAndOneThatPadsOtherwiseBothInteroperate() throws Exception {
        List<Integer> plain = echoes(new OcaSession.Options(), 1, 100).get(Flow.CLIENT_TO_SERVER);
        assertEquals(List.of(4 + 1 + FRAME_OVERHEAD, 4 + 100 + FRAME_OVERHEAD, FRAME_OVERHEAD), plain);
        List<Integer> padded = echoes(new OcaSession.Options().framePadding("block-512"), 1, 100, 600)
                .get(Flow.CLIENT_TO_SERVER);
        assertEquals(List.of(512 + FRAME_OVERHEAD, 512 + FRAME_OVERHEAD, 1024 + FRAME_OVERHEAD, FRAME_OVERHEAD),
                padded);
    }

    @Test
    void aFrameOfPaddingAloneIsDroppedAndTheSessionGoesOnOverRest() throws Exception {
        RestClient.Session s = rest.login("alice", cluster.passphrase(PASS), cluster.pinned(),
                CommandRegistry.builder().include(CoreCommands.registry()).build());
        assertEquals(List.of(), s.exec(RispCommand.string(CoreCommands.PADDING.id(), new byte[300])));
        List<RispCommand> pong = s.exec(RispCommand.none(CoreCommands.PING.id()),
                RispCommand.string(CoreCommands.PADDING.id(), new byte[10]));
        assertEquals(List.of(CoreCommands.PONG.id()), pong.stream().map(RispCommand::id).toList());
        assertEquals(200, s.delete());
    }

    @Test
    void paddingThatIsNotZeroEndsTheSessionWithProtocolErrorOverRest() throws Exception {
        RestClient.Session s = rest.login("alice", cluster.passphrase(PASS), cluster.pinned(),
                CommandRegistry.builder().include(CoreCommands.registry()).build());
        byte[] padding = new byte[40];
        padding[39] = 1;
        List<RispCommand> reply = s.exec(RispCommand.none(CoreCommands.PING.id()),
                RispCommand.string(CoreCommands.PADDING.id(), padding));
        assertEquals(CoreCommands.ERROR.id(), reply.get(0).id(), reply.toString());
        assertEquals(ErrorCode.PROTOCOL_ERROR.code(), reply.get(0).number());
        assertEquals(404, s.postFrames(s.seal(RispCommand.none(CoreCommands.PING.id()))).statusCode(), "ended");
    }

    @Test
    void paddingLongerThanTheLargestBlockIsRefusedOverRest() throws Exception {
        RestClient.Session s = rest.login("alice", cluster.passphrase(PASS), cluster.pinned(),
                CommandRegistry.builder().include(CoreCommands.registry()).build());
        List<RispCommand> reply = s.exec(RispCommand.string(CoreCommands.PADDING.id(), new byte[4096]));
        assertEquals(ErrorCode.PROTOCOL_ERROR.code(), reply.get(0).number(), reply.toString());
    }

    @Test
    void framesPaddingIsAConfigurationKey() throws Exception {
        Path file = dir.resolve("oca.properties");
        Files.writeString(file, "frames.padding = block-1024\n", StandardCharsets.UTF_8);
        assertEquals(1024, ServerConfig.load(file).framePadding());
        Files.writeString(file, "frames.padding = none\n", StandardCharsets.UTF_8);
        assertEquals(0, ServerConfig.load(file).framePadding());
        assertEquals(0, ServerConfig.builder().dataDir(dir.resolve("d")).build().framePadding(), "default none");
        Files.writeString(file, "frames.padding = block-100\n", StandardCharsets.UTF_8);
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.load(file));
    }
}
