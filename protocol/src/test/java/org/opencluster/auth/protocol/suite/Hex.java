package org.opencluster.auth.protocol.suite;

import java.util.HexFormat;

/** Test helper: hex strings with optional whitespace. */
public final class Hex {
    private Hex() {
    }

    public static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
    }

    public static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
