package org.opencluster.auth.protocol.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import javax.crypto.KeyAgreement;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.opencluster.auth.protocol.frame.FrameConfig;
import org.opencluster.auth.protocol.frame.FrameSealer;
import org.opencluster.auth.protocol.frame.TrafficSecret;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.Hkdf;
import org.opencluster.auth.protocol.suite.KeyExchangeGroup;
import org.opencluster.auth.protocol.suite.KeyExchanges;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.protocol.suite.X25519TestKeys;
import org.opencluster.auth.protocol.suite.HybridTestKeys;
import org.opencluster.auth.protocol.suite.KeyExchange;

/**
 * The key schedule against known answers computed by an independent implementation: docs/vectors/key_schedule.py
 * (pyca/cryptography, written from docs/PROTOCOL.md alone) wrote docs/vectors/key-schedule.json, which this test
 * reads. Unlike {@link KeyScheduleWorkedExampleTest}, which keeps the document in step with this code, a value
 * here that disagrees means the code (or the script) departs from the specification. Every suite.
 */
class KeyScheduleKnownAnswerTest {
    private static final HexFormat HEX = HexFormat.of();

    static Stream<JsonNode> vectors() throws Exception {
        JsonNode root = new ObjectMapper().readTree(Path.of("../docs/vectors/key-schedule.json").toFile());
        List<JsonNode> all = new java.util.ArrayList<>();
        root.get("vectors").forEach(all::add);
        assertEquals(SuiteRegistry.standard().all().size(), all.size(), "one vector per suite");
        return all.stream();
    }

    @ParameterizedTest(name = "suite {0}")
    @MethodSource("vectors")
    void ourKeyScheduleGivesTheIndependentImplementationsAnswers(JsonNode v) throws Exception {
        CipherSuite suite = SuiteRegistry.standard().require(v.get("suite").asInt());
        JsonNode in = v.get("inputs");
        JsonNode out = v.get("outputs");
        Expect expect = new Expect(out);
        byte[] serverPublic = hex(in, "server_ephemeral_public");
        KeyExchanges.forGroup(suite.group()).validatePublicKey(serverPublic);
        byte[] ecdh;
        if (suite.group() == KeyExchangeGroup.X25519MLKEM768) {
            // pyca encapsulates with fresh randomness only: the vector fixes the server's (initiator's) side
            try (KeyExchange.EphemeralKeyPair server = HybridTestKeys.initiator(hex(in, "server_ephemeral_private"))) {
                assertArrayEquals(serverPublic, server.publicKey(), "ek || X25519 public from the seeds");
                ecdh = server.agree(hex(in, "client_ephemeral_public"));
            }
        } else {
            KeyExchanges.forGroup(suite.group()).validatePublicKey(hex(in, "client_ephemeral_public"));
            ecdh = agree(suite.group(), hex(in, "client_ephemeral_private"), serverPublic);
        }
        expect.same("ecdh_shared", ecdh);
        byte[] t = hex(in, "TH(..SERVER_FINISHED)");
        byte[] z = hex(in, "Z");
        try (KeySchedule ks = new KeySchedule(suite)) {
            expect.same("early_secret", ks.earlySecret());
            expect.same("derived_0", Hkdf.deriveSecret(suite.hash(), ks.earlySecret(), "derived", new byte[0]));
            ks.mixKeyExchange(ecdh);
            expect.same("handshake_secret", ks.handshakeSecret());
            try (TrafficSecrets hs = ks.handshakeTraffic(hex(in, "TH(..CLIENT_CHOICE)"))) {
                expect.traffic("c_hs", hs.clientToServer());
                expect.traffic("s_hs", hs.serverToClient());
                try (FrameSealer c = hs.sealer(Role.CLIENT, FrameConfig.defaults())) {
                    expect.same("frame c_hs seq 0 (LOGIN_REQUEST)", seal(c, hex(in, "login_request_plaintext")));
                }
            }
            expect.same("server_finished", ks.serverFinished(hex(in, "TH(..LOGIN_CHALLENGE)")));
            expect.same("client_finished", ks.clientFinished(hex(in, "TH(..LOGIN_PROOF)")));
            expect.same("derived_1", Hkdf.deriveSecret(suite.hash(), ks.handshakeSecret(), "derived", new byte[0]));
            expect.same("proof_salt", Hkdf.deriveSecret(suite.hash(), ks.handshakeSecret(), "proof salt", t));
            expect.same("webauthn_challenge", ks.webauthnChallenge(t));
            expect.same("ka_proof", ks.keyAgreementProof(z, t));
            byte[] codeHash = EnrolmentCodes.hash(v.get("enrolment_code").asText());
            expect.same("code_hash", codeHash);
            expect.same("enrol_proof", ks.enrolmentProof(codeHash, t));
            byte[] thClientFinished = hex(in, "TH(..CLIENT_FINISHED)");
            try (TrafficSecrets ap = ks.applicationTraffic(thClientFinished)) {
                expect.same("master_secret", ks.masterSecret());
                expect.traffic("c_ap_0", ap.clientToServer());
                expect.traffic("s_ap_0", ap.serverToClient());
                try (TrafficSecret next = ap.clientToServer().next()) {
                    expect.traffic("c_ap_1", next);
                    try (FrameSealer c1 = new FrameSealer(next, FrameConfig.defaults())) {
                        expect.same("frame c_ap_1 seq 0 (PING)", seal(c1, HEX.parseHex("7101")));
                    }
                }
                try (FrameSealer c = ap.sealer(Role.CLIENT, FrameConfig.defaults());
                        FrameSealer s = ap.sealer(Role.SERVER, FrameConfig.defaults())) {
                    expect.same("frame c_ap_0 seq 0 (PING)", seal(c, HEX.parseHex("7101")));
                    expect.same("frame c_ap_0 seq 1 (ECHO hello)", seal(c, HEX.parseHex("9104000568656c6c6f")));
                    ByteBuffer close = ByteBuffer.allocate(c.frameLength(0));
                    c.sealClose(close);
                    expect.same("frame c_ap_0 seq 2 (close)", close.array());
                    expect.same("frame s_ap_0 seq 0 (PONG)", seal(s, HEX.parseHex("7102")));
                }
            }
            expect.same("reauth_0", Hkdf.deriveSecret(suite.hash(), ks.masterSecret(), "reauth", thClientFinished));
            try (ReauthSchedule reauth = ks.reauthSchedule(thClientFinished)) {
                byte[] share = hex(in, "reauth_share");
                byte[] c1 = reauth.context(ProofKind.KEY_AGREEMENT, hex(in, "reauth_nonce"), share);
                expect.same("reauth C_1", c1);
                expect.same("reauth ka proof", reauth.keyAgreementProof(z, c1));
                try (TrafficSecrets fresh = reauth.advance(z, c1)) {
                    expect.same("reauth c_ap'", fresh.clientToServer().secretBytes());
                    expect.same("reauth s_ap'", fresh.serverToClient().secretBytes());
                }
            }
        }
        assertEquals(expect.checked, expect.outputs.size(), "every output of the vector was checked");
    }

