package org.opencluster.auth.protocol.suite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.opencluster.auth.protocol.suite.SuiteRegistry.OCA_P256_AES_256_GCM_SHA384;
import static org.opencluster.auth.protocol.suite.SuiteRegistry.OCA_P256_CHACHA20_POLY1305_SHA256;
import static org.opencluster.auth.protocol.suite.SuiteRegistry.OCA_X25519_AES_256_GCM_SHA384;
import static org.opencluster.auth.protocol.suite.SuiteRegistry.OCA_X25519_CHACHA20_POLY1305_SHA256;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SuitePolicyTest {
    private final SuiteRegistry registry = SuiteRegistry.standard();

    @Test
    void registryDefinesEveryGroupWithEveryAead() {
        List<CipherSuite> all = registry.all();
        assertEquals(6, all.size());
        for (KeyExchangeGroup g : KeyExchangeGroup.values()) {
            for (AeadAlgorithm a : AeadAlgorithm.values()) {
                assertTrue(all.stream().anyMatch(s -> s.group() == g && s.aead() == a), g + " with " + a);
            }
        }
    }

    @Test
    void registryRefusesDuplicateIdsAndNames() {
        SuiteRegistry.Builder b = SuiteRegistry.builder().define(1, "A", KeyExchangeGroup.X25519,
                AeadAlgorithm.AES_256_GCM, HashAlgorithm.SHA256);
        assertThrows(IllegalArgumentException.class, () -> b.define(1, "B", KeyExchangeGroup.X25519,
                AeadAlgorithm.AES_256_GCM, HashAlgorithm.SHA256));
        assertThrows(IllegalArgumentException.class, () -> b.define(2, "A", KeyExchangeGroup.X25519,
                AeadAlgorithm.AES_256_GCM, HashAlgorithm.SHA256));
    }

    @Test
    void encodingIsVersionCountAndIdsBigEndian() throws Exception {
        SuitePolicy p = SuitePolicy.of(registry, 0x0102030405060708L,
                List.of(OCA_P256_AES_256_GCM_SHA384, OCA_X25519_CHACHA20_POLY1305_SHA256));
        assertArrayEquals(Hex.bytes("0102030405060708 0002 0103 0102"), p.encode());
        assertEquals(p, SuitePolicy.parse(registry, p.encode()));
    }

    @Test
    void everyChangeBumpsTheVersionAndLeavesTheOriginalUntouched() throws Exception {
        SuitePolicy v1 = SuitePolicy.of(registry, 1, List.of(OCA_X25519_AES_256_GCM_SHA384,
                OCA_X25519_CHACHA20_POLY1305_SHA256, OCA_P256_AES_256_GCM_SHA384, OCA_P256_CHACHA20_POLY1305_SHA256));
        assertEquals(1, v1.version());
        SuitePolicy v2 = v1.disable(OCA_X25519_AES_256_GCM_SHA384);
        SuitePolicy v3 = v2.reorder(List.of(OCA_P256_CHACHA20_POLY1305_SHA256, OCA_P256_AES_256_GCM_SHA384,
                OCA_X25519_CHACHA20_POLY1305_SHA256));
        SuitePolicy v4 = v3.enable(OCA_X25519_AES_256_GCM_SHA384, 1);
        assertEquals(List.of(2L, 3L, 4L), List.of(v2.version(), v3.version(), v4.version()));
        assertEquals(4, v1.enabledIds().size());
        assertEquals(List.of(OCA_P256_CHACHA20_POLY1305_SHA256, OCA_X25519_AES_256_GCM_SHA384,
                OCA_P256_AES_256_GCM_SHA384, OCA_X25519_CHACHA20_POLY1305_SHA256), v4.enabledIds());
    }

    @Test
    void operationsRefuseNonsense() throws Exception {
        SuitePolicy v1 = SuitePolicy.initial(registry);
        assertEquals(SuiteError.UNKNOWN_SUITE, assertThrows(SuiteException.class, () -> v1.disable(0x0999)).error());
        assertEquals(SuiteError.DUPLICATE_SUITE, assertThrows(SuiteException.class,
                () -> v1.enable(OCA_X25519_AES_256_GCM_SHA384, 0)).error());
        assertEquals(SuiteError.MALFORMED_POLICY, assertThrows(SuiteException.class,
                () -> v1.reorder(List.of(OCA_X25519_AES_256_GCM_SHA384))).error());
        SuitePolicy single = SuitePolicy.of(registry, 7, List.of(OCA_X25519_AES_256_GCM_SHA384));
        assertEquals(SuiteError.EMPTY_POLICY, assertThrows(SuiteException.class,
                () -> single.disable(OCA_X25519_AES_256_GCM_SHA384)).error());
    }

    @Test
    void parseIsStrict() {
        assertError(SuiteError.MALFORMED_POLICY, "00000000000001");                     // short header
        assertError(SuiteError.EMPTY_POLICY, "0000000000000001 0000");                  // empty list
        assertError(SuiteError.MALFORMED_POLICY, "0000000000000001 0002 0101");         // count says 2, 1 given
        assertError(SuiteError.MALFORMED_POLICY, "0000000000000001 0001 0101 0102");    // trailing bytes
        assertError(SuiteError.UNKNOWN_SUITE, "0000000000000001 0001 0999");            // unknown id
        assertError(SuiteError.DUPLICATE_SUITE, "0000000000000001 0002 0101 0101");     // duplicate
        assertError(SuiteError.MALFORMED_POLICY, "0000000000000000 0001 0101");         // version 0
        assertError(SuiteError.MALFORMED_POLICY, "8000000000000000 0001 0101");         // negative version
        assertError(SuiteError.MALFORMED_POLICY, "0000000000000001 ffff");              // absurd count
    }

    private void assertError(SuiteError expected, String hex) {
        SuiteException e = assertThrows(SuiteException.class, () -> SuitePolicy.parse(registry, Hex.bytes(hex)));
        assertEquals(expected, e.error(), e.getMessage());
    }

    @Test
    void choiceIsTheFirstServerSuiteTheClientSupports() throws Exception {
        SuitePolicy p = SuitePolicy.of(registry, 3, List.of(OCA_P256_AES_256_GCM_SHA384,
                OCA_X25519_CHACHA20_POLY1305_SHA256, OCA_X25519_AES_256_GCM_SHA384));
        assertEquals(OCA_X25519_CHACHA20_POLY1305_SHA256,
                p.choose(Set.of(OCA_X25519_AES_256_GCM_SHA384, OCA_X25519_CHACHA20_POLY1305_SHA256)).orElseThrow().id());
        assertTrue(p.choose(Set.of(OCA_P256_CHACHA20_POLY1305_SHA256)).isEmpty());
    }
}
