package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.opencluster.auth.server.e2e.CliRuns.code;
import static org.opencluster.auth.server.e2e.CliRuns.oca;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opencluster.auth.server.e2e.CliRuns.Run;

/**
 * Issue 14 item 5 in the CLI, against a server with the production KDF floor (the CLI seals with the defaults):
 * {@code oca passwd} refuses a weak passphrase and says why, then changes it; {@code oca admin reset-account} and
 * {@code delete-account}. Before, none of these subcommands existed.
 */
class CliLifecycleTest {
    @RegisterExtension
    final Clusters clusters = new Clusters();

    @Test
    void passwdResetAndDeleteWithTheCli() throws Exception {
        TestCluster cluster = clusters.in().productionKdfFloor().start();
        Path dir = Files.createTempDirectory("oca-cli-lifecycle");
        Path rootPass = Files.writeString(dir.resolve("root"), "root passphrase for the cluster\n");
        Path bobPass = Files.writeString(dir.resolve("bob"), "bob's first passphrase here\n");
        Path weak = Files.writeString(dir.resolve("weak"), "sunshine1\n");
        Path bobNew = Files.writeString(dir.resolve("bob-new"), "orchard violet quartz lantern\n");
        List<String> common = List.of("-s", "127.0.0.1:" + cluster.address().getPort(), "--known-servers",
                dir.resolve("known").toString(), "--accept-new");

        Run r = oca(common, "enrol", "-u", "root", "--code", cluster.server.issueFirstAdminCode().orElseThrow(),
                "--passphrase-file", rootPass.toString());
        assertEquals(0, r.rc(), r.err());
        r = oca(common, "enrol", "-u", "bob", "--code", code(oca(common, "admin", "enrolment-code", "bob", "-u",
                "root", "--passphrase-file", rootPass.toString())), "--passphrase-file", weak.toString());
        assertEquals(1, r.rc(), "a weak passphrase is refused at enrolment");
        assertTrue(r.err().contains("too easy to guess") && !r.err().contains("sunshine"), r.err());
        r = oca(common, "enrol", "-u", "bob", "--code", code(oca(common, "admin", "enrolment-code", "bob", "-u",
                "root", "--passphrase-file", rootPass.toString())), "--passphrase-file", bobPass.toString());
        assertEquals(0, r.rc(), r.err());

        r = oca(common, "passwd", "-u", "bob", "--passphrase-file", bobPass.toString(), "--new-passphrase-file",
                weak.toString());
        assertEquals(1, r.rc(), r.err());
        assertTrue(r.err().contains("passphrase refused") && !r.err().contains("sunshine"), r.err());
        r = oca(common, "passwd", "-u", "bob", "--passphrase-file", bobPass.toString(), "--new-passphrase-file",
                bobNew.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("passphrase changed for bob"), r.out());
        assertEquals(3, oca(common, "login", "-u", "bob", "--passphrase-file", bobPass.toString()).rc(),
                "the old passphrase fails");
        assertEquals(0, oca(common, "login", "-u", "bob", "--passphrase-file", bobNew.toString()).rc());

        String code = code(oca(common, "admin", "reset-account", "bob", "-u", "root", "--passphrase-file",
                rootPass.toString()));
        assertEquals(3, oca(common, "login", "-u", "bob", "--passphrase-file", bobNew.toString()).rc(),
                "a reset account's passphrase fails at once");
        assertEquals(0, oca(common, "enrol", "-u", "bob", "--code", code, "--passphrase-file", bobPass.toString())
                .rc(), "the reset code enrols the name again");
        r = oca(common, "admin", "delete-account", "bob", "-u", "root", "--passphrase-file", rootPass.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("OK"), r.out());
        assertFalse(cluster.store.findAccount("bob").isPresent());
        r = oca(common, "admin", "delete-account", "root", "-u", "root", "--passphrase-file", rootPass.toString());
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("CONFLICT"), r.err());
    }
}
