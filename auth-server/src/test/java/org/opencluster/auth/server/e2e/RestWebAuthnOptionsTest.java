package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.ClientHandshake;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;

/**
 * Issue 13 item 4 over REST: the WEBAUTHN_OPTIONS a security-key login gets in its LOGIN_CHALLENGE have one shape
 * for a person with a security key, an admin with one, a person without one and an unknown name, as over TCP
 * ({@link WebAuthnLoginTest#securityKeyOptionsHaveOneShapeForEveryKindOfAccount}); user verification is enforced
 * at verification, not announced.
 */
class RestWebAuthnOptionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private TestCluster cluster;
    private RestClient rest;

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.https(dir, b -> b.webAuthn("localhost", Set.of(SoftwareAuthenticator.ORIGIN)),
                LoginThrottle.builder().maxAccountFailures(50).maxSourceFailures(500).build());
        rest = new RestClient(cluster.server.httpsAddress().orElseThrow(), cluster.serverCert);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void restSecurityKeyOptionsHaveOneShapeForEveryKindOfAccount() throws Exception {
        withKey("rest-user", Account.Role.USER);
        withKey("rest-admn", Account.Role.ADMIN);
        cluster.person("rest-none", "none pass".toCharArray(), Account.Role.USER, KeyType.EC_P256);
        Map<String, JsonNode> seen = new LinkedHashMap<>();
        for (String name : List.of("rest-user", "rest-admn", "rest-none", "rest-unkn")) {
            seen.put(name, restOptions(name));
        }
        WebAuthnLoginTest.assertOneOptionsShape(seen);
        assertEquals(restOptions("rest-unkn"), seen.get("rest-unkn"), "an unknown name's decoys are stable");
    }

    /**
     * User verification is enforced where the assertion is verified, not announced in the options (which would say
     * who is an admin): an admin's assertion without the UV flag is refused like a wrong one, over REST as over TCP
     * ({@link WebAuthnLoginTest#userVerificationIsRequiredForAdminsOnly}).
     */
    @Test
    void anAdminsAssertionWithoutUserVerificationIsRefusedOverRestThoughTheOptionsOnlyPreferIt() throws Exception {
        SoftwareAuthenticator key = withKey("rest-uvad", Account.Role.ADMIN);
        assertEquals("preferred", restOptions("rest-uvad").get("userVerification").asText());
        RestClient.Session verified = keyLogin("rest-uvad", key);
        assertEquals("rest-uvad", whoami(verified));
        verified.delete();
        key.verifiesUser = false;
        LoginException refused = assertThrows(LoginException.class, () -> keyLogin("rest-uvad", key));
        assertEquals(HandshakeError.LOGIN_FAILED.code(), refused.code(), refused.getMessage());
    }

    /** The same assertion without UV logs a user in: the requirement follows the role, at verification only. */
    @Test
    void aUsersAssertionWithoutUserVerificationLogsInOverRest() throws Exception {
        SoftwareAuthenticator key = withKey("rest-uvus", Account.Role.USER);
        key.verifiesUser = false;
        RestClient.Session s = keyLogin("rest-uvus", key);
        assertEquals("rest-uvus", whoami(s));
        assertEquals(200, s.delete());
    }

    /** A security-key login over REST with {@code key}. */
    private RestClient.Session keyLogin(String name, SoftwareAuthenticator key) throws Exception {
        ClientHandshake hs = new ClientHandshake(name, (u, env) -> {
            throw new IllegalStateException("a security-key login uses no credential");
        }, cluster.pinned(), Set.of(0x0103), SuiteRegistry.standard(), CoreCommands.registry(), new SecureRandom())
                .withSecurityKey(key.login());
        return rest.new Session(hs).login();
    }

    private static String whoami(RestClient.Session s) throws Exception {
        List<RispCommand> reply = s.exec(RispCommand.none(CoreCommands.WHOAMI.id()));
        return StandardCharsets.UTF_8.decode(reply.get(0).bytes()).toString();
    }

    /** A person with a passphrase who registered one security key (over TCP). */
    private SoftwareAuthenticator withKey(String name, Account.Role role) throws Exception {
        char[] pass = (name + " pass").toCharArray();
        cluster.person(name, pass, role, KeyType.EC_P256);
        SoftwareAuthenticator key = new SoftwareAuthenticator(cluster.random);
        try (OcaSession s = OcaSession.login(cluster.address(), name, cluster.passphrase(pass), cluster.pinned(),
                new OcaSession.Options())) {
            s.webAuthnRegister(key.create(s.webAuthnRegistrationOptions()));
        }
        assertEquals(1, cluster.store.webAuthnCredentials(name).size());
        return key;
    }

    /** The options of a security-key login for {@code name} over REST; the probe then gives up. */
    private JsonNode restOptions(String name) throws Exception {
        AtomicReference<byte[]> seen = new AtomicReference<>();
        ClientHandshake hs = new ClientHandshake(name, (u, env) -> {
            throw new IllegalStateException("a security-key login uses no credential");
        }, cluster.pinned(), Set.of(0x0103), SuiteRegistry.standard(), CoreCommands.registry(), new SecureRandom())
                .withSecurityKey((options, challenge) -> {
                    seen.set(options.clone());
                    throw new LoginException(-1, "probe only");
                });
        RestClient.Session session = rest.new Session(hs);
        LoginException probe = assertThrows(LoginException.class, session::login);
        assertEquals("probe only", probe.getMessage());
        return JSON.readTree(seen.get());
    }
}