    private static byte[] seal(FrameSealer sealer, byte[] plaintext) throws Exception {
        ByteBuffer out = ByteBuffer.allocate(sealer.frameLength(plaintext.length));
        sealer.seal(ByteBuffer.wrap(plaintext), out);
        return out.array();
    }

    /** ECDH with the client's private key: the project's X25519, the JDK's P-256 (x-coordinate, 5.4.2). */
    private static byte[] agree(KeyExchangeGroup group, byte[] privateKey, byte[] peer) throws Exception {
        if (group == KeyExchangeGroup.X25519) {
            return X25519TestKeys.agree(privateKey, peer);
        }
        AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
        p.init(new ECGenParameterSpec("secp256r1"));
        ECParameterSpec spec = p.getParameterSpec(ECParameterSpec.class);
        KeyFactory kf = KeyFactory.getInstance("EC");
        PrivateKey priv = kf.generatePrivate(new ECPrivateKeySpec(new BigInteger(1, privateKey), spec));
        PublicKey pub = kf.generatePublic(new ECPublicKeySpec(new ECPoint(new BigInteger(1, Arrays.copyOfRange(peer,
                1, 33)), new BigInteger(1, Arrays.copyOfRange(peer, 33, 65))), spec));
        KeyAgreement ka = KeyAgreement.getInstance("ECDH");
        ka.init(priv);
        ka.doPhase(pub, true);
        return ka.generateSecret();
    }

    private static byte[] hex(JsonNode node, String field) {
        JsonNode f = node.get(field);
        if (f == null) {
            throw new AssertionError("the vector lacks " + field);
        }
        return HEX.parseHex(f.asText());
    }

    /** Compares with the vector's outputs and counts, so a new output in the JSON cannot go unchecked. */
    private static final class Expect {
        final JsonNode outputs;
        int checked;

        Expect(JsonNode outputs) {
            this.outputs = outputs;
        }

        void same(String name, byte[] actual) {
            assertEquals(HEX.formatHex(hex(outputs, name)), HEX.formatHex(actual), name);
            checked++;
        }

        void traffic(String name, TrafficSecret s) {
            same(name, s.secretBytes());
            same(name + ".key", s.key());
            same(name + ".iv", s.iv());
        }
    }
}
