package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.client.login.ServerTrust;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;

/**
 * Issue 15 item 9, JSON lines: the README tells operators to run the server with logback-classic instead of
 * slf4j-simple and {@code docs/logging/logback-json.xml}. Nothing ran that before; this test does, in a child JVM
 * whose class path has logback and not slf4j-simple, and checks that every stderr line is one JSON object with the
 * documented fields, and that a user name holding a quote and a backslash stays inside its field.
 */
class LogJsonLinesTest {
    private static final char[] PASS = "json pass".toCharArray();
    private static final Path CONFIG = Path.of("..", "docs", "logging", "logback-json.xml").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void theDocumentedLogbackConfigurationWritesOneJsonObjectPerLine() throws Exception {
        assertTrue(Files.isRegularFile(CONFIG), "missing " + CONFIG);
        Path data = dir.resolve("data");
        ServerTrust trust;
        LoginCredential good;
        LoginCredential wrong;
        try (TestCluster cluster = new TestCluster(ServerConfig.builder().dataDir(data).build(),
                ProofKind.KEY_AGREEMENT, LoginThrottle.builder().build(), Pkcs11Tokens.builder().build())) {
            cluster.person("alice", PASS, Account.Role.USER, KeyType.EC_P256);
            trust = cluster.pinned();
            good = cluster.passphrase(PASS);
            wrong = cluster.passphrase("wrong".toCharArray());
        }
        Path file = Files.writeString(dir.resolve("oca-server.properties"), "data.dir=" + data.toAbsolutePath()
                + "\nlisten=127.0.0.1:0\nenvelope.min-memory-kib=" + TestCluster.TEST_KDF.memoryKiB()
                + "\nenvelope.min-iterations=" + TestCluster.TEST_KDF.iterations() + "\n");
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("slf4j-simple")).collect(Collectors.joining(File.pathSeparator));
        assertTrue(classPath.contains("logback-classic"), "logback-classic is not on the test class path");
        Path stderr = dir.resolve("stderr.log");
        String name = "ev\"il\\name";
        try (ServerProcess server = ServerProcess.start(file, classPath,
                List.of("-Dlogback.configurationFile=" + CONFIG), stderr)) {
            OcaSession.login(server.address(), "alice", good, trust,
                    new OcaSession.Options()).close();
            assertThrows(LoginException.class, () -> OcaSession.login(server.address(), name,
                    wrong, trust, new OcaSession.Options()));
            // The server logs the failed attempt once it sees the client go: wait for the line, then stop it.
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
            while (!Files.readString(stderr, StandardCharsets.UTF_8)
                    .matches("(?s).*event=login\\.(failed|abandoned).*") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            server.kill9();
        }
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(stderr, StandardCharsets.UTF_8).stream()
                // The JVM's own warnings (JDK 24+: native access, sun.misc.Unsafe) are not log lines.
                .filter(l -> !l.isBlank() && !l.startsWith("WARNING: ")).toList();
        assertFalse(lines.isEmpty(), "the server logged nothing");
        boolean failedLogin = false;
        // The child JVM chooses its P-256 multiplier as this one does, and says which.
        String multiplierLine = "event=oprf.p256_multiplier implementation=\""
                + org.opencluster.auth.protocol.pake.P256Group.multiplierStatus().split(" ")[0] + " (";
        boolean multiplier = false;
        for (String line : lines) {
            JsonNode o = json.readTree(line);
            assertTrue(o.isObject(), line);
            assertTrue(o.get("timestamp").isNumber(), line);
            for (String field : List.of("level", "loggerName", "message", "formattedMessage")) {
                assertTrue(o.hasNonNull(field) && o.get(field).isTextual(), field + " missing: " + line);
            }
            String text = o.get("formattedMessage").asText();
            multiplier |= text.startsWith(multiplierLine);
            if (text.startsWith("event=login.") && text.contains("ev\\\"il")) {
                // login.failed or login.abandoned (the client gave up after the challenge), with the name quoted
                failedLogin = true;
                assertTrue(text.contains(" user=\"ev\\\"il\\\\name\" "), "the name is not escaped: " + text);
                assertEquals(text.split(" ")[0], o.get("message").asText().split(" ")[0], line);
            }
        }
        assertTrue(failedLogin, "no login.failed line:\n" + String.join("\n", lines));
        assertTrue(multiplier, "no line starting " + multiplierLine + ":\n" + String.join("\n", lines));
    }
}
