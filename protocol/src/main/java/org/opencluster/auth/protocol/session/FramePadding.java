package org.opencluster.auth.protocol.session;

import java.util.Locale;
import org.opencluster.auth.protocol.command.CoreCommands;

/**
 * The optional padding policy of application frames (docs/PROTOCOL.md section 6): {@code none}, or {@code block-N}
 * (N a power of two, 16-4096), where the sender ends each data frame with a {@code PADDING} command of zero bytes
 * so that the frame's plaintext is a multiple of N. A receiver drops PADDING (after checking it is all zero), so a
 * peer that pads and one that does not interoperate.
 */
public final class FramePadding {
    /** The smallest and largest block. */
    public static final int MIN_BLOCK = 16;
    public static final int MAX_BLOCK = 4096;
    /** PADDING's id and u16 length prefix. */
    private static final int FIELD_OVERHEAD = 4;

    private FramePadding() {
    }

    /**
     * Parses {@code none} or {@code block-N}; returns the block (0 for none).
     *
     * @throws IllegalArgumentException anything else, naming what is accepted
     */
    public static int parse(String policy) {
        String p = policy.trim().toLowerCase(Locale.ROOT);
        if (p.equals("none")) {
            return 0;
        }
        if (p.startsWith("block-") && p.length() <= 10 && p.substring(6).chars().allMatch(Character::isDigit)
                && p.length() > 6) {
            int n = Integer.parseInt(p.substring(6));
            if (n >= MIN_BLOCK && n <= MAX_BLOCK && Integer.bitCount(n) == 1) {
                return n;
            }
        }
        throw new IllegalArgumentException("frame padding must be none or block-N with N a power of two from "
                + MIN_BLOCK + " to " + MAX_BLOCK + ": " + policy);
    }

    /** The policy's name: {@code none} or {@code block-N}. */
    public static String name(int block) {
        return block == 0 ? "none" : "block-" + block;
    }

    /**
     * The length of the PADDING parameter that makes {@code unpadded} plaintext bytes a multiple of {@code block},
     * or -1 when no PADDING is sent (no policy, or already a multiple). At most block - 1 (when the gap is 1-3 bytes,
     * too short for PADDING's own 4 bytes, the frame grows by one more block).
     */
    public static int paddingLength(int block, int unpadded) {
        if (block == 0 || unpadded % block == 0) {
            return -1;
        }
        int gap = block - unpadded % block;
        return (gap < FIELD_OVERHEAD ? gap + block : gap) - FIELD_OVERHEAD;
    }

    /** The plaintext bytes of a frame of {@code unpadded} command bytes once padded. */
    public static int paddedLength(int block, int unpadded) {
        int p = paddingLength(block, unpadded);
        return p < 0 ? unpadded : unpadded + FIELD_OVERHEAD + p;
    }

    /** Whether {@code id} is the PADDING command. */
    static boolean isPadding(int id) {
        return id == CoreCommands.PADDING.id();
    }
}
