package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.cli.OcaCli;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.server.AuthServer;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;

/** From a fresh server to an invited user, only with the CLI: init code, enrol, invite, enrol, log in. */
class CliEnrolmentTest {
    @TempDir
    Path dir;

    @Test
    void bootstrapAndInviteWithTheCli() throws Exception {
        ServerConfig config = ServerConfig.builder().dataDir(dir.resolve("data"))
                .listen(new InetSocketAddress("127.0.0.1", 0)).build();
        try (AuthServer server = AuthServer.start(config, Pkcs11Tokens.builder().build(), Clock.systemUTC(),
                new SecureRandom(), ProofKind.KEY_AGREEMENT)) {
            String at = "127.0.0.1:" + server.address().getPort();
            Path known = dir.resolve("known");
            Path rootPass = Files.writeString(dir.resolve("root-pass"), "root passphrase\n");
            Path bobPass = Files.writeString(dir.resolve("bob-pass"), "bob passphrase\n");
            String[] common = {"-s", at, "--known-servers", known.toString(), "--accept-new"};

            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int rc = OcaCli.run(new PrintWriter(out, true), new PrintWriter(err, true), concat(new String[] {"enrol",
                "-u", "root", "--code", server.issueFirstAdminCode().orElseThrow(), "--passphrase-file", rootPass.toString()},
                common));
            assertEquals(0, rc, err.toString());
            assertTrue(out.toString().contains("enrolled root"), out.toString());

            rc = OcaCli.run(new PrintWriter(out, true), new PrintWriter(err, true), concat(new String[] {"admin",
                "enrolment-code", "bob", "-u", "root", "--passphrase-file", rootPass.toString()}, common));
            assertEquals(0, rc, err.toString());
            Matcher m = Pattern.compile("ENROLMENT_CODE_IS (\\S+)").matcher(out.toString());
            assertTrue(m.find(), out.toString());

            rc = OcaCli.run(new PrintWriter(out, true), new PrintWriter(err, true), concat(new String[] {"enrol",
                "-u", "bob", "--code", m.group(1), "--passphrase-file", bobPass.toString()}, common));
            assertEquals(0, rc, err.toString());
            rc = OcaCli.run(new PrintWriter(out, true), new PrintWriter(err, true), concat(new String[] {"exec",
                "WHOAMI", "-u", "bob", "--passphrase-file", bobPass.toString()}, common));
            assertEquals(0, rc, err.toString());
            assertTrue(out.toString().contains("WHOAMI_IS bob"), out.toString());
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = new String[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
