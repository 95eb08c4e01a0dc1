package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.server.ca.ClusterCa;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;

/**
 * Issue 13 item 4, active probing: LOGIN_CHALLENGE told which accounts have a key that cannot do P-256 key
 * agreement (Ed25519, P-384, X25519 and RSA people; a derive-only service). In version 3 every name, known or not,
 * whatever its key, gets a challenge of one shape (the same fields, each of the same length), over TCP and REST;
 * and every one of those keys still logs in, answering with the proof kind its key can make.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChallengeShapeTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();
    private static final Map<String, KeyType> PEOPLE = Map.of("p256-person", KeyType.EC_P256,
            "p384-person", KeyType.EC_P384, "ed255-person", KeyType.ED25519, "x2551-person", KeyType.X25519,
            "rsa20-person", KeyType.RSA_2048);
    private static final String DERIVE_ONLY = "derive-only1";
    private static final String UNKNOWN = "unknown-name";
    /** A person at credential version 2 (issue 14): the OPRF answer comes from the stored record, not a fake one. */
    private static final String OPAQUE_PERSON = "opaque-person";

    @RegisterExtension
    final Clusters clusters = new Clusters();
    private TestCluster cluster;
    private RestClient rest;
    private final Accounts accounts = new Accounts();

    @BeforeAll
    void start() throws Exception {
        cluster = clusters.in().https().throttle(LoginThrottle.builder().maxAccountFailures(100).build())
                .start();
        for (Map.Entry<String, KeyType> p : PEOPLE.entrySet()) {
            accounts.person(p.getKey(), PASS, p.getValue(), cluster);
        }
        byte[] pkcs8 = SoftwareKeys.generatePkcs8(KeyType.EC_P256, cluster.random);
        try (SoftwareToken t = SoftwareToken.fromPkcs8(DERIVE_ONLY, pkcs8, List.of())) {
            X509Certificate cert = cluster.ca.issueForKeyAgreement(DERIVE_ONLY, ClusterCa.Subject.SERVICE,
                    t.publicKey(), Duration.ofDays(30));
            cluster.store.createAccount(DERIVE_ONLY, Account.Kind.SERVICE, Account.Role.USER,
                    t.publicKey().getEncoded(), cert.getEncoded(), null);
        }
        cluster.personV2(OPAQUE_PERSON, PASS, Account.Role.USER, KeyType.EC_P256);
        rest = cluster.rest();
    }

    private List<String> names() {
        List<String> names = new java.util.ArrayList<>(PEOPLE.keySet());
        names.add(DERIVE_ONLY);
        names.add(OPAQUE_PERSON);
        names.add(UNKNOWN);
        return names;
    }

    @Test
    void everyKindOfAccountAndAnUnknownNameGetOneChallengeShapeOverTcp() throws Exception {
        Map<String, List<String>> shapes = new LinkedHashMap<>();
        for (String name : names()) {
            try (ChallengedLogin c = ChallengedLogin.tcp(cluster.address(), InetAddress.getLoopbackAddress(), name,
                    cluster.pinned())) {
                shapes.put(name, c.challengeShape());
            }
        }
        assertEquals(1, shapes.values().stream().distinct().count(), "LOGIN_CHALLENGE fields and lengths: " + shapes);
    }

    @Test
    void everyKindOfAccountAndAnUnknownNameGetOneChallengeShapeOverRest() throws Exception {
        Map<String, List<String>> shapes = new LinkedHashMap<>();
        for (String name : names()) {
            try (ChallengedLogin c = ChallengedLogin.rest(rest, name, cluster.pinned())) {
                shapes.put(name, c.challengeShape());
            }
        }
        assertEquals(1, shapes.values().stream().distinct().count(), "LOGIN_CHALLENGE fields and lengths: " + shapes);
    }

    @Test
    void everyKeyStillLogsInWithTheProofItCanMake() throws Exception {
        for (String name : PEOPLE.keySet()) {
            try (OcaSession s = OcaSession.login(cluster.address(), name, accounts.cachedKey(), cluster.pinned(),
                    new OcaSession.Options())) {
                List<org.opencluster.auth.protocol.risp.RispCommand> who = s.exec(
                        org.opencluster.auth.protocol.risp.RispCommand.none(
                                org.opencluster.auth.protocol.command.CoreCommands.WHOAMI.id()));
                assertEquals(name, new String(who.get(0).copyBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
    }
}
