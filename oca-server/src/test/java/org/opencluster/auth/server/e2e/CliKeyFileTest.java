package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.opencluster.auth.server.e2e.CliRuns.code;
import static org.opencluster.auth.server.e2e.CliRuns.oca;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opencluster.auth.server.e2e.CliRuns.Run;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.client.login.OprfAnswer;
import org.opencluster.auth.client.login.PassphraseCredential;
import org.opencluster.auth.protocol.pake.CredentialRequest;
import org.opencluster.auth.protocol.pake.PendingRequest;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.envelope.PassphraseEnvelope;

/**
 * Issue 14 item 5, the last CLI cell: a person moves from the passphrase envelope to a software key their own
 * client keeps. {@code oca rekey --new-key-file} generates the key here, writes it owner-only, and rotates to it;
 * {@code oca --key-file} logs in with it; the old passphrase and a harvested copy of the old envelope fail at once.
 * A key file its group may read is refused before anything connects, and an existing file is never overwritten.
 * Before, the CLI had neither option (usage error, exit 2).
 */
class CliKeyFileTest {
    private static final char[] BOB_PASS = "bob's first passphrase here".toCharArray();

    @RegisterExtension
    final Clusters clusters = new Clusters();

    @TempDir
    Path dir;

    @Test
    void aPersonRekeysToAKeyFileAndLogsInWithIt() throws Exception {
        TestCluster cluster = clusters.in().productionKdfFloor().start();
        Path rootPass = Files.writeString(dir.resolve("root"), "root passphrase for the cluster\n");
        Path bobPass = Files.writeString(dir.resolve("bob"), new String(BOB_PASS) + "\n");
        List<String> common = List.of("-s", "127.0.0.1:" + cluster.address().getPort(), "--known-servers",
                dir.resolve("known").toString(), "--accept-new");
        assertEquals(0, oca(common, "enrol", "-u", "root", "--code", cluster.server.issueFirstAdminCode()
                .orElseThrow(), "--passphrase-file", rootPass.toString()).rc());
        Run r = oca(common, "enrol", "-u", "bob", "--code", code(oca(common, "admin", "enrolment-code", "bob", "-u",
                "root", "--passphrase-file", rootPass.toString())), "--passphrase-file", bobPass.toString());
        assertEquals(0, r.rc(), r.err());
        byte[] oldEnvelope = cluster.store.findAccount("bob").orElseThrow().envelope().orElseThrow();
        LoginCredential harvested = oldEnvelopeCopy(oldEnvelope);
        login(cluster, harvested).close(); // the copy is a working credential before the rotation

        // An existing file is never overwritten, and nothing is rotated (the passphrase still works below).
        Path existing = Files.writeString(dir.resolve("existing.pem"), "keep me\n");
        r = oca(common, "rekey", "-u", "bob", "--passphrase-file", bobPass.toString(), "--new-key-file",
                existing.toString());
        assertEquals(2, r.rc(), r.err());
        assertTrue(r.err().contains("never overwrites"), r.err());
        assertEquals("keep me\n", Files.readString(existing));

        Path key = dir.resolve("bob.pem");
        r = oca(common, "rekey", "-u", "bob", "--passphrase-file", bobPass.toString(), "--new-key-file",
                key.toString(), "--new-key-type", "ED25519");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("rekeyed bob to the ED25519 key in " + key), r.out());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        String pem = Files.readString(key, StandardCharsets.US_ASCII);
        assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----\n") && pem.endsWith("-----END PRIVATE KEY-----\n"),
                "unencrypted PKCS#8 PEM");
        assertTrue(cluster.store.findAccount("bob").orElseThrow().envelope().isEmpty(), "no envelope any more");

        r = oca(common, "exec", "WHOAMI", "-u", "bob", "--key-file", key.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("WHOAMI_IS bob"), r.out());
        r = oca(common, "exec", "ECHO", "over the encrypted session", "-u", "bob", "--key-file", key.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("over the encrypted session"), r.out());
        assertEquals(3, oca(common, "login", "-u", "bob", "--passphrase-file", bobPass.toString()).rc(),
                "the old passphrase fails");
        assertThrows(LoginException.class, () -> login(cluster, harvested).close(),
                "a copy of the old envelope opens only a key the server no longer accepts");

        // DER works as well as PEM.
        Path der = dir.resolve("bob.der");
        Files.write(der, Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "")));
        Files.setPosixFilePermissions(der, PosixFilePermissions.fromString("rw-------"));
        assertEquals(0, oca(common, "login", "-u", "bob", "--key-file", der.toString()).rc());

        // A key file its group may read is refused before any connection, with the key's bytes nowhere in the line.
        Path open = dir.resolve("bob-open.pem");
        Files.copy(key, open);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r-----"));
        r = oca(common, "login", "-u", "bob", "--key-file", open.toString());
        assertEquals(2, r.rc(), r.err());
        assertTrue(r.err().contains("too open") && r.err().contains("chmod 600"), r.err());
        assertFalse(r.err().contains(pem.split("\n")[1]), r.err());
        r = oca(common, "login", "-u", "bob", "--key-file", key.toString(), "--passphrase-file", bobPass.toString());
        assertEquals(2, r.rc(), "one way to log in: " + r.err());

        // From the key file on to a new one (a key-agreement key): the first key file stops working.
        Path next = dir.resolve("bob-x25519.pem");
        r = oca(common, "rekey", "-u", "bob", "--key-file", key.toString(), "--new-key-file", next.toString(),
                "--new-key-type", "x25519");
        assertEquals(0, r.rc(), r.err());
        assertEquals(0, oca(common, "exec", "WHOAMI", "-u", "bob", "--key-file", next.toString()).rc());
        assertEquals(3, oca(common, "login", "-u", "bob", "--key-file", key.toString()).rc(),
                "the previous key file fails at once");
        byte[] spki = cluster.store.findAccount("bob").orElseThrow().publicKey();
        assertArrayEquals(spki, org.opencluster.auth.token.software.SoftwareToken.fromPkcs8("bob",
                Base64.getMimeDecoder().decode(Files.readString(next).replaceAll("-----[A-Z ]+-----", "")),
                List.of()).publicKey().getEncoded(), "the file holds the account's key");

        // Every other --new-key-type the help offers (P256 is the default), each from the key file before it.
        Path previous = next;
        for (String type : new String[] {"P384", "RSA3072", null}) {
            Path file = dir.resolve("bob-" + type + ".pem");
            List<String> args = new ArrayList<>(List.of("rekey", "-u", "bob", "--key-file", previous.toString(),
                    "--new-key-file", file.toString()));
            if (type != null) {
                args.addAll(List.of("--new-key-type", type));
            }
            r = oca(common, args.toArray(String[]::new));
            assertEquals(0, r.rc(), type + ": " + r.err());
            assertTrue(r.out().contains("to the " + (type == null ? "P256" : type) + " key"), r.out());
            assertEquals(0, oca(common, "exec", "WHOAMI", "-u", "bob", "--key-file", file.toString()).rc(), type);
            assertEquals(3, oca(common, "login", "-u", "bob", "--key-file", previous.toString()).rc(), type);
            previous = file;
        }
    }

    private static OcaSession login(TestCluster cluster, LoginCredential credential) throws Exception {
        return OcaSession.login(cluster.address(), "bob", credential, cluster.pinned(), new OcaSession.Options());
    }

    /** Bob's old passphrase with a copy of his envelope taken before the rotation, whatever the server sends now. */
    private static LoginCredential oldEnvelopeCopy(byte[] oldEnvelope) {
        PassphraseCredential old = new PassphraseCredential(BOB_PASS.clone(), PassphraseEnvelope.builder().build());
        return new LoginCredential() {
            @Override
            public Token unlock(String user, byte[] served) throws TokenException {
                return old.unlock(user, oldEnvelope);
            }

            @Override
            public PendingRequest<CredentialRequest> oprfRequest(SecureRandom random) throws TokenException {
                return old.oprfRequest(random);
            }

            @Override
            public Token unlock(String user, byte[] served, OprfAnswer oprf) throws TokenException {
                return old.unlock(user, oldEnvelope, oprf);
            }
        };
    }
}
