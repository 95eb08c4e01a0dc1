package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.SessionEndedException;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.ServerTrust;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.AuthServer;
import org.opencluster.auth.server.AuthServerMain;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;

/**
 * Issue 15, row "SIGTERM with live sessions": the server ({@code oca-server run} in a child JVM) exited 143 after
 * 0.27 s and its sessions got a bare TCP close, so a client could not tell a shutdown from a network failure. Now
 * SIGTERM stops accepting, sends each live session SESSION_CLOSING (SHUTTING_DOWN, "server shutting down") and its
 * sealed close frame, and the process exits 0 within {@code shutdown.drain}.
 */
class GracefulShutdownTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();
    private static final Duration DRAIN = Duration.ofSeconds(5);
    private static final Pattern LISTENING = Pattern.compile("listening on .*:(\\d+);");

    @TempDir
    Path dir;

    @Test
    void sigtermClosesLiveSessionsWithTheReasonAndExitsZeroWithinTheDrainTime() throws Exception {
        ServerTrust trust;
        LoginCredential alice;
        try (TestCluster setup = TestCluster.in(dir).ecProofKind(ProofKind.KEY_AGREEMENT).start()) {
            setup.person("alice", PASS, Account.Role.USER, KeyType.EC_P256);
            trust = setup.pinned();
            alice = setup.passphrase(PASS);
        }
        Path config = dir.resolve("oca-server.properties");
        Files.writeString(config, "data.dir=" + dir.resolve("data").toAbsolutePath() + "\nlisten=127.0.0.1:0\n"
                + "shutdown.drain=" + DRAIN + "\n");
        Path log = dir.resolve("server.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process server = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                AuthServerMain.class.getName(), "run", "--config", config.toString())
                .redirectError(log.toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = out.readLine();
            Matcher m = LISTENING.matcher(String.valueOf(line));
            assertTrue(m.find(), "the server said: " + line);
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1)));
            try (OcaSession s = OcaSession.login(address, "alice", alice, trust, new OcaSession.Options())) {
                assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
                long sent = System.nanoTime();
                server.destroy(); // SIGTERM
                assertTrue(server.waitFor(DRAIN.toMillis(), TimeUnit.MILLISECONDS),
                        "the process ended within the drain time");
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
                assertEquals(0, server.exitValue(), "a graceful stop exits 0 (the JVM's default after SIGTERM is 143)");
                SessionEndedException ended = assertThrows(SessionEndedException.class,
                        () -> s.exec(RispCommand.none(CoreCommands.PING.id())));
                assertEquals(ErrorCode.SHUTTING_DOWN.code(), ended.serverCode(), ended::getMessage);
                assertTrue(ended.getMessage().contains(AuthServer.SHUTDOWN_REASON), ended.getMessage());
                assertTrue(s.ended());
                assertTrue(tookMillis < DRAIN.toMillis(), "stopped after " + tookMillis + " ms");
            }
            String logged = Files.readString(log, StandardCharsets.UTF_8);
            assertTrue(logged.contains("event=session.closing"), logged);
            assertTrue(logged.contains("event=server.shutdown phase=stopped drained=true"), logged);
        } finally {
            server.destroyForcibly();
        }
    }
}
