package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.enrol.Enroller;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.server.AuthServer;
import org.opencluster.auth.server.AuthServerMain;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;

/**
 * Issue 13 item 1: the first admin's code is issued by {@code oca-server init} only and printed once; a running
 * server without an admin issues none (it used to issue a new, never shown, any-name admin code at every start);
 * a newer code ends the older ones, and the first admin's enrolment ends every other.
 */
class FirstAdminCodeTest {
    private static final Pattern CODE = Pattern.compile("\\n {4}([0-9A-Z]{4}(?:-[0-9A-Z]{4}){5})\\n");

    @TempDir
    Path dir;

    /** {@code oca-server init} in-process; its standard output. */
    private static String init(Path data) {
        PrintStream before = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, AuthServerMain.commandLine().execute("init", "--data", data.toString()));
        } finally {
            System.setOut(before);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String printedCode(String initOutput) {
        Matcher m = CODE.matcher(initOutput.replace("\r", ""));
        assertTrue(m.find(), initOutput);
        return m.group(1);
    }

    private AuthServer start(Path data) throws Exception {
        return AuthServer.start(ServerConfig.builder().dataDir(data).listen(new InetSocketAddress("127.0.0.1", 0))
                .envelopeKdfFloor(TestCluster.TEST_KDF).build(), Pkcs11Tokens.builder().build(), Clock.systemUTC(),
                new SecureRandom(), ProofKind.KEY_AGREEMENT);
    }

    @Test
    void aRunningServerWithoutAnAdminIssuesNoCodeAndSaysHowToGetOne() throws Exception {
        Path data = dir.resolve("data");
        for (int start = 0; start < 2; start++) {
            try (AuthServer server = start(data)) {
                assertTrue(org.opencluster.auth.server.ServerInternals.store(server)
                        .activeEnrolmentCodes("root", Instant.now()).isEmpty(),
                        "start " + start + " issued a first-admin code");
                assertTrue(!server.hasAdmin() && AuthServer.FIRST_ADMIN_HOW_TO.contains("oca-server init"));
            }
        }
    }

    @Test
    void onlyTheCodeInitPrintedLastWorksAndTheFirstAdminEndsItsUse() throws Exception {
        Path data = dir.resolve("data");
        String older = printedCode(init(data));
        String newer = printedCode(init(data));
        try (AuthServer server = start(data)) {
            org.opencluster.auth.client.login.ServerTrust trust = TestCluster.pinnedTo(
                    server.serverCertificate().getPublicKey().getEncoded());
            LoginException e = assertThrows(LoginException.class, () -> OcaSession.enrol(server.address(), "eve",
                    older, trust, new OcaSession.Options()).close(), "a code init printed before the last one");
            assertEquals(HandshakeError.LOGIN_FAILED.code(), e.code());
            try (OcaSession s = OcaSession.enrol(server.address(), "root", newer, trust, new OcaSession.Options())) {
                Enroller.person(s, "root", "root pass".toCharArray(), KeyType.EC_P256,
                        org.opencluster.auth.token.envelope.PassphraseEnvelope.builder().kdf(TestCluster.TEST_KDF)
                                .policy(org.opencluster.auth.token.envelope.EnvelopePolicy.builder()
                                        .floor(TestCluster.TEST_KDF).build()).build(), new SecureRandom());
            }
            assertTrue(server.hasAdmin());
        }
        assertTrue(init(data).contains("the cluster has an admin; no enrolment code issued"));
    }
}
