package org.opencluster.auth.protocol.risp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RispEncoderTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void integersMustFitTheirUnsignedWidth() {
        assertThrows(IllegalArgumentException.class, () -> RispCommand.integer(0x0001, 256));
        assertThrows(IllegalArgumentException.class, () -> RispCommand.integer(0x0001, -1));
        assertThrows(IllegalArgumentException.class, () -> RispCommand.integer(0x2001, 1L << 32));
        assertArrayEquals(HEX.parseHex("2001ffffffff"), RispEncoder.toBytes(RispCommand.integer(0x2001, 0xffffffffL)));
        assertArrayEquals(HEX.parseHex("30018000000000000000"),
                RispEncoder.toBytes(RispCommand.integer(0x3001, Long.MIN_VALUE)));
    }

    @Test
    void wideIntegersAreFixedSizeBinaryValues() {
        byte[] nonce = new byte[32];
        nonce[0] = 1;
        nonce[31] = (byte) 0xff;
        byte[] wire = RispEncoder.toBytes(RispCommand.fixed(0x5001, nonce));
        assertEquals(34, wire.length);
        assertEquals("5001", HEX.formatHex(wire, 0, 2));
        assertArrayEquals(nonce, RispDecoder.framingOnly().feed(wire).get(0).copyBytes());
        assertThrows(IllegalArgumentException.class, () -> RispCommand.fixed(0x5001, new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> RispCommand.integer(0x4001, 1));
        assertThrows(IllegalArgumentException.class, () -> RispCommand.fixed(0x3001, new byte[8]));
    }

    @Test
    void stringsMustFitTheirLengthPrefix() {
        assertThrows(IllegalArgumentException.class, () -> RispCommand.string(0x8001, new byte[256]));
        assertEquals(2 + 1 + 255, RispEncoder.toBytes(RispCommand.string(0x8001, new byte[255])).length);
        assertArrayEquals(HEX.parseHex("a00100000003616263"),
                RispEncoder.toBytes(RispCommand.string(0xa001, "abc".getBytes())));
    }

    @Test
    void factoriesCopySoCommandsStayImmutable() {
        byte[] data = "abc".getBytes();
        RispCommand c = RispCommand.string(0x8001, data);
        data[0] = 'x';
        assertEquals('a', c.bytes().get(0));
        assertThrows(java.nio.ReadOnlyBufferException.class, () -> c.bytes().put(0, (byte) 'z'));
    }

    @Test
    void tooSmallBufferOverflowsWithoutWritingAnything() {
        ByteBuffer out = ByteBuffer.allocate(5);
        out.put((byte) 9);
        assertThrows(BufferOverflowException.class, () -> RispEncoder.encode(RispCommand.string(0x8001, new byte[4]), out));
        assertEquals(1, out.position());
        assertThrows(BufferOverflowException.class, () -> RispEncoder.putInteger(out, 0x3001, 5));
        assertEquals(1, out.position());
    }

    @Test
    void kindMismatchesAreProgrammingErrors() {
        assertThrows(IllegalArgumentException.class, () -> RispCommand.none(0x8001));
        assertThrows(IllegalArgumentException.class, () -> RispCommand.string(0x7001, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> RispEncoder.putNone(ByteBuffer.allocate(2), 0x0001));
        assertThrows(IllegalStateException.class, () -> RispCommand.none(0x7001).number());
    }

    @Test
    void toStringNeverShowsParameterBytes() {
        RispCommand secret = RispCommand.string(0x8001, "hunter2".getBytes());
        assertEquals("0x8001[7 bytes]", secret.toString());
    }
}
