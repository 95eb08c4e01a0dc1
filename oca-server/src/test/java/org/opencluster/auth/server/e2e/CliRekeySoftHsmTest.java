package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.cli.OcaCli;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.testsupport.SoftHsmTokens;
import org.opencluster.auth.token.pkcs11.Pkcs11Token;

/**
 * Issue 14 item 5 in the CLI against real SoftHSM2: {@code oca rekey --token OLD --new-token NEW} moves a service to
 * a new token (the key generated inside it, certified in the session the old key opened, the certificate written
 * beside it); then {@code oca} logs in with the new token's key and the old one fails (exit 3). Before, the
 * subcommand existed but nothing ran it end to end.
 */
@Tag("softhsm")
class CliRekeySoftHsmTest {
    private static final String PIN = "4321";
    private static final String KEY = "login-key";

    @RegisterExtension
    static final SoftHsmTokens HSM = SoftHsmTokens.withPkcs11Tool((hsm, tokens) -> {
        hsm.initToken("svc-old", SoftHsmTokens.SO_PIN, PIN);
        hsm.initToken("svc-new", SoftHsmTokens.SO_PIN, PIN);
    });

    @RegisterExtension
    final Clusters clusters = new Clusters();

    @TempDir
    Path dir;

    private record Run(int rc, String out, String err) {
    }

    private static Run oca(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = OcaCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
        return new Run(rc, out.toString(), err.toString());
    }

    private static List<String> with(List<String> common, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(common);
        return all;
    }

    @Test
    void aServiceMovesToANewTokenWithTheCliAndTheOldTokenFails() throws Exception {
        TestCluster cluster = clusters.in().start();
        Path pin = Files.writeString(dir.resolve("svc.pin"), PIN + "\n");
        String query = "?module-path=" + HSM.fixture().module() + "&pin-source=file:" + pin;
        String oldToken = "pkcs11:token=svc-old" + query;
        String oldKey = "pkcs11:token=svc-old;object=" + KEY + ";type=private" + query;
        String newToken = "pkcs11:token=svc-new" + query;
        String newKey = "pkcs11:token=svc-new;object=" + KEY + ";type=private" + query;
        cluster.service("backup", Account.Role.USER, HSM.tokens(), oldToken, KEY);
        List<String> common = List.of("-s", "127.0.0.1:" + cluster.address().getPort(), "-u", "backup",
                "--known-servers", dir.resolve("known").toString(), "--accept-new");

        assertEquals(0, oca(with(common, "exec", "WHOAMI", "--token", oldKey)).rc(), "the old key logs in before");
        Run r = oca(with(common, "rekey", "--token", oldKey, "--new-token", newToken));
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("rekeyed backup to the key " + KEY), r.out());

        Account account = cluster.store.findAccount("backup").orElseThrow();
        assertEquals(Account.Kind.SERVICE, account.kind(), "the name and kind stay");
        try (Pkcs11Token onToken = HSM.tokens().open(newKey)) {
            assertArrayEquals(account.publicKey(), onToken.publicKey().getEncoded(), "the new token's key");
            assertTrue(cluster.ca.verify(onToken.certificateChain().get(0)), "its certificate is beside it");
        }
        r = oca(with(common, "exec", "WHOAMI", "--token", newKey));
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("WHOAMI_IS backup"), r.out());
        r = oca(with(common, "login", "--token", oldKey));
        assertEquals(3, r.rc(), "the old token's key fails at once: " + r.err());
    }
}
