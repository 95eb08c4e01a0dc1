package org.opencluster.auth.server.e2e;

import org.opencluster.auth.server.store.Account;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.client.login.ClientHandshake;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.OprfAnswer;
import org.opencluster.auth.client.login.PassphraseCredential;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.frame.FrameConfig;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.pake.CredentialRequest;
import org.opencluster.auth.protocol.pake.FinalizedRegistration;
import org.opencluster.auth.protocol.pake.KeyStretching;
import org.opencluster.auth.protocol.pake.OpaqueClient;
import org.opencluster.auth.protocol.pake.PendingRequest;
import org.opencluster.auth.protocol.pake.RecoveredCredentials;
import org.opencluster.auth.protocol.pake.RegistrationRequest;
import org.opencluster.auth.protocol.pake.RegistrationResponse;
import org.opencluster.auth.protocol.suite.SuitePolicy;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.server.e2e.WorkedExampleLogin.FixedRandom;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.login.HandshakeSettings;
import org.opencluster.auth.server.login.LoginAccount;
import org.opencluster.auth.server.login.OprfLogins;
import org.opencluster.auth.server.login.ServerHandshake;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.envelope.PassphraseEnvelope;
import org.opencluster.auth.token.software.SoftwareToken;

/**
 * The credential-version-2 worked example of docs/PROTOCOL.md section 5.11 (issue 14): alice registers her
 * passphrase with OPAQUE (what {@code Enroller.person} does in the enrolment session), then logs in through the
 * OPRF step between the real engines, with the fixed randomness of {@link WorkedExampleTest} (streams "keys",
 * "oprf", "server", "client"). The OPRF values on the wire (the LOGIN_REQUEST extension 0x0001, the
 * OPRF_CREDENTIAL_RESPONSE of LOGIN_CHALLENGE) are recorded as the client sent and received them; the export key
 * is then recomputed here from those bytes, the client's blind and the passphrase, and must equal the
 * registration's and open the ENVELOPE the server sent. The test fails if the document disagrees with any line.
 */
class WorkedExampleV2Test {
    private static final HexFormat HEX = HexFormat.of();
    private static final char[] PASSPHRASE = "correct horse".toCharArray();
    private final List<String> lines = new ArrayList<>();

    private void put(String name, byte[] value) {
        lines.add(String.format("v2 %-25s = %s", name, HEX.formatHex(value)));
    }

    /** The passphrase credential, recording the OPRF request it blinded and the answer and envelope it got. */
    private static final class Recording implements LoginCredential {
        final PassphraseCredential inner;
        PendingRequest<CredentialRequest> request;
        OprfAnswer answer;
        byte[] envelope;

        Recording(PassphraseCredential inner) {
            this.inner = inner;
        }

        @Override
        public PendingRequest<CredentialRequest> oprfRequest(SecureRandom random) throws TokenException {
            request = inner.oprfRequest(random);
            return request;
        }

        @Override
        public Token unlock(String username, byte[] served) throws TokenException {
            return inner.unlock(username, served);
        }

        @Override
        public Token unlock(String username, byte[] served, OprfAnswer oprf) throws TokenException {
            answer = oprf;
            envelope = served.clone();
            return inner.unlock(username, served, oprf);
        }
    }

