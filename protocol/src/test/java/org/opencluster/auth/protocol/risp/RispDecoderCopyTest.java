package org.opencluster.auth.protocol.risp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Who owns a decoded string's bytes: a view of the fed buffer, or (copyStrings, spanning reads) a private copy. */
class RispDecoderCopyTest {
    private static byte[] encode(RispCommand... commands) {
        ByteBuffer b = ByteBuffer.allocate(4096);
        for (RispCommand c : commands) {
            RispEncoder.encode(c, b);
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    @Test
    void copiedStringsSurviveReuseOfTheFedBuffer() {
        byte[] hello = "hello".getBytes();
        byte[] wire = encode(RispCommand.string(0x9104, hello), RispCommand.integer(0x3001, 7),
                RispCommand.string(0x8103, new byte[] {1, 2, 3}));
        List<RispCommand> got = new ArrayList<>();
        byte[] reused = wire.clone();
        RispDecoder.builder().copyStrings(true).build().feed(ByteBuffer.wrap(reused), got::add);
        Arrays.fill(reused, (byte) 0x55); // the transport reuses its buffer for the next read

        assertEquals(3, got.size());
        assertArrayEquals(hello, got.get(0).copyBytes());
        assertEquals(7, got.get(1).number());
        assertArrayEquals(new byte[] {1, 2, 3}, got.get(2).copyBytes());
        assertNotNull(got.get(0).ownedBytes(), "a copied string is the command's own");
        assertNull(got.get(1).ownedBytes(), "an integer has no bytes to own");
    }

    @Test
    void viewedStringsAreNotOfferedForWritingButSpanningOnesAre() {
        byte[] wire = encode(RispCommand.string(0x9104, new byte[100]));
        List<RispCommand> got = new ArrayList<>();
        RispDecoder.framingOnly().feed(ByteBuffer.wrap(wire), got::add);
        assertNull(got.get(0).ownedBytes(), "a view of the caller's buffer must not be written through");

        RispDecoder split = RispDecoder.framingOnly();
        split.feed(ByteBuffer.wrap(wire, 0, 40), got::add);
        split.feed(ByteBuffer.wrap(wire, 40, wire.length - 40), got::add);
        assertEquals(2, got.size());
        ByteBuffer owned = got.get(1).ownedBytes();
        assertNotNull(owned, "a string assembled across reads lives in the decoder's own array");
        assertEquals(100, owned.remaining());
        assertEquals(got.get(0), got.get(1));
    }
}
