package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.enrol.Enroller;
import org.opencluster.auth.client.enrol.KeyRotation;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.envelope.EnvelopePolicy;
import org.opencluster.auth.token.envelope.KdfParameters;
import org.opencluster.auth.token.envelope.PassphraseEnvelope;

/**
 * Issue 14 item 5: the server, not the client, decides the least Argon2id cost of an envelope it stores. The
 * review found clients choosing 19 MiB / t = 2 (the clients' own floor), which the server stored: a third of the
 * cost per offline guess of the 64 MiB / t = 3 default.
 */
class KdfFloorTest {
    private static final char[] PASS = "a passphrase nobody guesses".toCharArray();
    /** What a client that lowers its own cost sends: the clients' floor, below the server's default floor. */
    private static final KdfParameters WEAK = new KdfParameters(19 * 1024, 2, 1);

    @RegisterExtension
    final Clusters clusters = new Clusters();
    private TestCluster cluster;
    private final PassphraseEnvelope weak = PassphraseEnvelope.builder().kdf(WEAK)
            .policy(EnvelopePolicy.builder().floor(WEAK).build()).build();

    @BeforeEach
    void start() throws Exception {
        cluster = clusters.in().productionKdfFloor().start();
    }

    /** The old code stored this envelope (it checked only the clients' floor): now KDF_TOO_WEAK, no account. */
    @Test
    void weakKdfParametersAreRefused() throws Exception {
        try (OcaSession e = OcaSession.enrol(cluster.address(), "root", cluster.server.issueFirstAdminCode()
                .orElseThrow(), cluster.pinned(), new OcaSession.Options())) {
            IOException refused = assertThrows(IOException.class,
                    () -> Enroller.person(e, "root", PASS, KeyType.EC_P256, weak, new SecureRandom()));
            assertTrue(refused.getMessage().contains("KDF_TOO_WEAK") && refused.getMessage().contains("m=65536"),
                    refused.getMessage());
        }
        assertFalse(cluster.store.findAccount("root").isPresent(), "no account was created");
    }

    /** A passphrase change is held to the same floor, and a refused change leaves the old passphrase working. */
    @Test
    void weakKdfParametersAreRefusedAtAPassphraseChange() throws Exception {
        cluster.person("alice", PASS, Account.Role.USER, KeyType.EC_P256);
        try (OcaSession s = OcaSession.login(cluster.address(), "alice", cluster.passphrase(PASS), cluster.pinned(),
                new OcaSession.Options())) {
            IOException refused = assertThrows(IOException.class, () -> KeyRotation.newPassphrase(s, "alice",
                    "another good passphrase".toCharArray(), KeyType.EC_P256, weak, new SecureRandom()));
            assertTrue(refused.getMessage().contains("KDF_TOO_WEAK"), refused.getMessage());
            assertEquals(List.of(RispCommand.none(CoreCommands.PONG.id())),
                    s.exec(RispCommand.none(CoreCommands.PING.id())), "a refused change ends nothing");
        }
        try (OcaSession s = OcaSession.login(cluster.address(), "alice", cluster.passphrase(PASS), cluster.pinned(),
                new OcaSession.Options())) {
            assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
        }
    }

    /** The default floor is the clients' sealing default: an envelope sealed with the defaults enrols. */
    @Test
    void theDefaultSealingParametersMeetTheDefaultFloor() throws Exception {
        try (OcaSession e = OcaSession.enrol(cluster.address(), "root", cluster.server.issueFirstAdminCode()
                .orElseThrow(), cluster.pinned(), new OcaSession.Options())) {
            Enroller.person(e, "root", PASS, KeyType.EC_P256, PassphraseEnvelope.builder().build(),
                    new SecureRandom());
        }
        assertTrue(cluster.store.findAccount("root").isPresent());
    }
}
