package org.opencluster.auth.protocol.risp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.opencluster.auth.testsupport.RealComponent;
import org.opencluster.auth.testsupport.SharedVectors;

/** Conformance with encodings produced by the reference C library (librisp v4.02), from ../shared/vectors. */
class RispVectorsTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final List<RispCommand> EXPECTED = new ArrayList<>();
    private static final List<byte[]> ENCODED = new ArrayList<>();
    private static byte[] stream;

    static Path vectorsFile() {
        return SharedVectors.file("risp-v4.json");
    }

    @BeforeAll
    static void load() throws IOException {
        Path file = vectorsFile();
        RealComponent.require(Files.isRegularFile(file), "reference vectors at " + file.toAbsolutePath());
        JsonNode vectors = new ObjectMapper().readTree(file.toFile()).get("vectors");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (JsonNode v : vectors) {
            int id = Integer.decode(v.get("command").asText());
            byte[] encoded = HEX.parseHex(v.get("encoded").asText());
            RispCommand command;
            switch (v.get("kind").asText()) {
                case "none":
                    command = RispCommand.none(id);
                    break;
                case "int":
                    command = RispCommand.integer(id, v.get("value").asLong());
                    break;
                case "string":
                    byte[] data = HEX.parseHex(v.get("data").asText());
                    assertEquals(v.get("length").asInt(), data.length, "vector length field");
                    command = RispCommand.string(id, data);
                    break;
                default:
                    throw new AssertionError("unknown kind in vectors: " + v);
            }
            EXPECTED.add(command);
            ENCODED.add(encoded);
            all.writeBytes(encoded);
        }
        stream = all.toByteArray();
        assertTrue(EXPECTED.size() >= 20, "the vector file has the vectors: " + EXPECTED.size());
    }

    @Test
    void everyVectorEncodesToTheReferenceBytes() {
        for (int i = 0; i < EXPECTED.size(); i++) {
            RispCommand c = EXPECTED.get(i);
            assertArrayEquals(ENCODED.get(i), RispEncoder.toBytes(c), "encoding of vector " + i + " " + c);
            assertEquals(ENCODED.get(i).length, RispEncoder.sizeOf(c));
        }
    }

    @Test
    void everyVectorDecodesAlone() {
        for (int i = 0; i < EXPECTED.size(); i++) {
            RispDecoder d = RispDecoder.framingOnly();
            assertEquals(List.of(EXPECTED.get(i)), d.feed(ENCODED.get(i)), "vector " + i);
            d.finish();
        }
    }

    @Test
    void wholeStreamInOneBuffer() {
        assertEquals(EXPECTED, decodeInFragments(stream, null));
    }

    @Test
    void wholeStreamOneByteAtATime() {
        RispDecoder d = RispDecoder.framingOnly();
        List<RispCommand> out = new ArrayList<>();
        for (byte b : stream) {
            d.feed(ByteBuffer.wrap(new byte[] {b}), out::add);
        }
        d.finish();
        assertEquals(EXPECTED, out);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 42, 1234, 99991, 20261125})
    void wholeStreamInRandomFragments(long seed) {
        assertEquals(EXPECTED, decodeInFragments(stream, new Random(seed)));
    }

    @Test
    void signedAndUnsignedIntegersReadBackAsTheReference() {
        // 1/2/4-byte integers are unsigned, the 8-byte width is a signed long (the reference's int64 read-back).
        assertEquals(255, RispDecoder.framingOnly().feed(HEX.parseHex("0002ff")).get(0).number());
        assertEquals(0xdeadbeefL, RispDecoder.framingOnly().feed(HEX.parseHex("2002deadbeef")).get(0).number());
        assertEquals(-1L, RispDecoder.framingOnly().feed(HEX.parseHex("3003ffffffffffffffff")).get(0).number());
    }

    static List<RispCommand> decodeInFragments(byte[] bytes, Random random) {
        RispDecoder d = RispDecoder.framingOnly();
        List<RispCommand> out = new ArrayList<>();
        int pos = 0;
        while (pos < bytes.length) {
            int n = random == null ? bytes.length : 1 + random.nextInt(Math.min(64, bytes.length - pos));
            n = Math.min(n, bytes.length - pos);
            // A fresh array per fragment: the decoder may keep slices of what it was fed.
            byte[] fragment = java.util.Arrays.copyOfRange(bytes, pos, pos + n);
            d.feed(ByteBuffer.wrap(fragment), out::add);
            pos += n;
        }
        d.finish();
        return out;
    }
}