    @Test
    void versionTwoLoginWithFixedRandomness() throws Exception {
        FixedRandom keys = new FixedRandom("keys");
        FixedRandom oprfRandom = new FixedRandom("oprf");
        FixedRandom serverRandom = new FixedRandom("server");
        FixedRandom clientRandom = new FixedRandom("client");
        SuiteRegistry registry = SuiteRegistry.standard();
        WorkedExampleLogin.Parties parties = WorkedExampleLogin.parties(keys);
        X509Certificate caCert = parties.caCert();
        SoftwareToken serverKey = parties.serverKey();
        X509Certificate serverCert = parties.serverCert();
        byte[] alicePkcs8 = parties.alicePkcs8();
        SoftwareToken aliceKey = parties.aliceKey();
        PassphraseEnvelope envelopes = parties.envelopes();

        // The server's OPRF seed (oprf.secret) and OPAQUE server key; the fake records' key seed.
        byte[] seed = new byte[32];
        oprfRandom.nextBytes(seed);
        OprfLogins oprf = OprfLogins.fromSeed(seed, false, oprfRandom);

        // Registration, as in the enrolment session: OPAQUE_REGISTER_BEGIN, then ENROL_ACCOUNT's tail.
        PassphraseCredential registering = new PassphraseCredential(PASSPHRASE, envelopes);
        PendingRequest<RegistrationRequest> begin = registering.registrationRequest(keys);
        RegistrationResponse response = oprf.register(begin.request(), "alice");
        FinalizedRegistration registration = registering.finalizeRegistration("alice", begin, response, keys);
        byte[] record = registration.record().serialize();
        byte[] envelope = envelopes.sealUnderExportKey("alice", registration.exportKey(), alicePkcs8, List.of());
        LoginAccount alice = new LoginAccount("alice", Account.Role.USER, aliceKey.publicKey(), Optional.of(envelope),
                false, true, Optional.empty(), Optional.of(record));

        // The four classical suites, as in section 5.11 (the hybrids of issue 18 came first after this example).
        SuitePolicy policy = SuitePolicy.of(registry, 1, List.of(0x0101, 0x0102, 0x0103, 0x0104));
        HandshakeSettings settings = new HandshakeSettings(registry, () -> policy, serverKey,
                List.of(serverCert, caCert), name -> name.equals("alice") ? Optional.of(alice) : Optional.empty(),
                new byte[32], HandshakeSettings.DEFAULT_ENVELOPE_FIELD_LENGTH, ProofKind.KEY_AGREEMENT,
                FrameConfig.defaults(), LoginThrottle.builder().build(), serverRandom).withOprf(oprf);
        ServerHandshake server = new ServerHandshake(settings, "192.0.2.1", CoreCommands.registry());
        PassphraseCredential loggingIn = new PassphraseCredential(PASSPHRASE, envelopes);
        Recording client = new Recording(loggingIn);
        WorkedExampleLogin.runFlights(new ClientHandshake("alice", client, chain -> { }, Set.of(0x0101), registry,
                CoreCommands.registry(), clientRandom), server);
        assertEquals(2, loggingIn.openedVersion(), "the login opened the credential under the export key");

        // Independent recomputation: RecoverCredentials from the wire's response, the client's blind, the passphrase.
        byte[] responseBytes = client.answer.response().orElseThrow().serialize();
        RecoveredCredentials recovered = OpaqueClient.recoverCredentials(
                new String(PASSPHRASE).getBytes(StandardCharsets.UTF_8), client.request.blind(),
                client.answer.response().orElseThrow(), null, "alice".getBytes(StandardCharsets.UTF_8),
                KeyStretching.argon2id(TestCluster.TEST_KDF.memoryKiB(), TestCluster.TEST_KDF.iterations(),
                        TestCluster.TEST_KDF.parallelism()));
        assertArrayEquals(registration.exportKey(), recovered.exportKey(), "the login recovers the export key");
        assertArrayEquals(envelope, client.envelope, "LOGIN_CHALLENGE's ENVELOPE is the stored one");
        assertArrayEquals(aliceKey.publicKey().getEncoded(), envelopes.openUnderExportKey("alice",
                recovered.exportKey(), client.envelope, "alice").publicKey().getEncoded());

        put("oprf_seed", seed);
        put("server_public_key", oprf.serverPublicKey());
        put("registration blind", scalar(begin.blind()));
        put("RegistrationRequest", begin.request().serialize());
        put("RegistrationResponse", response.serialize());
        put("RegistrationRecord", record);
        put("export_key", registration.exportKey());
        put("alice_envelope (v2)", envelope);
        put("login blind", scalar(client.request.blind()));
        put("LOGIN_REQUEST ext 0x0001", client.request.request().serialize());
        put("OPRF_CREDENTIAL_RESPONSE", responseBytes);
        put("recovered export_key", recovered.exportKey());

        WorkedExampleLogin.assertDocumentShows(lines, "5.11", "login-worked-example-v2.txt");
    }

    /** A blind as the 32-byte big-endian scalar RFC 9497 serializes. */
    private static byte[] scalar(java.math.BigInteger k) {
        byte[] b = k.toByteArray();
        byte[] out = new byte[32];
        int n = Math.min(b.length, 32);
        System.arraycopy(b, b.length - n, out, 32 - n, n);
        return out;
    }
}
