package org.opencluster.auth.protocol.pake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
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
 * RFC 9497 vectors from {@code ../shared/vectors/oprf-rfc9497.json} (appendix A.3.1): the suite P256-SHA256 in
 * mode 0x00 (OPRF), both vectors (#0 input 00, #1 input 5a x17), each with batch size 1. Checked: skSm from
 * DeriveKeyPair(seed, keyInfo), BlindedElement, EvaluationElement, Output from Finalize and from Evaluate.
 * Modes 0x01 (VOPRF) and 0x02 (POPRF) and the P-384 suites are not implemented and not run.
 */
class OprfVectorsTest {
    private static final HexFormat HEX = HexFormat.of();

    static JsonNode suite() {
        for (JsonNode s : SharedVectors.load("oprf-rfc9497.json").get("suites")) {
            if (s.get("identifier").asText().equals("P256-SHA256") && s.get("mode").asInt() == 0) {
                return s;
            }
        }
        throw new AssertionError("no P256-SHA256 mode 0 suite in the vectors file");
    }

    static Stream<Arguments> vectors() {
        List<Arguments> out = new ArrayList<>();
        int i = 0;
        for (JsonNode v : suite().get("vectors")) {
            out.add(Arguments.of("P256-SHA256 mode 0 #" + i++, v));
        }
        return out.stream();
    }

    @Test
    void theSuiteHasTwoSingleVectorsAndTheGroupDstIsOurs() {
        JsonNode suite = suite();
        assertEquals(2, suite.get("vectors").size());
        for (JsonNode v : suite.get("vectors")) {
            assertEquals(1, v.get("Batch").asInt());
        }
        assertArrayEquals(bytes(suite.get("groupDST")), Oprf.concat(Oprf.ascii("HashToGroup-"), Oprf.CONTEXT));
    }

    @Test
    void deriveKeyPairMatchesSkSm() throws PakeException {
        JsonNode suite = suite();
        OprfKeyPair pair = Oprf.deriveKeyPair(bytes(suite.get("seed")), bytes(suite.get("keyInfo")));
        assertArrayEquals(bytes(suite.get("skSm")), pair.serializedPrivateKey());
        assertEquals(P256Group.multiplyGenerator(pair.privateKey()), pair.publicKey());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void blindEvaluateFinalizeMatchRfc9497(String name, JsonNode v) throws PakeException {
        BigInteger sk = P256Group.deserializeScalar(bytes(suite().get("skSm")));
        byte[] input = bytes(v.get("Input"));
        BigInteger blind = P256Group.deserializeScalar(bytes(v.get("Blind")));
        BlindedInput blinded = Oprf.blind(input, blind);
        assertArrayEquals(bytes(v.get("BlindedElement")), blinded.serializedBlindedElement(), "BlindedElement");
        ECPoint received = P256Group.deserializeElement(bytes(v.get("BlindedElement")));
        ECPoint evaluated = Oprf.blindEvaluate(sk, received);
        assertArrayEquals(bytes(v.get("EvaluationElement")), P256Group.serializeElement(evaluated), "Evaluation");
        ECPoint evaluatedOnWire = P256Group.deserializeElement(bytes(v.get("EvaluationElement")));
        assertArrayEquals(bytes(v.get("Output")), Oprf.finalize(input, blind, evaluatedOnWire), "Output");
        assertArrayEquals(bytes(v.get("Output")), Oprf.evaluate(sk, input), "Evaluate");
    }

    private static byte[] bytes(JsonNode node) {
        return HEX.parseHex(node.asText());
    }
}
