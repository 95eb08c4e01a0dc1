package org.opencluster.auth.token.piv;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Project Wycheproof's ECDSA vector files (test resources, see wycheproof/README.md). The files have a fixed
 * layout (each group's {@code publicKeyDer}, then its tests' {@code tcId}, {@code msg}, {@code sig}, {@code result},
 * in that order), so a scan of those fields in document order is enough, without a JSON library here.
 */
final class WycheproofEcdsa {
    private static final Pattern FIELD = Pattern.compile(
            "\"(publicKeyDer|tcId|msg|sig|result)\"\\s*:\\s*(?:\"([^\"]*)\"|(\\d+))");

    /** One vector. */
    record Vector(int tcId, byte[] publicKeyDer, byte[] msg, byte[] sig, String result) {
    }

    private WycheproofEcdsa() {
    }

    static List<Vector> load(String file) throws IOException {
        String json;
        try (InputStream in = WycheproofEcdsa.class.getResourceAsStream("wycheproof/" + file)) {
            if (in == null) {
                throw new IOException("missing test resource wycheproof/" + file);
            }
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        HexFormat hex = HexFormat.of();
        List<Vector> out = new ArrayList<>();
        byte[] key = null;
        int tcId = -1;
        byte[] msg = null;
        byte[] sig = null;
        Matcher m = FIELD.matcher(json);
        while (m.find()) {
            switch (m.group(1)) {
                case "publicKeyDer": key = hex.parseHex(m.group(2)); break;
                case "tcId": tcId = Integer.parseInt(m.group(3)); break;
                case "msg": msg = hex.parseHex(m.group(2)); break;
                case "sig": sig = hex.parseHex(m.group(2)); break;
                default:
                    out.add(new Vector(tcId, key, msg, sig, m.group(2)));
                    tcId = -1;
                    msg = null;
                    sig = null;
            }
        }
        return out;
    }
}
