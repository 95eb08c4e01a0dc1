package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.webauthn.WebAuthnService;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.CommandRefusedException;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.client.login.WebAuthnAuthenticator;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.token.KeyType;

/**
 * Security-key logins (proof kind 4) and registrations over TCP against a real server, with a software FIDO2
 * authenticator standing in for the key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // one server for all tests (each uses its own names): faster
class WebAuthnLoginTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private TestCluster cluster;

    @BeforeAll
    void start() throws Exception {
        cluster = cluster(dir.resolve("data"), LoginThrottle.builder().maxAccountFailures(50).maxSourceFailures(500)
                .build());
    }

    /** No HTTPS listener here (the keys speak over TCP): the page origin the software key writes is configured. */
    private static TestCluster cluster(Path data, LoginThrottle throttle) throws Exception {
        return new TestCluster(org.opencluster.auth.server.config.ServerConfig.builder().dataDir(data)
                .webAuthn("localhost", java.util.Set.of(SoftwareAuthenticator.ORIGIN)).build(), ProofKind.KEY_AGREEMENT,
                throttle, org.opencluster.auth.token.pkcs11.Pkcs11Tokens.builder().build());
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    private OcaSession passphraseLogin(String user, String pass) throws Exception {
        return OcaSession.login(cluster.address(), user, cluster.passphrase(pass.toCharArray()), cluster.pinned(),
                new OcaSession.Options());
    }

    private OcaSession keyLogin(String user, WebAuthnAuthenticator key) throws Exception {
        return OcaSession.loginWithSecurityKey(cluster.address(), user, key, cluster.pinned(),
                new OcaSession.Options());
    }

    private static String whoami(OcaSession s) throws Exception {
        List<RispCommand> r = s.exec(RispCommand.none(CoreCommands.WHOAMI.id()));
        return StandardCharsets.UTF_8.decode(r.get(0).bytes()).toString();
    }

    private SoftwareAuthenticator registered(String user, String pass) throws Exception {
        SoftwareAuthenticator key = new SoftwareAuthenticator(cluster.random);
        try (OcaSession s = passphraseLogin(user, pass)) {
            s.webAuthnRegister(key.create(s.webAuthnRegistrationOptions()));
        }
        return key;
    }

    private static void assertLoginFailed(org.junit.jupiter.api.function.Executable login) {
        LoginException e = assertThrows(LoginException.class, login);
        assertEquals(HandshakeError.LOGIN_FAILED.code(), e.code(), e.getMessage());
    }

    @Test
    void registerThenLogInWithTheKey() throws Exception {
        cluster.person("alice", "alice pass".toCharArray(), Account.Role.USER, KeyType.EC_P256);
        SoftwareAuthenticator key = registered("alice", "alice pass");
        try (OcaSession s = keyLogin("alice", key.login())) {
            assertEquals("alice", whoami(s));
        }
        assertEquals(1, cluster.store.webAuthnCredentials("alice").get(0).signatureCount(),
                "the counter the key reported was stored");
        try (OcaSession s = keyLogin("alice", key.login())) {
            assertEquals("alice", whoami(s), "a second login moves the counter on and works");
        }
    }

    @Test
    void secondKeyWorksAndAKeyCanBeListedAndRemoved() throws Exception {
        cluster.person("bob", "bob pass".toCharArray(), Account.Role.USER, KeyType.EC_P256);
        SoftwareAuthenticator first = registered("bob", "bob pass");
        SoftwareAuthenticator second = registered("bob", "bob pass");
        try (OcaSession s = keyLogin("bob", second.login())) {
            List<OcaSession.SecurityKey> keys = s.webAuthnCredentials();
            assertEquals(2, keys.size());
            assertArrayEquals(first.credentialId, keys.get(0).credentialId());
            String again = s.webAuthnRegistrationOptions();
            IllegalStateException excluded = assertThrows(IllegalStateException.class, () -> first.create(again),
                    "the options exclude keys already registered");
            assertTrue(excluded.getMessage().contains("registered already"));
            s.webAuthnRemove(first.credentialId);
            CommandRefusedException gone = assertThrows(CommandRefusedException.class,
                    () -> s.webAuthnRemove(first.credentialId));
            assertEquals(ErrorCode.NOT_FOUND.code(), gone.code());
        }
        first.ignoresAllowList = true; // no longer offered; answer anyway, so the server is what refuses
        assertLoginFailed(() -> keyLogin("bob", first.login()));
        keyLogin("bob", second.login()).close();
    }

    @Test
    void aKeyThatIsNotRegisteredIsRefused() throws Exception {
        cluster.person("carol", "carol pass".toCharArray(), Account.Role.USER, KeyType.EC_P256);
        registered("carol", "carol pass");
        SoftwareAuthenticator stranger = new SoftwareAuthenticator(cluster.random);
        stranger.ignoresAllowList = true;
        assertLoginFailed(() -> keyLogin("carol", stranger.login()));
    }

    @Test
    void aCapturedAssertionReplayedIntoAnotherSessionIsRefused() throws Exception {
        cluster.person("dave", "dave pass".toCharArray(), Account.Role.USER, KeyType.EC_P256);
        SoftwareAuthenticator key = registered("dave", "dave pass");
        keyLogin("dave", key.login()).close();
        byte[] captured = key.lastAssertion.clone();
        assertLoginFailed(() -> keyLogin("dave", (options, challenge) -> captured));
        keyLogin("dave", key.login()).close();
    }

    @Test
    void aCounterThatGoesBackIsRefusedAndTheKeyFlagged() throws Exception {
        cluster.person("erin", "erin pass".toCharArray(), Account.Role.USER, KeyType.EC_P256);
        SoftwareAuthenticator key = registered("erin", "erin pass");
        key.counter(9);
        keyLogin("erin", key.login()).close();
        key.counter(4); // a clone that has signed less than the original
        assertLoginFailed(() -> keyLogin("erin", key.login()));
        assertTrue(cluster.store.webAuthnCredentials("erin").get(0).flagged());
        key.counter(100);
        key.ignoresAllowList = true; // the server no longer offers it; a clone would answer anyway
        assertLoginFailed(() -> keyLogin("erin", key.login()));
        try (OcaSession s = passphraseLogin("erin", "erin pass")) {
            assertTrue(s.webAuthnCredentials().get(0).label().contains("refused"),
                    "the owner sees why the key stopped working");
        }
    }

    @Test
    void userVerificationIsRequiredForAdminsOnly() throws Exception {
        cluster.person("uvadmin", "root pass".toCharArray(), Account.Role.ADMIN, KeyType.EC_P256);
        cluster.person("user", "user pass".toCharArray(), Account.Role.USER, KeyType.EC_P256);
        SoftwareAuthenticator noPin = new SoftwareAuthenticator(cluster.random);
        noPin.verifiesUser = false;
        try (OcaSession s = passphraseLogin("uvadmin", "root pass")) {
            String options = s.webAuthnRegistrationOptions();
            assertEquals("required", JSON.readTree(options).get("publicKey").get("authenticatorSelection")
                    .get("userVerification").asText());
            CommandRefusedException refused = assertThrows(CommandRefusedException.class,
                    () -> s.webAuthnRegister(noPin.create(options)));
            assertEquals(ErrorCode.BAD_PARAMETER.code(), refused.code());
        }
        SoftwareAuthenticator adminKey = registered("uvadmin", "root pass");
        AtomicReference<byte[]> seen = new AtomicReference<>();
        try (OcaSession s = keyLogin("uvadmin", (o, c) -> {
            seen.set(o);
            return adminKey.login().getAssertion(o, c);
        })) {
            assertEquals("uvadmin", whoami(s));
        }
        // Not announced (it would say who is an admin); enforced at verification, as the next login shows.
        assertEquals("preferred", JSON.readTree(seen.get()).get("userVerification").asText());
        adminKey.verifiesUser = false;
        assertLoginFailed(() -> keyLogin("uvadmin", adminKey.login()));

        SoftwareAuthenticator userKey = new SoftwareAuthenticator(cluster.random);
        userKey.verifiesUser = false;
        try (OcaSession s = passphraseLogin("user", "user pass")) {
            s.webAuthnRegister(userKey.create(s.webAuthnRegistrationOptions()));
        }
        keyLogin("user", userKey.login()).close();
    }

    @Test
    void unknownNamesGetStableDecoyOptionsOfTheUsualShapeThenLoginFailed() throws Exception {
        cluster.person("frank", "frank pass".toCharArray(), Account.Role.USER, KeyType.EC_P256);
        registered("frank", "frank pass");
        cluster.person("keyless", "keyless pass".toCharArray(), Account.Role.USER, KeyType.EC_P256);
        JsonNode real = options("frank");
        JsonNode unknown = options("nobody");
        JsonNode unknownAgain = options("nobody");
        JsonNode keyless = options("keyless");
        for (JsonNode o : List.of(unknown, keyless)) {
            assertEquals(fieldNames(real), fieldNames(o));
            assertEquals(WebAuthnService.ALLOW_CREDENTIALS, o.get("allowCredentials").size());
            assertEquals(real.get("allowCredentials").size(), o.get("allowCredentials").size());
            assertEquals(real.get("allowCredentials").get(0).get("id").asText().length(),
                    o.get("allowCredentials").get(0).get("id").asText().length(), "a decoy id is as long as a key's");
            assertEquals(real.get("userVerification"), o.get("userVerification"));
            assertEquals(real.get("rpId"), o.get("rpId"));
        }
        assertEquals(unknown, unknownAgain, "the decoy for a name is stable, as real options are");
        assertNotEquals(unknown.get("allowCredentials"), keyless.get("allowCredentials"));
        SoftwareAuthenticator any = new SoftwareAuthenticator(cluster.random);
        any.ignoresAllowList = true;
        assertLoginFailed(() -> keyLogin("nobody", any.login()));
        assertLoginFailed(() -> keyLogin("keyless", any.login()));
    }

    /**
     * Issue 13 item 4: the options said who has a security key, how many, and who is an admin. Now every kind of
     * account and an unknown name get options of one shape: the same members, {@link WebAuthnService#ALLOW_CREDENTIALS}
     * ids of one length (real ones among stable decoys), and the same user-verification word.
     */
    @Test
    void securityKeyOptionsHaveOneShapeForEveryKindOfAccount() throws Exception {
        cluster.person("shape-one", "p1".toCharArray(), Account.Role.USER, KeyType.EC_P256);
        registered("shape-one", "p1");
        cluster.person("shape-two", "p2".toCharArray(), Account.Role.USER, KeyType.EC_P256);
        registered("shape-two", "p2");
        registered("shape-two", "p2");
        cluster.person("shape-admn", "p3".toCharArray(), Account.Role.ADMIN, KeyType.EC_P256);
        registered("shape-admn", "p3");
        cluster.person("shape-none", "p4".toCharArray(), Account.Role.USER, KeyType.ED25519);
        Map<String, JsonNode> seen = new java.util.LinkedHashMap<>();
        for (String name : List.of("shape-one", "shape-two", "shape-admn", "shape-none", "shape-unkn")) {
            seen.put(name, options(name));
        }
        assertOneOptionsShape(seen);
        assertEquals(options("shape-two"), seen.get("shape-two"), "stable, as decoys are");
    }

    /**
     * The WEBAUTHN_OPTIONS of every account in {@code seen} (names of one length) have one shape: the same members
     * in order, "preferred" user verification, {@link WebAuthnService#ALLOW_CREDENTIALS} ids of 64 bytes each, and
     * one serialised length.
     */
    static void assertOneOptionsShape(Map<String, JsonNode> seen) {
        for (Map.Entry<String, JsonNode> e : seen.entrySet()) {
            JsonNode o = e.getValue();
            assertEquals(List.of("rpId", "allowCredentials", "userVerification", "timeout"), fieldNames(o), e.getKey());
            assertEquals("preferred", o.get("userVerification").asText(), e.getKey());
            assertEquals(WebAuthnService.ALLOW_CREDENTIALS, o.get("allowCredentials").size(), e.getKey());
            for (JsonNode c : o.get("allowCredentials")) {
                assertEquals(86, c.get("id").asText().length(), e.getKey() + ": every id is 64 bytes");
            }
        }
        assertEquals(1, seen.values().stream().mapToInt(o -> o.toString().length()).distinct().count(),
                "one length for every account: " + seen);
    }

    private JsonNode options(String user) throws Exception {
        AtomicReference<byte[]> seen = new AtomicReference<>();
        assertThrows(LoginException.class, () -> keyLogin(user, (o, c) -> {
            seen.set(o);
            throw new LoginException(-1, "probe only");
        }));
        return JSON.readTree(seen.get());
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void malformedProofsFailTheLoginAndOversizeOnesAreStoppedWithAClearError() throws Exception {
        cluster.person("gina", "gina pass".toCharArray(), Account.Role.USER, KeyType.EC_P256);
        SoftwareAuthenticator key = registered("gina", "gina pass");
        for (String bad : List.of("not json", "{}", "[]", "{\"type\":\"public-key\",\"id\":\"!!\"}",
                "{\"a\":" + "[".repeat(2000) + "]".repeat(2000) + "}")) {
            assertLoginFailed(() -> keyLogin("gina", (o, c) -> bad.getBytes(StandardCharsets.UTF_8)));
        }
        byte[] good = key.get(options("gina").toString().getBytes(StandardCharsets.UTF_8), new byte[32]);
        String padded = new String(good, StandardCharsets.UTF_8).replaceFirst("\\{", "{\"pad\":\""
                + "x".repeat(8000) + "\",");
        LoginException oversize = assertThrows(LoginException.class,
                () -> keyLogin("gina", (o, c) -> padded.getBytes(StandardCharsets.UTF_8)));
        assertTrue(oversize.getMessage().contains("8192"), oversize.getMessage());
        keyLogin("gina", key.login()).close();
    }

    @Test
    void registrationWithAWrongChallengeOrOriginIsRefused() throws Exception {
        cluster.person("hank", "hank pass".toCharArray(), Account.Role.USER, KeyType.EC_P256);
        SoftwareAuthenticator key = new SoftwareAuthenticator(cluster.random);
        try (OcaSession s = passphraseLogin("hank", "hank pass")) {
            String options = s.webAuthnRegistrationOptions();
            CommandRefusedException wrongChallenge = assertThrows(CommandRefusedException.class,
                    () -> s.webAuthnRegister(key.create(options, new byte[32])));
            assertEquals(ErrorCode.BAD_PARAMETER.code(), wrongChallenge.code());
            CommandRefusedException consumed = assertThrows(CommandRefusedException.class,
                    () -> s.webAuthnRegister(key.create(options)), "a registration is tried once");
            assertEquals(ErrorCode.CONFLICT.code(), consumed.code());
            key.origin = "https://phish.example";
            CommandRefusedException wrongOrigin = assertThrows(CommandRefusedException.class,
                    () -> s.webAuthnRegister(key.create(s.webAuthnRegistrationOptions())));
            assertEquals(ErrorCode.BAD_PARAMETER.code(), wrongOrigin.code());
            CommandRefusedException garbage = assertThrows(CommandRefusedException.class, () -> {
                s.webAuthnRegistrationOptions();
                s.webAuthnRegister("{\"id\":");
            });
            assertEquals(ErrorCode.BAD_PARAMETER.code(), garbage.code());
        }
        assertTrue(cluster.store.webAuthnCredentials("hank").isEmpty());
        key.origin = SoftwareAuthenticator.ORIGIN;
        key.ignoresAllowList = true;
        assertLoginFailed(() -> keyLogin("hank", key.login()));
    }

    /** Issue 13 leftover: a refused registration answered "registration refused: java.lang.IllegalArgument...". */
    @Test
    void registrationRefusalsCarryNoJavaExceptionText() throws Exception {
        cluster.person("ivan", "ivan pass".toCharArray(), Account.Role.USER, KeyType.EC_P256);
        SoftwareAuthenticator key = new SoftwareAuthenticator(cluster.random);
        java.util.Set<String> texts = new java.util.HashSet<>();
        try (OcaSession s = passphraseLogin("ivan", "ivan pass")) {
            for (boolean phished : new boolean[] {false, true}) {
                // Wrong challenge from the right origin, then the right challenge from a phishing origin.
                key.origin = phished ? "https://phish.example" : SoftwareAuthenticator.ORIGIN;
                String options = s.webAuthnRegistrationOptions();
                String answer = phished ? key.create(options) : key.create(options, new byte[32]);
                CommandRefusedException e = assertThrows(CommandRefusedException.class,
                        () -> s.webAuthnRegister(answer));
                assertEquals(ErrorCode.BAD_PARAMETER.code(), e.code());
                assertTrue(e.getMessage().contains("registration refused") && !e.getMessage().contains("java.")
                        && !e.getMessage().contains("Exception") && !e.getMessage().contains("phish"), e.getMessage());
                texts.add(e.getMessage());
            }
        }
        assertEquals(1, texts.size(), "one fixed text for the kind: " + texts);
    }

    @Test
    void anEnrolmentCodeCreatesASecurityKeyOnlyPerson() throws Exception {
        cluster.person("admin", "admin pass".toCharArray(), Account.Role.ADMIN, KeyType.EC_P256);
        String code;
        try (OcaSession s = passphraseLogin("admin", "admin pass")) {
            byte[] name = "ivy".getBytes(StandardCharsets.UTF_8);
            byte[] p = new byte[2 + name.length];
            System.arraycopy(name, 0, p, 2, name.length);
            List<RispCommand> r = s.exec(RispCommand.string(
                    org.opencluster.auth.protocol.command.EnrolCommands.ADMIN_ENROLMENT_CODE.id(), p));
            code = StandardCharsets.US_ASCII.decode(r.get(0).bytes()).toString();
        }
        SoftwareAuthenticator key = new SoftwareAuthenticator(cluster.random);
        try (OcaSession e = OcaSession.enrol(cluster.address(), "ivy", code, cluster.pinned(),
                new OcaSession.Options())) {
            e.webAuthnRegister(key.create(e.webAuthnRegistrationOptions()));
            CommandRefusedException again = assertThrows(CommandRefusedException.class,
                    e::webAuthnRegistrationOptions);
            assertEquals(ErrorCode.CONFLICT.code(), again.code(), "the enrolment created the account; log in now");
        }
        assertFalse(cluster.store.findAccount("ivy").orElseThrow().hasPublicKey());
        try (OcaSession s = keyLogin("ivy", key.login())) {
            assertEquals("ivy", whoami(s));
        }
        // No key pair, so no envelope: a passphrase login gets the decoy, which no passphrase opens.
        LoginException noEnvelope = assertThrows(LoginException.class, () -> passphraseLogin("ivy", "anything"));
        assertTrue(noEnvelope.getMessage().contains("WRONG_PASSPHRASE"), noEnvelope.getMessage());
    }

    @Test
    void aRegistrationCodeAddsAKeyToAPassphraseAccountWhichThenLogsInBothWays() throws Exception {
        cluster.person("jane", "jane pass".toCharArray(), Account.Role.USER, KeyType.EC_P256);
        String code;
        try (OcaSession s = passphraseLogin("jane", "jane pass")) {
            code = s.webAuthnRegistrationCode();
        }
        assertThrows(LoginException.class, () -> OcaSession.enrol(cluster.address(), "someone-else", code,
                cluster.pinned(), new OcaSession.Options()), "the code is for jane only");
        SoftwareAuthenticator key = new SoftwareAuthenticator(cluster.random);
        try (OcaSession e = OcaSession.enrol(cluster.address(), "jane", code, cluster.pinned(),
                new OcaSession.Options())) {
            List<RispCommand> enrol = e.exec(RispCommand.string(
                    org.opencluster.auth.protocol.command.EnrolCommands.ENROL_ACCOUNT.id(), new byte[4]));
            assertEquals(ErrorCode.FORBIDDEN.code(), enrol.get(0).number(), "the code adds a key, nothing else");
            e.webAuthnRegister(key.create(e.webAuthnRegistrationOptions()));
        }
        assertThrows(LoginException.class, () -> OcaSession.enrol(cluster.address(), "jane", code, cluster.pinned(),
                new OcaSession.Options()), "the code works once");
        try (OcaSession s = keyLogin("jane", key.login())) {
            assertEquals("jane", whoami(s));
        }
        try (OcaSession s = passphraseLogin("jane", "jane pass")) {
            assertEquals("jane", whoami(s));
        }
    }

    @Test
    void failedSecurityKeyLoginsCountInTheSharedThrottle() throws Exception {
        try (TestCluster strict = cluster(dir.resolve("throttled").resolve("data"),
                LoginThrottle.builder().maxAccountFailures(2).build())) {
            strict.person("kim", "kim pass".toCharArray(), Account.Role.USER, KeyType.EC_P256);
            SoftwareAuthenticator key = new SoftwareAuthenticator(strict.random);
            try (OcaSession s = OcaSession.login(strict.address(), "kim", strict.passphrase("kim pass".toCharArray()),
                    strict.pinned(), new OcaSession.Options())) {
                s.webAuthnRegister(key.create(s.webAuthnRegistrationOptions()));
            }
            SoftwareAuthenticator stranger = new SoftwareAuthenticator(strict.random);
            stranger.ignoresAllowList = true;
            for (int i = 0; i < 2; i++) {
                LoginException e = assertThrows(LoginException.class, () -> OcaSession.loginWithSecurityKey(
                        strict.address(), "kim", stranger.login(), strict.pinned(), new OcaSession.Options()));
                assertEquals(HandshakeError.LOGIN_FAILED.code(), e.code());
            }
            LoginException limited = assertThrows(LoginException.class, () -> OcaSession.loginWithSecurityKey(
                    strict.address(), "kim", key.login(), strict.pinned(), new OcaSession.Options()));
            assertEquals(ErrorCode.RATE_LIMITED.code(), limited.code(), limited.getMessage());
            LoginException passToo = assertThrows(LoginException.class, () -> OcaSession.login(strict.address(),
                    "kim", strict.passphrase("kim pass".toCharArray()), strict.pinned(), new OcaSession.Options()));
            assertEquals(ErrorCode.RATE_LIMITED.code(), passToo.code(), "one throttle for every kind of login");
        }
    }

    @Test
    void theFirstAdminCanEnrolWithAVerifyingSecurityKeyOnly() throws Exception {
        // The cluster has admins already (set up before each test): a first-admin code as init would issue it.
        String bootCode = cluster.server.enrolmentCodes().issue(cluster.store,
                org.opencluster.auth.server.store.EnrolmentCode.BOOTSTRAP_ADMIN, java.util.Optional.empty(),
                Account.Role.ADMIN, org.opencluster.auth.server.store.Account.Kind.PERSON,
                java.time.Instant.now().plus(java.time.Duration.ofHours(1)));
        SoftwareAuthenticator noPin = new SoftwareAuthenticator(cluster.random);
        noPin.verifiesUser = false;
        SoftwareAuthenticator key = new SoftwareAuthenticator(cluster.random);
        try (OcaSession e = OcaSession.enrol(cluster.address(), "root", bootCode, cluster.pinned(),
                new OcaSession.Options())) {
            CommandRefusedException unverified = assertThrows(CommandRefusedException.class,
                    () -> e.webAuthnRegister(noPin.create(e.webAuthnRegistrationOptions())));
            assertEquals(ErrorCode.BAD_PARAMETER.code(), unverified.code(), "an admin's key must verify its user");
            e.webAuthnRegister(key.create(e.webAuthnRegistrationOptions()));
        }
        assertEquals(Account.Role.ADMIN, cluster.store.findAccount("root").orElseThrow().role());
        try (OcaSession s = keyLogin("root", key.login())) {
            List<RispCommand> r = s.exec(RispCommand.none(
                    org.opencluster.auth.protocol.command.AdminCommands.ACCOUNTS_LIST.id()));
            assertEquals(org.opencluster.auth.protocol.command.AdminCommands.ACCOUNT_NAME.id(), r.get(0).id(),
                    "the key-only admin may run admin commands");
        }
    }

    @Test
    void aServiceCodeCannotRegisterASecurityKeyAndADisabledAccountCannotLogInWithOne() throws Exception {
        cluster.person("boss", "boss pass".toCharArray(), Account.Role.ADMIN, KeyType.EC_P256);
        String code;
        try (OcaSession s = passphraseLogin("boss", "boss pass")) {
            byte[] name = "svc".getBytes(StandardCharsets.UTF_8);
            byte[] p = new byte[2 + name.length];
            p[1] = 1; // kind: service
            System.arraycopy(name, 0, p, 2, name.length);
            code = StandardCharsets.US_ASCII.decode(s.exec(RispCommand.string(
                    org.opencluster.auth.protocol.command.EnrolCommands.ADMIN_ENROLMENT_CODE.id(), p)).get(0)
                    .bytes()).toString();
        }
        try (OcaSession e = OcaSession.enrol(cluster.address(), "svc", code, cluster.pinned(),
                new OcaSession.Options())) {
            CommandRefusedException refused = assertThrows(CommandRefusedException.class,
                    e::webAuthnRegistrationOptions);
            assertEquals(ErrorCode.FORBIDDEN.code(), refused.code());
        }
        cluster.person("leo", "leo pass".toCharArray(), Account.Role.USER, KeyType.EC_P256);
        SoftwareAuthenticator key = registered("leo", "leo pass");
        cluster.store.setDisabled("leo", true);
        assertLoginFailed(() -> keyLogin("leo", key.login()));
        cluster.store.setDisabled("leo", false);
        keyLogin("leo", key.login()).close();
    }

    @Test
    void aProofOfExactlyTheLimitIsReadAndRefusedOnItsMerits() throws Exception {
        cluster.person("max", "max pass".toCharArray(), Account.Role.USER, KeyType.EC_P256);
        registered("max", "max pass");
        byte[] limit = new byte[8192];
        java.util.Arrays.fill(limit, (byte) ' ');
        limit[0] = '{';
        limit[limit.length - 1] = '}';
        assertLoginFailed(() -> keyLogin("max", (o, c) -> limit));
    }
}
