package org.opencluster.auth.protocol.suite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.SecureRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class KeyExchangeTest {
    private final SecureRandom random = new SecureRandom();

    @ParameterizedTest
    @EnumSource(KeyExchangeGroup.class)
    void bothSidesDeriveTheSameSecretWithSharesOfTheDeclaredSizes(KeyExchangeGroup group) throws Exception {
        KeyExchange kx = KeyExchanges.forGroup(group);
        assertEquals(group, kx.group());
        try (KeyExchange.EphemeralKeyPair a = kx.generate(random)) {
            assertEquals(group.initiatorShareLength(), a.publicKey().length);
            try (KeyExchange.Response b = kx.respond(a.publicKey(), random)) {
                assertEquals(group.responderShareLength(), b.share().length);
                assertEquals(group.sharedSecretLength(), b.sharedSecret().length);
                assertArrayEquals(b.sharedSecret(), a.agree(b.share()));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"X25519", "P256"})
    void dhGroupsAgreeSymmetrically(KeyExchangeGroup group) throws Exception {
        KeyExchange kx = KeyExchanges.forGroup(group);
        try (KeyExchange.EphemeralKeyPair a = kx.generate(random); KeyExchange.EphemeralKeyPair b = kx.generate(random)) {
            assertArrayEquals(a.agree(b.publicKey()), b.agree(a.publicKey()));
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"X25519", "P256"})
    void decoyKeysAreValidDistinctKeysOfTheGroupThatBothImplementationsAccept(KeyExchangeGroup group)
            throws Exception {
        KeyExchange kx = KeyExchanges.forGroup(group);
        java.util.Set<String> seen = new java.util.HashSet<>();
        int oddY = 0;
        for (int i = 0; i < 200; i++) {
            byte[] decoy = kx.decoyPublicKey(random);
            assertEquals(group.publicKeyLength(), decoy.length);
            kx.validatePublicKey(decoy);
            seen.add(java.util.HexFormat.of().formatHex(decoy));
            oddY += decoy[decoy.length - 1] & 1;
            if (group == KeyExchangeGroup.P256 && i < 20) {
                KeyExchanges.jdkP256().validatePublicKey(decoy); // an independent decoder agrees it is a point
                try (KeyExchange.EphemeralKeyPair pair = kx.generate(random)) {
                    assertEquals(group.sharedSecretLength(), pair.agree(decoy).length);
                }
            }
        }
        assertEquals(200, seen.size());
        if (group == KeyExchangeGroup.P256) {
            // Both points of an x come out: the parity of y is a coin flip (200 flips: 60..140 by a wide margin).
            org.junit.jupiter.api.Assertions.assertTrue(oddY > 60 && oddY < 140, "odd y in " + oddY + " of 200");
        }
    }

    @Test
    void bouncyCastleAndJdkP256Interoperate() throws Exception {
        try (KeyExchange.EphemeralKeyPair bc = KeyExchanges.forGroup(KeyExchangeGroup.P256).generate(random);
             KeyExchange.EphemeralKeyPair jdk = KeyExchanges.jdkP256().generate(random)) {
            assertArrayEquals(bc.agree(jdk.publicKey()), jdk.agree(bc.publicKey()));
        }
    }

    @ParameterizedTest
    @EnumSource(KeyExchangeGroup.class)
    void wrongLengthsAreRefused(KeyExchangeGroup group) {
        KeyExchange kx = KeyExchanges.forGroup(group);
        for (int len : new int[] {0, 1, group.publicKeyLength() - 1, group.publicKeyLength() + 1}) {
            assertEquals(SuiteError.INVALID_PUBLIC_KEY,
                    assertThrows(SuiteException.class, () -> kx.validatePublicKey(new byte[len])).error());
        }
    }

    @Test
    void x25519SmallOrderPointsGiveAnErrorNotAnAllZeroSecret() {
        // u = 0 and u = 1 are the canonical small-order points (orders 4 and 1 after clamping's cofactor clearing);
        // the order-8 point below is from the well-known list of Curve25519 small-order u-coordinates.
        String[] smallOrder = {
            "0000000000000000000000000000000000000000000000000000000000000000",
            "0100000000000000000000000000000000000000000000000000000000000000",
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        };
        try (KeyExchange.EphemeralKeyPair a = KeyExchanges.forGroup(KeyExchangeGroup.X25519).generate(random)) {
            for (String u : smallOrder) {
                SuiteException e = assertThrows(SuiteException.class, () -> a.agree(Hex.bytes(u)));
                assertEquals(SuiteError.KEY_AGREEMENT_FAILED, e.error(), u);
            }
        }
    }

    @Test
    void x25519NonCanonicalEncodingsAreRefused() {
        KeyExchange kx = KeyExchanges.forGroup(KeyExchangeGroup.X25519);
        // p = 2^255 - 19 itself, p + 1, and a value with the top bit set
        for (String u : new String[] {
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "0900000000000000000000000000000000000000000000000000000000000080"}) {
            assertEquals(SuiteError.INVALID_PUBLIC_KEY,
                    assertThrows(SuiteException.class, () -> kx.validatePublicKey(Hex.bytes(u))).error(), u);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"BC", "JDK"})
    void p256RefusesInvalidPoints(P256Impl impl) throws Exception {
        KeyExchange kx = impl.get();
        byte[] good;
        try (KeyExchange.EphemeralKeyPair peer = kx.generate(random)) {
            good = peer.publicKey();
        }
        byte[] offCurve = good.clone();
        offCurve[64] ^= 1;
        byte[] compressed = good.clone();
        compressed[0] = 0x02;
        byte[] identity = new byte[65];                       // all zero: not a valid encoding of anything
        identity[0] = 0x04;
        byte[] unreduced = good.clone();                      // x = p (not reduced)
        System.arraycopy(Hex.bytes("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"), 0,
                unreduced, 1, 32);
        try (KeyExchange.EphemeralKeyPair own = kx.generate(random)) {
            for (byte[] bad : new byte[][] {offCurve, compressed, identity, unreduced}) {
                assertEquals(SuiteError.INVALID_PUBLIC_KEY,
                        assertThrows(SuiteException.class, () -> own.agree(bad)).error());
            }
            own.agree(good);
        }
    }

    enum P256Impl {
        BC, JDK;

        KeyExchange get() {
            return this == BC ? KeyExchanges.forGroup(KeyExchangeGroup.P256) : KeyExchanges.jdkP256();
        }
    }

    @ParameterizedTest
    @EnumSource(KeyExchangeGroup.class)
    void aClosedKeyPairCannotBeUsedAgain(KeyExchangeGroup group) throws Exception {
        KeyExchange kx = KeyExchanges.forGroup(group);
        KeyExchange.EphemeralKeyPair a = kx.generate(random);
        byte[] peer;
        try (KeyExchange.Response b = kx.respond(a.publicKey(), random)) {
            peer = b.share();
        }
        a.close();
        assertThrows(IllegalStateException.class, () -> a.agree(peer));
    }
}
