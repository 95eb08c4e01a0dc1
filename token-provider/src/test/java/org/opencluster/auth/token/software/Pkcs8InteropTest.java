package org.opencluster.auth.token.software;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.opencluster.auth.testsupport.RealComponent;
import org.opencluster.auth.token.KeyType;

/**
 * Issue 13 item 12: the private key an envelope holds is PKCS#8 v1 PrivateKeyInfo (docs/PROTOCOL.md section 9),
 * which independent parsers read: OpenSSL's {@code openssl pkey} and pyca/cryptography. Bouncy Castle wrote Ed25519
 * and X25519 keys as RFC 5958 v2, which both refuse; keys written that way before are still read.
 */
class Pkcs8InteropTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void everyKeyWeWriteIsPkcs8Version1(KeyType type) throws Exception {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(SoftwareKeys.generatePkcs8(type, new SecureRandom()));
        assertEquals(0, info.getVersion().intValueExact(), "version 0 (v1): no public key field");
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void opensslReadsEveryKeyWeWrite(KeyType type) throws Exception {
        RealComponent.require(runs("openssl", "version"), "OpenSSL (apt-get install openssl)");
        Path der = write(type);
        assertEquals(0, run("openssl", "pkey", "-inform", "DER", "-in", der.toString(), "-noout"),
                "openssl pkey refused the " + type + " key");
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void pythonCryptographyReadsEveryKeyWeWrite(KeyType type) throws Exception {
        RealComponent.require(runs("python3", "-c", "import cryptography"),
                "python3 with pyca/cryptography (apt-get install python3-cryptography)");
        Path der = write(type);
        assertEquals(0, run("python3", "-c", "import sys\n"
                + "from cryptography.hazmat.primitives.serialization import load_der_private_key\n"
                + "load_der_private_key(open(sys.argv[1], 'rb').read(), None)\n", der.toString()),
                "pyca/cryptography refused the " + type + " key");
    }

    @Test
    void anEd25519KeyWrittenAsVersion2BeforeIsStillRead() throws Exception {
        Ed25519KeyPairGenerator g = new Ed25519KeyPairGenerator();
        g.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        byte[] v2 = PrivateKeyInfoFactory.createPrivateKeyInfo(g.generateKeyPair().getPrivate()).getEncoded("DER");
        assertEquals(1, PrivateKeyInfo.getInstance(v2).getVersion().intValueExact(), "the old encoding is v2");
        try (SoftwareToken t = SoftwareToken.fromPkcs8("old", v2, List.of())) {
            assertEquals(KeyType.ED25519, t.keyType());
        }
    }

    private Path write(KeyType type) throws IOException {
        Path der = dir.resolve(type + ".der");
        Files.write(der, SoftwareKeys.generatePkcs8(type, new SecureRandom()));
        return der;
    }

    private static boolean runs(String... command) {
        try {
            return run(command) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Exit status of {@code command}, bounded to 60 s; its output goes to this test's log. */
    private static int run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within 60 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        System.out.print(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        return p.exitValue();
    }
}
