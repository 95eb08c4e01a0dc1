package org.opencluster.auth.card.piv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import javax.crypto.KeyAgreement;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.token.piv.PivClient;
import org.opencluster.auth.token.piv.PivAlgorithm;
import org.opencluster.auth.token.piv.PivCardError;
import org.opencluster.auth.token.piv.PivCardException;
import org.opencluster.auth.token.piv.PivSlot;

/** GENERATE ASYMMETRIC KEY PAIR and GENERAL AUTHENTICATE (sign, ECDH), checked against JDK crypto. */
class KeyTest {
    private static SimCard adminCard() throws PivCardException {
        SimCard c = new SimCard().selected();
        c.admin.authenticateManagementKey(PivClient.defaultManagementKey());
        return c;
    }

    private static boolean verifies(ECPublicKey key, byte[] hash, byte[] derSignature) throws Exception {
        Signature v = Signature.getInstance("NONEwithECDSA");
        v.initVerify(key);
        v.update(hash);
        return v.verify(derSignature);
    }

    private static KeyPair peer(PivAlgorithm alg) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(alg.curveName()));
        return g.generateKeyPair();
    }

    /** The APDU fuzz target's key pool ({@link KeySlots#testOnlyKeyOperations}) must never outlive its inputs. */
    @Test
    void generateMakesANewKeyEachTimeWithoutTheFuzzTargetsHook() throws Exception {
        assertEquals(null, KeySlots.testOnlyKeyOperations, "the fuzz target's key hook is set outside the fuzz target");
        SimCard c = adminCard();
        ECPublicKey first = c.admin.generateKey(PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256);
        ECPublicKey second = c.admin.generateKey(PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256);
        assertNotEquals(first.getW(), second.getW());
    }

    /**
     * Keys from the fuzz target's pool are whole keys: they sign (EC through the hook's JDK signer, as the target
     * signs), and each generation replaces the slot's key.
     */
    @ParameterizedTest
    @EnumSource(value = PivAlgorithm.class, names = {"EC_P256", "EC_P384", "RSA_2048"})
    void pooledKeysOfTheFuzzTargetAreWorkingKeys(PivAlgorithm alg) throws Exception {
        SimCard c = adminCard();
        KeySlots.testOnlyKeyOperations = new FuzzingKeyPool();
        try {
            java.security.PublicKey first = c.admin.generate(PivSlot.AUTHENTICATION, alg);
            java.security.PublicKey pub = c.admin.generate(PivSlot.AUTHENTICATION, alg);
            assertNotEquals(first, pub);
            c.admin.verifyPin("123456".toCharArray());
            byte[] message = "hello".getBytes();
            boolean rsa = alg == PivAlgorithm.RSA_2048;
            boolean p384 = alg == PivAlgorithm.EC_P384;
            byte[] sig = c.admin.sign(PivSlot.AUTHENTICATION, alg, rsa ? pkcs1Sha256Block(message)
                    : MessageDigest.getInstance(p384 ? "SHA-384" : "SHA-256").digest(message));
            Signature v = Signature.getInstance(rsa ? "SHA256withRSA" : p384 ? "SHA384withECDSA" : "SHA256withECDSA");
            v.initVerify(pub);
            v.update(message);
            assertTrue(v.verify(sig));
        } finally {
            KeySlots.testOnlyKeyOperations = null;
        }
    }

    @ParameterizedTest
    @EnumSource(value = PivAlgorithm.class, names = {"EC_P256", "EC_P384"})
    void generatedKeySignsHashesThatVerifyWithItsPublicKey(PivAlgorithm alg) throws Exception {
        SimCard c = adminCard();
        ECPublicKey pub = c.admin.generateKey(PivSlot.AUTHENTICATION, alg);
        assertEquals(alg.fieldBytes() * 8, pub.getParams().getCurve().getField().getFieldSize());
        c.admin.verifyPin("123456".toCharArray());
        byte[] hash = MessageDigest.getInstance(alg == PivAlgorithm.EC_P256 ? "SHA-256" : "SHA-384")
                .digest("hello".getBytes());
        byte[] sig = c.admin.sign(PivSlot.AUTHENTICATION, alg, hash);
        assertTrue(verifies(pub, hash, sig));
        hash[0] ^= 1;
        assertFalse(verifies(pub, hash, sig));
    }

    @ParameterizedTest
    @EnumSource(value = PivAlgorithm.class, names = {"EC_P256", "EC_P384"})
    void ecdhMatchesSoftwareKeyAgreement(PivAlgorithm alg) throws Exception {
        SimCard c = adminCard();
        ECPublicKey cardKey = c.admin.generateKey(PivSlot.KEY_MANAGEMENT, alg);
        c.admin.verifyPin("123456".toCharArray());
        KeyPair peer = peer(alg);
        byte[] fromCard = c.admin.deriveSharedSecret(PivSlot.KEY_MANAGEMENT, alg, (ECPublicKey) peer.getPublic());
        KeyAgreement ka = KeyAgreement.getInstance("ECDH");
        ka.init(peer.getPrivate());
        ka.doPhase(cardKey, true);
        assertArrayEquals(ka.generateSecret(), fromCard);
    }

    /** Invalid-curve attack: a peer point of another curve (same a, other b) must not reach the ECDH. */
    @ParameterizedTest
    @EnumSource(value = PivAlgorithm.class, names = {"EC_P256", "EC_P384"})
    void ecdhRefusesPointsOffTheCurveButAcceptsManyValidOnes(PivAlgorithm alg) throws Exception {
        SimCard c = adminCard();
        c.admin.generateKey(PivSlot.KEY_MANAGEMENT, alg);
        c.admin.verifyPin("123456".toCharArray());
        for (int i = 0; i < 20; i++) {
            ECPublicKey valid = (ECPublicKey) peer(alg).getPublic();
            c.admin.deriveSharedSecret(PivSlot.KEY_MANAGEMENT, alg, valid);
            byte[] point = org.opencluster.auth.token.piv.EcPoints.encode(valid, alg.fieldBytes());
            point[point.length - 1 - (i % 5)] ^= (byte) (1 << (i % 8));
            PivCardException e = assertThrows(PivCardException.class, () -> c.admin.deriveSharedSecret(
                    PivSlot.KEY_MANAGEMENT, alg, rawPoint(alg, point)));
            assertEquals(0x6A80, e.statusWord());
        }
    }

    /** A java ECPublicKey object carrying an arbitrary (possibly invalid) point, for sending to the card. */
    private static ECPublicKey rawPoint(PivAlgorithm alg, byte[] point) throws Exception {
        ECPublicKey template = (ECPublicKey) peer(alg).getPublic();
        int n = alg.fieldBytes();
        java.security.spec.ECPoint w = new java.security.spec.ECPoint(
                new java.math.BigInteger(1, Arrays.copyOfRange(point, 1, 1 + n)),
                new java.math.BigInteger(1, Arrays.copyOfRange(point, 1 + n, 1 + 2 * n)));
        return new ECPublicKey() {
            @Override
            public java.security.spec.ECPoint getW() {
                return w;
            }

            @Override
            public java.security.spec.ECParameterSpec getParams() {
                return template.getParams();
            }

            @Override
            public String getAlgorithm() {
                return "EC";
            }

            @Override
            public String getFormat() {
                return null;
            }

            @Override
            public byte[] getEncoded() {
                return null;
            }
        };
    }

    @Test
    void hashesOfOtherLengthsAreFittedToTheFieldLikeEcdsa() throws Exception {
        SimCard c = adminCard();
        ECPublicKey pub = c.admin.generateKey(PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256);
        c.admin.verifyPin("123456".toCharArray());
        byte[] sha1 = MessageDigest.getInstance("SHA-1").digest("x".getBytes());
        byte[] sha512 = MessageDigest.getInstance("SHA-512").digest("x".getBytes());
        assertTrue(verifies(pub, sha1, c.admin.sign(PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256, sha1)));
        // NONEwithECDSA truncates to the leftmost field bytes too.
        assertTrue(verifies(pub, sha512, c.admin.sign(PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256, sha512)));
    }

    @Test
    void pinIsRequiredFor9aAnd9dButNotFor9e() throws Exception {
        SimCard c = adminCard();
        for (PivSlot slot : PivSlot.values()) {
            c.admin.generateKey(slot, PivAlgorithm.EC_P256);
        }
        byte[] hash = new byte[32];
        for (PivSlot slot : new PivSlot[] {PivSlot.AUTHENTICATION, PivSlot.KEY_MANAGEMENT, PivSlot.SIGNATURE}) {
            PivCardException e = assertThrows(PivCardException.class,
                    () -> c.admin.sign(slot, PivAlgorithm.EC_P256, hash));
            assertEquals(PivCardError.SECURITY_STATUS_NOT_SATISFIED, e.error(), slot.name());
        }
        c.admin.sign(PivSlot.CARD_AUTHENTICATION, PivAlgorithm.EC_P256, hash);
    }

    @Test
    void signatureKeyNeedsAVerifyBeforeEachUse() throws Exception {
        SimCard c = adminCard();
        c.admin.generateKey(PivSlot.SIGNATURE, PivAlgorithm.EC_P256);
        c.admin.generateKey(PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256);
        byte[] hash = new byte[32];
        c.admin.verifyPin("123456".toCharArray());
        c.admin.sign(PivSlot.SIGNATURE, PivAlgorithm.EC_P256, hash);
        assertThrows(PivCardException.class, () -> c.admin.sign(PivSlot.SIGNATURE, PivAlgorithm.EC_P256, hash));
        c.admin.sign(PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256, hash);
        c.admin.verifyPin("123456".toCharArray());
        c.admin.sign(PivSlot.SIGNATURE, PivAlgorithm.EC_P256, hash);
    }

    @Test
    void regeneratingReplacesTheKey() throws Exception {
        SimCard c = adminCard();
        ECPublicKey first = c.admin.generateKey(PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256);
        ECPublicKey second = c.admin.generateKey(PivSlot.AUTHENTICATION, PivAlgorithm.EC_P384);
        assertNotEquals(first.getW(), second.getW());
        c.admin.verifyPin("123456".toCharArray());
        byte[] hash = new byte[48];
        Arrays.fill(hash, (byte) 5);
        assertEquals(0x6A86, c.sw("0087119A267C2482008120" + "00".repeat(32)), "the slot now holds a P-384 key");
        assertTrue(verifies(second, hash, c.admin.sign(PivSlot.AUTHENTICATION, PivAlgorithm.EC_P384, hash)));
    }

    @Test
    void generateNeedsManagementKeyAndSupportedAlgorithm() throws Exception {
        SimCard c = new SimCard().selected();
        assertEquals(0x6982, c.sw("004700 9A 05 AC03800111 00".replace(" ", "")));
        c.admin.authenticateManagementKey(PivClient.defaultManagementKey());
        assertEquals(0x6A80, c.sw("0047009A05AC0380010600"), "RSA 1024 is not supported");
        assertEquals(0x6A80, c.sw("0047009A05AC0380010300"), "3DES is not an asymmetric algorithm");
        assertEquals(0x6A80, c.sw("0047009A03AC010000"), "no algorithm");
        assertEquals(0x6A80, c.sw("0047009A08AC06800111800111"), "algorithm twice");
        assertEquals(0x6A86, c.sw("0047009B05AC03800111"), "9B is not an asymmetric slot");
        assertEquals(0x6A86, c.sw("0047019A05AC03800111"));
        byte[] r = c.raw("0047009A0BAC09800111AA0102AB010100");
        assertEquals(0x9000, SimCard.sw(r), "YubiKey PIN/touch policy tags are accepted");
        assertEquals("7F494386410", SimCard.hex(r).substring(0, 11));
    }

    @Test
    void generalAuthenticateRejectsWrongUse() throws Exception {
        SimCard c = adminCard();
        assertEquals(0x6A88, c.sw("0087119A267C2482008120" + "00".repeat(32)), "empty slot");
        c.admin.generateKey(PivSlot.KEY_MANAGEMENT, PivAlgorithm.EC_P256);
        c.admin.verifyPin("123456".toCharArray());
        String point = SimCard.hex(org.opencluster.auth.token.piv.EcPoints.encode((ECPublicKey) peer(PivAlgorithm.EC_P256).getPublic(),
                32));
        assertEquals(0x9000, SimCard.sw(c.raw("0087119D477C4582008541" + point + "00")));
        String offCurve = point.substring(0, 129) + (point.endsWith("0") ? "1" : "0");
        assertEquals(0x6A80, c.sw("0087119D477C4582008541" + offCurve), "point not on the curve");
        String xTooBig = "04" + "FF".repeat(32) + point.substring(66);
        assertEquals(0x6A80, c.sw("0087119D477C4582008541" + xTooBig), "coordinate not below p");
        assertEquals(0x6A80, c.sw("0087119D477C4582008541" + "05" + point.substring(2)), "not uncompressed");
        assertEquals(0x6A80, c.sw("0087119D267C2482008520" + "00".repeat(32)), "point of wrong length");
        assertEquals(0x6A80, c.sw("0087119D257C238120" + "00".repeat(32) + "8200".substring(0, 2)), "no 82 tag");
        assertEquals(0x6A80, c.sw("0087119D287C2682008120" + "00".repeat(32) + "8500"), "sign and derive");
        assertEquals(0x6A80, c.sw("0087119D047C028200"), "neither");
        assertEquals(0x6A80, c.sw("0087119D067C0482008000"), "witness on a key slot");
        assertEquals(0x6A80, c.sw("0087119D047C028201"), "82 must be empty (truncated)");
        assertEquals(0x6A80, c.sw("0087119D057C03820100"), "82 must be empty");
        assertEquals(0x6A80, c.sw("0087119D247C228200810000" + "00".repeat(30)), "empty hash");
        assertEquals(0x6A86, c.sw("0087079D267C2482008120" + "00".repeat(32)), "RSA algorithm id");
        assertEquals(0x6A86, c.sw("0087149D267C2482008120" + "00".repeat(32)), "slot holds P-256");
        assertEquals(0x6A86, c.sw("008711 80 267C2482008120".replace(" ", "") + "00".repeat(32)), "not a slot");
    }

    @Test
    void noInstructionExportsOrImportsKeys() throws Exception {
        SimCard c = adminCard();
        c.admin.generateKey(PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256);
        // YubiKey import (FE), attest (F9), metadata (F7), version (FD), serial (F8).
        for (String ins : new String[] {"FE", "F9", "F7", "FD", "F8", "CA", "B0"}) {
            assertEquals(0x6D00, c.sw("00" + ins + "119A00"), ins);
        }
        // Sanity: the public key is the only key material GENERATE returns (65-byte point, nothing more).
        byte[] r = c.raw("0047009A05AC0380011100");
        assertEquals(2 + 3 + 2 + 65, r.length);
    }

    /**
     * RSA-2048 on card: GENERATE answers {@code 7F49 {81 modulus, 82 exponent}} (long-form lengths), the raw
     * private operation on a host-padded block gives a PKCS#1 v1.5 signature the JDK verifies, and a block that
     * is not exactly 256 bytes or not below the modulus is refused with 6A80.
     */
    @Test
    void rsa2048GeneratesAndDoesTheRawPrivateOperationOnAPaddedBlock() throws Exception {
        SimCard c = adminCard();
        java.security.interfaces.RSAPublicKey pub = (java.security.interfaces.RSAPublicKey) c.admin.generate(
                PivSlot.AUTHENTICATION, PivAlgorithm.RSA_2048);
        assertEquals(2048, pub.getModulus().bitLength());
        assertEquals(java.math.BigInteger.valueOf(65537), pub.getPublicExponent());
        c.admin.verifyPin("123456".toCharArray());
        byte[] message = "hello".getBytes();
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(message);
        byte[] block = pkcs1Sha256Block(message);
        byte[] sig = c.admin.sign(PivSlot.AUTHENTICATION, PivAlgorithm.RSA_2048, block);
        assertEquals(256, sig.length);
        Signature v = Signature.getInstance("SHA256withRSA");
        v.initVerify(pub);
        v.update(message);
        assertTrue(v.verify(sig));

        PivCardException shortBlock = assertThrows(PivCardException.class,
                () -> c.admin.sign(PivSlot.AUTHENTICATION, PivAlgorithm.RSA_2048, new byte[255]));
        assertEquals(0x6A80, shortBlock.statusWord());
        byte[] tooBig = new byte[256];
        Arrays.fill(tooBig, (byte) 0xFF);
        PivCardException aboveModulus = assertThrows(PivCardException.class,
                () -> c.admin.sign(PivSlot.AUTHENTICATION, PivAlgorithm.RSA_2048, tooBig));
        assertEquals(0x6A80, aboveModulus.statusWord());
        // The slot holds RSA now: asking for EC with it is a wrong algorithm reference, ECDH is not RSA's.
        PivCardException wrongAlg = assertThrows(PivCardException.class,
                () -> c.admin.sign(PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256, hash));
        assertEquals(0x6A86, wrongAlg.statusWord());
        ECPublicKey ecPeer = (ECPublicKey) peer(PivAlgorithm.EC_P256).getPublic();
        PivCardException noEcdh = assertThrows(PivCardException.class,
                () -> c.admin.deriveSharedSecret(PivSlot.AUTHENTICATION, PivAlgorithm.RSA_2048, ecPeer));
        assertTrue(noEcdh.statusWord() == 0x6A80 || noEcdh.statusWord() == 0x6A86, Integer.toHexString(
                noEcdh.statusWord()));
    }

    @Test
    void anRsaKeyReplacesAnEcKeyAndTheOtherWayRound() throws Exception {
        SimCard c = adminCard();
        c.admin.generateKey(PivSlot.KEY_MANAGEMENT, PivAlgorithm.EC_P256);
        java.security.PublicKey rsa = c.admin.generate(PivSlot.KEY_MANAGEMENT, PivAlgorithm.RSA_2048);
        assertTrue(rsa instanceof java.security.interfaces.RSAPublicKey);
        c.admin.verifyPin("123456".toCharArray());
        byte[] hash = new byte[32];
        assertEquals(0x6A86, assertThrows(PivCardException.class,
                () -> c.admin.sign(PivSlot.KEY_MANAGEMENT, PivAlgorithm.EC_P256, hash)).statusWord());
        ECPublicKey ec = c.admin.generateKey(PivSlot.KEY_MANAGEMENT, PivAlgorithm.EC_P384);
        assertEquals(384, ec.getParams().getCurve().getField().getFieldSize());
        assertEquals(0x6A86, assertThrows(PivCardException.class,
                () -> c.admin.sign(PivSlot.KEY_MANAGEMENT, PivAlgorithm.RSA_2048, new byte[256])).statusWord());
    }

    /**
     * Keys generated again and again into the same slot always work with their own public key. jCardSim used a
     * wrong private value after re-generating into a key object whose new value has a leading zero byte (about 1
     * EC key in 256, 1 RSA key in 50: measured 7 of 1500 and 6 of 300 before the applet re-set such values); this
     * was the intermittent "signature does not verify" seen in CI. 600 EC keys catch a regression of the EC repair
     * with a probability of 90%, 30 RSA keys one of the RSA repair with 45% (kept short: RSA generation is slow).
     */
    @Test
    void regeneratedKeysAlwaysMatchTheirPublicKey() throws Exception {
        SimCard c = adminCard();
        byte[] hash = MessageDigest.getInstance("SHA-256").digest("regenerated".getBytes());
        for (int i = 0; i < 600; i++) {
            ECPublicKey pub = c.admin.generateKey(PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256);
            c.admin.verifyPin("123456".toCharArray());
            assertTrue(verifies(pub, hash, c.admin.sign(PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256, hash)),
                    "EC key " + i);
        }
        java.math.BigInteger m = java.math.BigInteger.valueOf(0x0123456789L).shiftLeft(1900);
        byte[] block = new byte[256];
        byte[] mb = m.toByteArray();
        System.arraycopy(mb, 0, block, 256 - mb.length, mb.length);
        for (int i = 0; i < 30; i++) {
            java.security.interfaces.RSAPublicKey pub = (java.security.interfaces.RSAPublicKey) c.admin.generate(
                    PivSlot.KEY_MANAGEMENT, PivAlgorithm.RSA_2048);
            c.admin.verifyPin("123456".toCharArray());
            byte[] out = c.admin.sign(PivSlot.KEY_MANAGEMENT, PivAlgorithm.RSA_2048, block);
            assertEquals(m, new java.math.BigInteger(1, out).modPow(pub.getPublicExponent(), pub.getModulus()),
                    "RSA key " + i);
        }
    }

    /** EMSA-PKCS1-v1_5 for SHA-256, built by hand (the card does the raw RSA operation): 00 01 FF.. 00 DigestInfo. */
    private static byte[] pkcs1Sha256Block(byte[] message) throws Exception {
        byte[] digestInfo = java.util.HexFormat.of().parseHex("3031300d060960864801650304020105000420");
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(message);
        byte[] block = new byte[256];
        Arrays.fill(block, (byte) 0xFF);
        block[0] = 0;
        block[1] = 1;
        int t = digestInfo.length + hash.length;
        block[256 - t - 1] = 0;
        System.arraycopy(digestInfo, 0, block, 256 - t, digestInfo.length);
        System.arraycopy(hash, 0, block, 256 - hash.length, hash.length);
        return block;
    }
}
