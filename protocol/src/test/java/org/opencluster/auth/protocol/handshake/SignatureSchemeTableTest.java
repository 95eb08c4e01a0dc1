package org.opencluster.auth.protocol.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 item 12: the signature-scheme table of docs/PROTOCOL.md section 5.3.4 is the code's registry
 * ({@link SignatureAlgorithm}), row for row, and a signature made exactly as a row describes it (key, hash, and
 * for RSA-PSS the MGF1 hash and salt length) verifies under that row's code. An independent implementation reads
 * only the table.
 */
class SignatureSchemeTableTest {
    private static final byte[] MESSAGE = "oca1 server hello signature, signed as the table says".getBytes();
    private static final Pattern ROW = Pattern.compile(
            "^\\| `0x([0-9a-f]{4})` \\| (\\S+)\\s*\\| ([^|]+?)\\s*\\| ([^|]+?)\\s*\\| (.+)\\|\\s*$");

    /** One documented row: code, TLS name, key column, hash column, encoding column. */
    record Row(int code, String name, String key, String hash, String encoding) {
    }

    private static List<Row> table() throws Exception {
        String doc = Files.readString(Path.of("../docs/PROTOCOL.md"));
        int start = doc.indexOf("**Signature schemes.**");
        assertTrue(start >= 0, "PROTOCOL.md has no signature-scheme table");
        List<Row> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : doc.substring(start).split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                inTable = true;
                rows.add(new Row(Integer.parseInt(m.group(1), 16), m.group(2), m.group(3), m.group(4), m.group(5)));
            } else if (inTable && !line.startsWith("|")) {
                break;
            }
        }
        return rows;
    }

    @Test
    void theTableListsExactlyTheCodesTheCodeDefinesEachOnce() throws Exception {
        List<Row> rows = table();
        Set<SignatureAlgorithm> documented = EnumSet.noneOf(SignatureAlgorithm.class);
        for (Row r : rows) {
            SignatureAlgorithm a = SignatureAlgorithm.fromCode(r.code())
                    .orElseThrow(() -> new AssertionError("documented but unknown to the code: " + r));
            assertTrue(documented.add(a), "documented twice: " + r);
            // The TLS registry name spells the curve and hash the constant names.
            String expectedName = switch (a) {
                case ECDSA_P256_SHA256 -> "ecdsa_secp256r1_sha256";
                case ECDSA_P384_SHA384 -> "ecdsa_secp384r1_sha384";
                case ED25519 -> "ed25519";
                case RSA_PSS_SHA256 -> "rsa_pss_rsae_sha256";
                case RSA_PSS_SHA384 -> "rsa_pss_rsae_sha384";
            };
            assertEquals(expectedName, r.name(), "TLS SignatureScheme name of 0x" + Integer.toHexString(r.code()));
        }
        assertEquals(EnumSet.allOf(SignatureAlgorithm.class), documented, "every scheme of the code is documented");
        assertFalse(SignatureAlgorithm.fromCode(0x0401).isPresent(), "RSA PKCS#1 v1.5 is not used (5.3.4)");
        assertFalse(SignatureAlgorithm.fromCode(0x0603).isPresent(), "ECDSA P-521 is not defined");
    }

    @Test
    void aSignatureMadeAsEachRowDescribesVerifiesUnderItsCodeAndFitsTheDocumentedSize() throws Exception {
        for (Row r : table()) {
            SignatureAlgorithm a = SignatureAlgorithm.fromCode(r.code()).orElseThrow();
            KeyPair key;
            Signature signer;
            if (r.key().startsWith("EC P-")) {
                String curve = switch (r.key()) {
                    case "EC P-256" -> "secp256r1";
                    case "EC P-384" -> "secp384r1";
                    default -> throw new AssertionError("unknown curve " + r.key());
                };
                key = generate("EC", new ECGenParameterSpec(curve), 0);
                signer = Signature.getInstance(r.hash().replace("-", "") + "withECDSA");
                Matcher size = Pattern.compile("(\\d+)-(\\d+) bytes").matcher(r.encoding());
                assertTrue(size.find(), "an ECDSA row gives its DER size range: " + r);
                byte[] sig = sign(signer, key);
                assertTrue(sig.length >= Integer.parseInt(size.group(1))
                        && sig.length <= Integer.parseInt(size.group(2)), r + ": " + sig.length + " bytes");
                assertEquals(0x30, sig[0] & 0xff, "DER SEQUENCE");
                assertTrue(a.verify(key.getPublic(), MESSAGE, sig), r.toString());
            } else if (r.key().equals("Ed25519")) {
                assertEquals("(none)", r.hash(), "pure Ed25519 hashes nothing itself");
                key = generate("Ed25519", null, 0);
                byte[] sig = sign(Signature.getInstance("Ed25519"), key);
                assertTrue(r.encoding().startsWith(sig.length + " bytes"), r + ": " + sig.length);
                assertTrue(a.verify(key.getPublic(), MESSAGE, sig), r.toString());
            } else if (r.key().startsWith("RSA")) {
                Matcher pss = Pattern.compile("MGF1 with (SHA-\\d+), salt length (\\d+), trailer field 1")
                        .matcher(r.encoding());
                assertTrue(pss.find(), "an RSA-PSS row gives MGF1 hash, salt length and trailer: " + r);
                String mgfHash = pss.group(1);
                int salt = Integer.parseInt(pss.group(2));
                assertEquals(r.hash(), mgfHash, "MGF1 uses the message hash: " + r);
                for (String bits : r.key().replace("RSA ", "").split(" or ")) {
                    key = generate("RSA", null, Integer.parseInt(bits));
                    signer = Signature.getInstance("RSASSA-PSS");
                    signer.setParameter(new PSSParameterSpec(r.hash(), "MGF1", new MGF1ParameterSpec(mgfHash), salt, 1));
                    byte[] sig = sign(signer, key);
                    assertEquals(Integer.parseInt(bits) / 8, sig.length, "as many bytes as the modulus: " + r);
                    assertTrue(a.verify(key.getPublic(), MESSAGE, sig), r + " with RSA " + bits);
                    // Another salt length is another scheme: the table's parameters are the only ones accepted.
                    signer.setParameter(new PSSParameterSpec(r.hash(), "MGF1", new MGF1ParameterSpec(mgfHash),
                            salt + 1, 1));
                    assertFalse(a.verify(key.getPublic(), MESSAGE, sign(signer, key)), r + " salt " + (salt + 1));
                }
            } else {
                throw new AssertionError("a key column the test does not know: " + r);
            }
        }
    }

    private static KeyPair generate(String algorithm, ECGenParameterSpec curve, int bits) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
        if (curve != null) {
            g.initialize(curve);
        } else if (bits > 0) {
            g.initialize(bits);
        }
        return g.generateKeyPair();
    }

    private static byte[] sign(Signature signer, KeyPair key) throws Exception {
        signer.initSign(key.getPrivate());
        signer.update(MESSAGE);
        return signer.sign();
    }
}
