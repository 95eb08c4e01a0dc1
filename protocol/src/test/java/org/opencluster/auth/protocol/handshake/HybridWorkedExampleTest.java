package org.opencluster.auth.protocol.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.frame.TrafficSecret;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.HybridTestKeys;
import org.opencluster.auth.protocol.suite.KeyExchange;
import org.opencluster.auth.protocol.suite.SuiteRegistry;

/**
 * docs/PROTOCOL.md section 5.11.2, the X25519MLKEM768 key exchange of suite 0x0105 into the key schedule: computed
 * here with the server's code (Bouncy Castle ML-KEM and X25519, our HKDF) on any JDK, and compared with the lines of
 * the document and with the output of docs/examples/HybridKeyExchangeExample.java, an independent implementation on
 * the JDK's own ML-KEM (JDK 24+). That program runs when a JDK 25 is found (this JVM, {@code OCA_JDK25_HOME}, or
 * /usr/lib/jvm/temurin-25-jdk-amd64); under {@code CI=true} a missing JDK 25 fails the test.
 */
class HybridWorkedExampleTest {
    private static final HexFormat HEX = HexFormat.of();

    static List<String> example() throws Exception {
        byte[] serverSeed = range(0x00, 64);
        byte[] clientM = range(0x40, 32);
        byte[] serverX = HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        byte[] clientX = HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] thChoice = new byte[48];
        Arrays.fill(thChoice, (byte) 0x01);
        CipherSuite suite = SuiteRegistry.standard().require(SuiteRegistry.OCA_X25519MLKEM768_AES_256_GCM_SHA384);
        List<String> lines = new ArrayList<>();
        byte[] seeds = Arrays.copyOf(serverSeed, 96);
        System.arraycopy(serverX, 0, seeds, 64, 32);
        try (KeyExchange.EphemeralKeyPair server = HybridTestKeys.initiator(seeds);
                KeyExchange.Response client = HybridTestKeys.respond(server.publicKey(), clientM, clientX)) {
            byte[] shared = client.sharedSecret();
            assertTrue(Arrays.equals(shared, server.agree(client.share())), "both sides agree");
            add(lines, "server share, SHA-256", sha256(server.publicKey()));
            add(lines, "server share, first 16 bytes", Arrays.copyOf(server.publicKey(), 16));
            add(lines, "client share, SHA-256", sha256(client.share()));
            add(lines, "client share, first 16 bytes", Arrays.copyOf(client.share(), 16));
            add(lines, "mlkem_ss", Arrays.copyOf(shared, 32));
            add(lines, "x25519_ss", Arrays.copyOfRange(shared, 32, 64));
            try (KeySchedule ks = new KeySchedule(suite)) {
                ks.mixKeyExchange(shared);
                add(lines, "handshake_secret", ks.handshakeSecret());
                try (TrafficSecrets hs = ks.handshakeTraffic(thChoice)) {
                    TrafficSecret c = hs.clientToServer();
                    add(lines, "c_hs", c.secretBytes());
                    add(lines, "c_hs.key", c.key());
                    add(lines, "c_hs.iv", c.iv());
                    add(lines, "s_hs", hs.serverToClient().secretBytes());
                }
            }
        }
        return lines;
    }

    @Test
    void documentShowsExactlyTheseValues() throws Exception {
        List<String> lines = example();
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "hybrid-worked-example.txt"), lines, StandardCharsets.UTF_8);
        String text = Files.readString(Path.of("../docs/PROTOCOL.md"));
        for (String line : lines) {
            assertTrue(text.contains(line), "docs/PROTOCOL.md section 5.11.2 is missing or disagrees on:\n" + line
                    + "\n(regenerate from protocol/target/hybrid-worked-example.txt)");
        }
    }

    @Test
    void theJdksOwnMlKemGivesTheSameValues() throws Exception {
        Optional<Path> java = jdk25();
        if (java.isEmpty()) {
            assertTrue(!"true".equals(System.getenv("CI")), "CI=true needs a JDK 25 for the independent check "
                    + "(set OCA_JDK25_HOME)");
            return;
        }
        Process p = new ProcessBuilder(java.get().toString(), "../docs/examples/HybridKeyExchangeExample.java")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the example finished");
        assertEquals(0, p.exitValue(), out);
        assertEquals(example(), out.lines().toList(), "JDK ML-KEM + XDH against Bouncy Castle + our key schedule");
    }

    private static Optional<Path> jdk25() {
        List<Path> homes = new ArrayList<>();
        if (Runtime.version().feature() >= 25) {
            homes.add(Path.of(System.getProperty("java.home")));
        }
        Optional.ofNullable(System.getenv("OCA_JDK25_HOME")).map(Path::of).ifPresent(homes::add);
        homes.add(Path.of("/usr/lib/jvm/temurin-25-jdk-amd64"));
        return homes.stream().map(h -> h.resolve("bin/java")).filter(Files::isExecutable).findFirst();
    }

    private static byte[] range(int first, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    private static void add(List<String> lines, String name, byte[] value) {
        lines.add(String.format("%-30s = %s", name, HEX.formatHex(value)));
    }
}
