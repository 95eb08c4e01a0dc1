package org.opencluster.auth.server.e2e;

import org.opencluster.auth.server.store.Account;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.cli.OcaCli;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.token.KeyType;

/**
 * Issue 17 item 4 against a real server: {@code --json} output of the commands that print data, parsed as JSON
 * (admins scripted with text lines only), and the exit code of each class that needs a server: refused 1, login
 * failed 3, untrusted server 4, each with its line on stderr and no stack trace.
 */
class CliJsonAndExitCodesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private TestCluster cluster;
    private StringWriter out;
    private StringWriter err;

    /** A person and an admin, both with passphrases (the same key type: the suites do not matter here). */
    @BeforeEach
    void start() throws Exception {
        cluster = new TestCluster(dir, ProofKind.KEY_AGREEMENT);
        for (String name : List.of("alice", "root")) {
            cluster.person(name, ("pw-" + name).toCharArray(), name.equals("root") ? Account.Role.ADMIN
                    : Account.Role.USER, KeyType.EC_P256);
        }
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private int oca(String user, String passphrase, boolean acceptNew, String... args) throws Exception {
        out = new StringWriter();
        err = new StringWriter();
        Path pass = Files.writeString(dir.resolve("pass-" + user), passphrase + "\n");
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-s", "127.0.0.1:" + cluster.address().getPort(), "-u", user, "--passphrase-file",
                pass.toString(), "--known-servers", dir.resolve("known_servers").toString()));
        if (acceptNew) {
            all.add("--accept-new");
        }
        return OcaCli.run(new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
    }

    private JsonNode json() throws Exception {
        String text = out.toString();
        assertEquals(1, text.lines().count(), "one JSON line: " + text);
        return JSON.readTree(text);
    }

    private void assertNoStackTrace() {
        assertFalse(err.toString().contains("\tat ") || err.toString().contains("Exception"), err.toString());
    }

    @Test
    void loginSuitesAndAdminListingsPrintJson() throws Exception {
        assertEquals(0, oca("alice", "pw-alice", true, "login", "--json"), err.toString());
        JsonNode login = json();
        assertEquals("alice", login.get("user").asText());
        assertTrue(login.get("suite").asText().startsWith("OCA_"), login.toString());
        assertTrue(login.get("session").asText().matches("[0-9a-f]{8,}"), login.toString());

        assertEquals(0, oca("alice", "pw-alice", false, "suites", "--json"), err.toString());
        JsonNode suites = json();
        assertTrue(suites.get("policy_version").asLong() >= 1, suites.toString());
        int negotiated = 0;
        for (JsonNode s : suites.get("suites")) {
            assertTrue(s.get("id").asText().startsWith("0x") && s.get("name").asText().startsWith("OCA_"));
            negotiated += s.get("negotiated").asBoolean() ? 1 : 0;
        }
        assertEquals(1, negotiated, suites.toString());

        assertEquals(0, oca("root", "pw-root", false, "admin", "accounts", "--json"), err.toString());
        List<String> names = new ArrayList<>();
        for (JsonNode r : json().get("replies")) {
            if (r.get("command").asText().equals("ACCOUNT_NAME")) {
                names.add(r.get("value").asText());
            }
        }
        assertTrue(names.contains("alice") && names.contains("root"), names.toString());

        assertEquals(0, oca("root", "pw-root", false, "admin", "sessions", "--json"), err.toString());
        JsonNode sessions = json();
        List<String> users = new ArrayList<>();
        for (JsonNode r : sessions.get("replies")) {
            if (r.get("command").asText().equals("SESSION_USER")) {
                users.add(r.get("value").asText());
            }
        }
        assertTrue(users.contains("root"), sessions.toString());
        assertEquals(0, sessions.get("errors").size());
    }

    @Test
    void aRefusedCommandExitsOneWithTheErrorInJsonToo() throws Exception {
        assertEquals(0, oca("alice", "pw-alice", true, "login"), err.toString());
        assertEquals(1, oca("alice", "pw-alice", false, "admin", "accounts", "--json"));
        JsonNode refused = json().get("errors").get(0);
        assertTrue(refused.get("code").asText().startsWith("0x"), refused.toString());
        assertTrue(err.toString().startsWith("error "), err.toString());
        assertNoStackTrace();
    }

    @Test
    void aWrongPassphraseExitsThree() throws Exception {
        assertEquals(0, oca("alice", "pw-alice", true, "login"), err.toString());
        assertEquals(3, oca("alice", "not-her-passphrase", false, "login"));
        assertTrue(err.toString().startsWith("login failed: "), err.toString());
        assertNoStackTrace();
    }

    @Test
    void anUnpinnedServerWithoutATerminalToAskExitsFour() throws Exception {
        assertEquals(4, oca("alice", "pw-alice", false, "login"));
        assertTrue(err.toString().contains("First contact") && err.toString().contains("login failed: "),
                err.toString());
        assertNoStackTrace();
    }
}
