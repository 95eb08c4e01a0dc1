package org.opencluster.auth.protocol.pake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.opencluster.auth.testsupport.SharedVectors;

/**
 * RFC 9380 vectors from {@code ../shared/vectors/hash-to-curve-p256.json}: the 5 vectors of
 * {@code P256_XMD:SHA-256_SSWU_RO_} (appendix J.1.1; u0, u1, Q0, Q1 and P each checked) and the 20 vectors of
 * {@code expand_message_xmd} with SHA-256 (appendix K.1: 10 with the short DST, 10 with the 256-byte DST that takes
 * the oversize rule). Each parameterized case is named by its set and index.
 */
class HashToCurveVectorsTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final String SUITE = "P256_XMD:SHA-256_SSWU_RO_";

    static JsonNode vectors() {
        return SharedVectors.load("hash-to-curve-p256.json");
    }

    static Stream<Arguments> hashToCurve() {
        JsonNode suite = vectors().get(SUITE);
        List<Arguments> out = new ArrayList<>();
        int i = 0;
        for (JsonNode v : suite.get("vectors")) {
            out.add(Arguments.of(SUITE + " #" + i++, suite.get("dst").asText(), v));
        }
        return out.stream();
    }

    static Stream<Arguments> expandMessage() {
        List<Arguments> out = new ArrayList<>();
        for (String set : List.of("expand_message_xmd_SHA256_38", "expand_message_xmd_SHA256_256")) {
            JsonNode group = vectors().get(set);
            int i = 0;
            for (JsonNode t : group.get("tests")) {
                out.add(Arguments.of(set + " #" + i++, group.get("DST").asText(), t));
            }
        }
        return out.stream();
    }

    @Test
    void theFileHoldsEveryVectorThisTestClaims() {
        assertEquals(5, vectors().get(SUITE).get("vectors").size());
        assertEquals(20, expandMessage().count());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hashToCurve")
    void hashToCurveMatchesRfc9380(String name, String dst, JsonNode v) {
        byte[] msg = v.get("msg").asText().getBytes(StandardCharsets.US_ASCII);
        byte[] dstBytes = dst.getBytes(StandardCharsets.US_ASCII);
        int[][] u = HashToCurveP256.hashToField(msg, dstBytes, 2);
        assertEquals(hex(v.get("u").get(0)), HashToCurveP256.toBigInteger(u[0]), "u0");
        assertEquals(hex(v.get("u").get(1)), HashToCurveP256.toBigInteger(u[1]), "u1");
        assertPoint(v.get("Q0"), HashToCurveP256.mapToCurve(u[0]).normalize(), "Q0");
        assertPoint(v.get("Q1"), HashToCurveP256.mapToCurve(u[1]).normalize(), "Q1");
        ECPoint p = HashToCurveP256.hashToCurve(msg, dstBytes);
        assertPoint(v.get("P"), p, "P");
        assertTrue(p.isValid());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("expandMessage")
    void expandMessageXmdMatchesRfc9380(String name, String dst, JsonNode t) {
        byte[] dstBytes = dst.getBytes(StandardCharsets.US_ASCII);
        byte[] msg = t.get("msg").asText().getBytes(StandardCharsets.US_ASCII);
        int length = Integer.decode(t.get("len_in_bytes").asText());
        assertArrayEquals(HEX.parseHex(t.get("DST_prime").asText()), ExpandMessageXmd.dstPrime(dstBytes));
        assertArrayEquals(HEX.parseHex(t.get("uniform_bytes").asText()), ExpandMessageXmd.expand(msg, dstBytes, length));
    }

    private static void assertPoint(JsonNode expected, ECPoint actual, String what) {
        assertEquals(hex(expected.get("x")), actual.getAffineXCoord().toBigInteger(), what + ".x");
        assertEquals(hex(expected.get("y")), actual.getAffineYCoord().toBigInteger(), what + ".y");
    }

    private static BigInteger hex(JsonNode node) {
        return new BigInteger(node.asText().substring(2), 16);
    }
}
