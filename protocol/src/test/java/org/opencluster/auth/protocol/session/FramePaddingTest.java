package org.opencluster.auth.protocol.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The frame padding rule of docs/PROTOCOL.md section 6: policies accepted, and the padded lengths it gives. */
class FramePaddingTest {
    @Test
    void policiesAreNoneOrAPowerOfTwoBlockFrom16To4096() {
        assertEquals(0, FramePadding.parse("none"));
        assertEquals(16, FramePadding.parse("block-16"));
        assertEquals(256, FramePadding.parse(" Block-256 "));
        assertEquals(4096, FramePadding.parse("block-4096"));
        for (String bad : new String[] {"", "block-", "block-8", "block-100", "block-8192", "block--16", "block-0256x",
                "256", "block-99999999999"}) {
            assertThrows(IllegalArgumentException.class, () -> FramePadding.parse(bad), bad);
        }
    }

    @Test
    void paddedLengthsAreTheNextMultipleWithRoomForThePaddingCommand() {
        assertEquals(256, FramePadding.paddedLength(256, 1));
        assertEquals(256, FramePadding.paddedLength(256, 252), "4 bytes left: PADDING of length 0");
        assertEquals(512, FramePadding.paddedLength(256, 253), "3 bytes left: too short for PADDING, one more block");
        assertEquals(512, FramePadding.paddedLength(256, 255));
        assertEquals(256, FramePadding.paddedLength(256, 256), "a multiple is sent as it is");
        assertEquals(-1, FramePadding.paddingLength(256, 512));
        assertEquals(255, FramePadding.paddingLength(256, 253), "at most block - 1 bytes");
        assertEquals(37, FramePadding.paddedLength(0, 37), "none");
        for (int block = 16; block <= 4096; block *= 2) {
            for (int u = 1; u < 3 * block; u++) {
                int p = FramePadding.paddedLength(block, u);
                assertEquals(0, p % block);
                assertEquals(true, p >= u && p < u + block + 4 && FramePadding.paddingLength(block, u) < block);
            }
        }
    }
}
