package org.opencluster.auth.protocol.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.frame.FrameConfig;
import org.opencluster.auth.protocol.frame.FrameSealer;
import org.opencluster.auth.protocol.frame.TrafficSecret;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.Hkdf;
import org.opencluster.auth.protocol.suite.KeyExchangeGroup;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.protocol.suite.X25519TestKeys;

/**
 * Produces the key-schedule worked example of docs/PROTOCOL.md section 5.8 from fixed inputs and checks that the
 * document shows exactly these values, so the spec cannot drift from the code. The values are written to
 * target/handshake-worked-example.txt as well.
 */
class KeyScheduleWorkedExampleTest {
    private static final HexFormat HEX = HexFormat.of();

    static List<String> example() throws Exception {
        List<String> lines = new ArrayList<>();
        CipherSuite suite = SuiteRegistry.standard().require(SuiteRegistry.OCA_X25519_AES_256_GCM_SHA384);
        byte[] clientPrivate = HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] serverPublic = HEX.parseHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        byte[] ecdh = X25519TestKeys.agree(clientPrivate, serverPublic);
        byte[] thChoice = filled(48, 0x01);
        byte[] thLoginChallenge = filled(48, 0x02);
        byte[] thServerFinished = filled(48, 0x03);
        byte[] thLoginProof = filled(48, 0x04);
        byte[] thClientFinished = filled(48, 0x05);
        byte[] z = filled(32, 0x06);

        add(lines, "ecdh_shared", ecdh);
        try (KeySchedule ks = new KeySchedule(suite)) {
            add(lines, "early_secret", ks.earlySecret());
            add(lines, "derived_0", Hkdf.deriveSecret(suite.hash(), ks.earlySecret(), "derived", new byte[0]));
            ks.mixKeyExchange(ecdh);
            add(lines, "handshake_secret", ks.handshakeSecret());
            try (TrafficSecrets hs = ks.handshakeTraffic(thChoice)) {
                traffic(lines, "c_hs", hs.clientToServer());
                traffic(lines, "s_hs", hs.serverToClient());
            }
            add(lines, "server_finished", ks.serverFinished(thLoginChallenge));
            add(lines, "proof_salt", Hkdf.deriveSecret(suite.hash(), ks.handshakeSecret(), "proof salt",
                    thServerFinished));
            add(lines, "ka_proof", ks.keyAgreementProof(z, thServerFinished));
            add(lines, "client_finished", ks.clientFinished(thLoginProof));
            try (TrafficSecrets ap = ks.applicationTraffic(thClientFinished)) {
                add(lines, "master_secret", ks.masterSecret());
                traffic(lines, "c_ap_0", ap.clientToServer());
                traffic(lines, "s_ap_0", ap.serverToClient());
                try (TrafficSecret next = ap.clientToServer().next()) {
                    traffic(lines, "c_ap_1", next);
                }
                try (FrameSealer sealer = ap.sealer(Role.CLIENT, FrameConfig.defaults())) {
                    ByteBuffer out = ByteBuffer.allocate(sealer.frameLength(2));
                    sealer.seal(ByteBuffer.wrap(new byte[] {0x71, 0x01}), out);
                    add(lines, "first_client_frame(PING)", out.array());
                }
            }
        }
        return lines;
    }

    private static void traffic(List<String> lines, String name, TrafficSecret s) {
        add(lines, name, s.secretBytes());
        add(lines, name + ".key", s.key());
        add(lines, name + ".iv", s.iv());
    }

    private static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }

    private static void add(List<String> lines, String name, byte[] value) {
        lines.add(String.format("%-26s = %s", name, HEX.formatHex(value)));
    }

    @Test
    void documentShowsExactlyTheseValues() throws Exception {
        List<String> lines = example();
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "handshake-worked-example.txt"), lines, StandardCharsets.UTF_8);
        Path doc = Path.of("../docs/PROTOCOL.md");
        String text = Files.readString(doc);
        for (String line : lines) {
            assertTrue(text.contains(line), doc + " is missing or disagrees on:\n" + line
                    + "\n(regenerate from target/handshake-worked-example.txt)");
        }
        assertEquals(KeyExchangeGroup.X25519, SuiteRegistry.standard()
                .require(SuiteRegistry.OCA_X25519_AES_256_GCM_SHA384).group());
    }
}
