package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.enrol.Enroller;
import org.opencluster.auth.client.enrol.KeyRotation;
import org.opencluster.auth.client.login.ServerTrust;
import org.opencluster.auth.protocol.command.AccountLifecycleCommands;
import org.opencluster.auth.protocol.command.AdminCommands;
import org.opencluster.auth.protocol.command.EnrolCommands;
import org.opencluster.auth.protocol.handshake.EnrolmentCodes;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.boot.Bootstrap;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.login.EnrolmentCodeKey;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.store.JdbcAccountStore;
import org.opencluster.auth.server.store.StoredPolicy;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;

/**
 * Issue 15 item 1: an answer means the write is on disk. For every kind of acknowledged write, a server in its own
 * process is killed with SIGKILL the moment the answer arrives, and the write must be in the database afterwards.
 * On the old code (H2 with its default {@code WRITE_DELAY} of 500 ms: commits written later by a background
 * thread) the issued enrolment code, the disable, the enrolled account and the policy change were all lost; the
 * fault-injection run lost 8 of 8 codes and undid 4 of 5 disables.
 */
class AcknowledgedWritesSurviveSigkillTest {
    private static final String ADMIN = "root";
    private static final char[] ADMIN_PASS = "root passphrase".toCharArray();
    private static final String VICTIM = "mallory";
    private static final String ENROLLEE = "newcomer";
    private static final String ROTATOR = "rotator";
    private static final char[] ROTATOR_PASS = "rotator passphrase".toCharArray();
    private static final String DOOMED = "doomed";

    @TempDir
    Path dir;

    /** What a write kind needs: where the server runs, whom to trust, and how to log in as the admin. */
    private record Fixture(TestCluster cluster, ServerTrust trust, ServerConfig config, String enrolmentCode,
            int suiteToDisable) {
        OcaSession admin(InetSocketAddress server) throws Exception {
            return OcaSession.login(server, ADMIN, cluster.passphrase(ADMIN_PASS), trust, new OcaSession.Options());
        }
    }

    /** How to find one acknowledged write in the database after the kill. */
    @FunctionalInterface
    private interface Expectation {
        void holdsIn(JdbcAccountStore store) throws Exception;
    }

    /**
     * One kind of acknowledged write: {@code perform} runs it against the server and calls {@code acknowledged}
     * the moment the server's answer has arrived (which kills the server), then says what must have survived.
     */
    private record AcknowledgedWrite(String name, Write perform) {
    }

    @FunctionalInterface
    private interface Write {
        Expectation perform(Fixture f, InetSocketAddress server, Acknowledged acknowledged) throws Exception;
    }

    @FunctionalInterface
    private interface Acknowledged {
        void now() throws Exception;
    }

    /**
     * Every write the server acknowledges. A new kind of write is one more entry here.
     */
    private static final List<AcknowledgedWrite> WRITES = List.of(
            new AcknowledgedWrite("enrolment code issued", (f, server, ack) -> {
                String code;
                try (OcaSession admin = f.admin(server)) {
                    List<RispCommand> r = admin.exec(RispCommand.string(EnrolCommands.ADMIN_ENROLMENT_CODE.id(),
                            ("\0\0" + "invitee").getBytes(StandardCharsets.UTF_8)));
                    ack.now();
                    assertEquals(EnrolCommands.ENROLMENT_CODE_IS.id(), r.get(0).id(), r.toString());
                    code = StandardCharsets.US_ASCII.decode(r.get(0).bytes()).toString();
                }
                byte[] verifier = EnrolmentCodeKey.fromDecoySecret(Bootstrap.readDecoySecret(f.config()),
                        new SecureRandom()).verifier(EnrolmentCodes.hash(code));
                return store -> assertTrue(store.activeEnrolmentCodes("invitee", Instant.now()).stream()
                        .anyMatch(c -> Arrays.equals(c.verifier(), verifier)), "the issued code is not stored");
            }),
            new AcknowledgedWrite("account disabled", (f, server, ack) -> {
                try (OcaSession admin = f.admin(server)) {
                    List<RispCommand> r = admin.exec(RispCommand.string(AdminCommands.ACCOUNT_DISABLE.id(),
                            VICTIM.getBytes(StandardCharsets.UTF_8)));
                    ack.now();
                    assertEquals(List.of(), errors(r), r.toString());
                }
                return store -> assertTrue(store.findAccount(VICTIM).orElseThrow().disabled(),
                        "the disabled account is enabled again");
            }),
            new AcknowledgedWrite("account enrolled", (f, server, ack) -> {
                try (OcaSession e = OcaSession.enrol(server, ENROLLEE, f.enrolmentCode(), f.trust(),
                        new OcaSession.Options())) {
                    Enroller.person(e, ENROLLEE, "newcomer pass".toCharArray(), KeyType.EC_P256,
                            f.cluster().envelopes(), new SecureRandom());
                    ack.now();
                }
                return store -> {
                    Account a = store.findAccount(ENROLLEE).orElseThrow(() -> new AssertionError(
                            "the account that was answered with its certificate is gone"));
                    assertTrue(a.certificate().isPresent());
                };
            }),
            new AcknowledgedWrite("suite policy changed", (f, server, ack) -> {
                try (OcaSession admin = f.admin(server)) {
                    List<RispCommand> r = admin.exec(RispCommand.integer(AdminCommands.SUITE_DISABLE.id(),
                            f.suiteToDisable()));
                    ack.now();
                    assertEquals(AdminCommands.SUITE_POLICY.id(), r.get(0).id(), r.toString());
                }
                return store -> {
                    StoredPolicy latest = store.latestPolicy().orElseThrow();
                    assertFalse(latest.suiteIds().contains(f.suiteToDisable()),
                            "the suite disabled is enabled again: " + latest);
                };
            }),
            new AcknowledgedWrite("key rotated (passphrase changed)", (f, server, ack) -> {
                byte[] newKey;
                try (OcaSession s = OcaSession.login(server, ROTATOR, f.cluster().passphrase(ROTATOR_PASS),
                        f.trust(), new OcaSession.Options())) {
                    newKey = KeyRotation.newPassphrase(s, ROTATOR, "rotator's new passphrase".toCharArray(),
                            KeyType.EC_P256, f.cluster().envelopes(), new SecureRandom()).getPublicKey().getEncoded();
                    ack.now();
                }
                return store -> assertArrayEquals(newKey, store.findAccount(ROTATOR).orElseThrow().publicKey(),
                        "the account is back on its old key");
            }),
            new AcknowledgedWrite("account deleted", (f, server, ack) -> {
                try (OcaSession admin = f.admin(server)) {
                    List<RispCommand> r = admin.exec(RispCommand.string(
                            AccountLifecycleCommands.ADMIN_ACCOUNT_DELETE.id(), DOOMED.getBytes(StandardCharsets.UTF_8)));
                    ack.now();
                    assertEquals(List.of(), errors(r), r.toString());
                }
                return store -> assertTrue(store.findAccount(DOOMED).isEmpty(), "the deleted account is back");
            }));

