package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.enrol.Enroller;
import org.opencluster.auth.protocol.command.EnrolCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.command.ErrorReply;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.envelope.EnvelopePolicy;
import org.opencluster.auth.token.envelope.PassphraseEnvelope;

/**
 * Composite parameters that do not decode reach the server's handlers through the one codec per command and come
 * back as BAD_PARAMETER naming the command and the field, over a real session; nothing is issued or created.
 */
class MalformedParametersTest {
    @RegisterExtension
    final Clusters clusters = new Clusters();

    private final PassphraseEnvelope envelopes = PassphraseEnvelope.builder().kdf(TestCluster.TEST_KDF)
            .policy(EnvelopePolicy.builder().floor(TestCluster.TEST_KDF).build()).build();

    /**
     * The old ENROL_ACCOUNT handler read the fields by hand and the old ADMIN_ENROLMENT_CODE handler checked only
     * {@code length < 3}; the codecs now refuse each of these with the command's name and what is wrong.
     */
    @Test
    void malformedCompositeParametersAreBadParameterAndChangeNothing() throws Exception {
        TestCluster cluster = clusters.in().ecProofKind(ProofKind.KEY_AGREEMENT).start();
        try (OcaSession e = OcaSession.enrol(cluster.server.address(), "root",
                cluster.server.issueFirstAdminCode().orElseThrow(), cluster.pinned(), new OcaSession.Options())) {
            byte[] whole = new EnrolCommands.EnrolAccount(new byte[] {0x30, 0x00}, new byte[0]).toCommand().copyBytes();
            assertRefused(e.exec(RispCommand.string(EnrolCommands.ENROL_ACCOUNT.id(), Arrays.copyOf(whole, 3))),
                    "ENROL_ACCOUNT is cut short");
            // After the envelope only a whole 129-byte OPAQUE registration record may follow (issue 14)
            assertRefused(e.exec(RispCommand.string(EnrolCommands.ENROL_ACCOUNT.id(),
                    Arrays.copyOf(whole, whole.length + 2))), "ENROL_ACCOUNT is cut short in the OPAQUE registration"
                    + " record");
            assertRefused(e.exec(RispCommand.string(EnrolCommands.ENROL_ACCOUNT.id(),
                    Arrays.copyOf(whole, whole.length + 130))), "ENROL_ACCOUNT has 1 bytes after its last field");
            assertRefused(e.exec(RispCommand.string(EnrolCommands.ENROL_ACCOUNT_BY_AGREEMENT.id(), new byte[] {
                (byte) 0xff, (byte) 0xff, 1})), "ENROL_ACCOUNT_BY_AGREEMENT is cut short in the public key");
            Enroller.person(e, "root", "pw".toCharArray(), KeyType.EC_P256, envelopes, new SecureRandom());
        }
        try (OcaSession root = OcaSession.login(cluster.server.address(), "root",
                cluster.passphrase("pw".toCharArray()), cluster.pinned(), new OcaSession.Options())) {
            assertRefused(root.exec(RispCommand.string(EnrolCommands.ADMIN_ENROLMENT_CODE.id(),
                    "\2\0bob".getBytes(StandardCharsets.UTF_8))), "ADMIN_ENROLMENT_CODE has role (0 user, 1 admin) 2");
            assertRefused(root.exec(RispCommand.string(EnrolCommands.ADMIN_ENROLMENT_CODE.id(), new byte[] {0})),
                    "ADMIN_ENROLMENT_CODE is cut short before the kind");
            assertTrue(cluster.store.activeEnrolmentCodes("bob", java.time.Instant.now()).isEmpty());
            List<RispCommand> ok = root.exec(new EnrolCommands.EnrolmentCodeRequest(false, false, "bob").toCommand());
            assertEquals(EnrolCommands.ENROLMENT_CODE_IS.id(), ok.get(0).id(), ok.toString());
        }
    }

    private static void assertRefused(List<RispCommand> reply, String text) {
        ErrorReply e = ErrorReply.read(reply).orElseThrow(() -> new AssertionError("not refused: " + reply));
        assertEquals(ErrorCode.BAD_PARAMETER.code(), e.code(), e.toString());
        assertTrue(e.text().startsWith(text), "'" + e.text() + "' should start with '" + text + "'");
    }
}