    private static List<Long> errors(List<RispCommand> replies) {
        List<Long> out = new ArrayList<>();
        for (RispCommand c : replies) {
            if (c.id() == org.opencluster.auth.protocol.command.CoreCommands.ERROR.id()) {
                out.add(c.number());
            }
        }
        return out;
    }

    @Test
    void everyAcknowledgedWriteSurvivesSigkillOnTheEmbeddedDatabase() throws Exception {
        everyAcknowledgedWriteSurvivesSigkill(Optional.empty(), "sa");
    }

    @Test
    void everyAcknowledgedWriteSurvivesSigkillOnPostgresql() throws Exception {
        try (ThrowawayPostgres db = ThrowawayPostgres.create()) {
            everyAcknowledgedWriteSurvivesSigkill(Optional.of(db.url), db.user);
        }
    }

    private void everyAcknowledgedWriteSurvivesSigkill(Optional<String> dbUrl, String dbUser) throws Exception {
        Path data = dir.resolve("data");
        ServerConfig.Builder b = ServerConfig.builder().dataDir(data);
        dbUrl.ifPresent(u -> b.database(u, dbUser, ""));
        ServerConfig config = b.build();
        Fixture f;
        try (TestCluster cluster = new TestCluster(config, ProofKind.KEY_AGREEMENT, LoginThrottle.builder().build(),
                Pkcs11Tokens.builder().build())) {
            cluster.person(ADMIN, ADMIN_PASS, Account.Role.ADMIN, KeyType.EC_P256);
            cluster.person(VICTIM, "victim pass".toCharArray(), Account.Role.USER, KeyType.EC_P256);
            cluster.person(ROTATOR, ROTATOR_PASS, Account.Role.USER, KeyType.EC_P256);
            cluster.person(DOOMED, "doomed pass".toCharArray(), Account.Role.USER, KeyType.EC_P256);
            String code = EnrolmentCodeKey.fromDecoySecret(Bootstrap.readDecoySecret(config), cluster.random)
                    .issue(cluster.store, "enrol", Optional.of(ENROLLEE), Account.Role.USER, Account.Kind.PERSON,
                            Instant.now().plusSeconds(3600));
            List<Integer> enabled = cluster.policies.current().enabledIds();
            f = new Fixture(cluster, cluster.pinned(), config, code, enabled.get(enabled.size() - 1));
        }
        Path file = dir.resolve("oca-server.properties");
        // The clients here seal with the test KDF parameters (TestCluster.TEST_KDF), below the production floor.
        Files.writeString(file, "data.dir=" + data.toAbsolutePath() + "\nlisten=127.0.0.1:0\n"
                + "envelope.min-memory-kib=" + TestCluster.TEST_KDF.memoryKiB() + "\nenvelope.min-iterations="
                + TestCluster.TEST_KDF.iterations() + "\n"
                + dbUrl.map(u -> "db.url=" + u + "\ndb.user=" + dbUser + "\n").orElse(""));
        for (AcknowledgedWrite write : WRITES) {
            Expectation expected;
            String output;
            try (ServerProcess server = ServerProcess.start(file)) {
                expected = write.perform().perform(f, server.address(), server::kill9);
                output = server.output();
            }
            try (JdbcAccountStore store = Bootstrap.openStore(config)) {
                expected.holdsIn(store);
            } catch (AssertionError e) {
                throw new AssertionError(write.name() + " was acknowledged, then lost to SIGKILL: " + e.getMessage()
                        + "\nserver output:\n" + output, e);
            }
        }
    }
}
