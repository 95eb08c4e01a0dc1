package org.opencluster.auth.server.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.client.login.ClientHandshake;
import org.opencluster.auth.client.login.DeviceTokenStore;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.frame.FrameConfig;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.suite.SuitePolicy;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.server.ca.ClusterCa;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.store.EnrolmentCode;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.enrol.TokenContentSigner;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;

/**
 * docs/PROTOCOL.md 5.14: a LOGIN_RESULT carries a DEVICE_TOKEN only in answer to the DEVICE_TOKEN extension of the
 * LOGIN_REQUEST. The client refuses one it did not ask for (MALFORMED_MESSAGE, nothing stored), whether it keeps
 * tokens (an enrolment login never asks) or not.
 *
 * <p>No honest server sends such a token, so this test plays a misbehaving one: an in-memory {@link ServerHandshake}
 * told after it read the LOGIN_REQUEST to send a device token anyway
 * ({@link ServerHandshake#misbehaveBySendingAnUnaskedDeviceToken}, package-private, called from nowhere else).
 * {@link #theSameEnrolmentWithoutTheHookSucceeds} shows the set-up logs in, so the refusals below are the token's
 * doing.
 */
class UnaskedDeviceTokenTest {
    private static final String NAME = "newcomer";
    private static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] codeHash = random(32);

    @Test
    void enrolmentWithDeviceTokenStoreRefusesUnaskedDeviceToken() throws Exception {
        DeviceTokenStore store = DeviceTokenStore.inMemory();
        AtomicInteger saves = new AtomicInteger();
        ClientHandshake client = enrollingClient().withDeviceTokens(counting(store, saves));
        ServerHandshake server = run(client, true);

        assertEquals(ClientHandshake.State.FAILED, client.state(), "the client refuses the login");
        assertEquals(HandshakeError.MALFORMED_MESSAGE.code(), client.failure().code());
        assertTrue(client.failure().getMessage().contains("DEVICE_TOKEN"), client.failure().getMessage());
        assertEquals(0, saves.get(), "nothing stored");
        assertEquals(ServerHandshake.State.ESTABLISHED, server.state(), "the server did send its LOGIN_RESULT");
    }

    @Test
    void clientWithoutDeviceTokenStoreRefusesUnaskedDeviceToken() throws Exception {
        ClientHandshake client = enrollingClient();
        run(client, true);

        assertEquals(ClientHandshake.State.FAILED, client.state());
        assertEquals(HandshakeError.MALFORMED_MESSAGE.code(), client.failure().code());
    }

    @Test
    void theSameEnrolmentWithoutTheHookSucceeds() throws Exception {
        AtomicInteger saves = new AtomicInteger();
        ClientHandshake client = enrollingClient().withDeviceTokens(counting(DeviceTokenStore.inMemory(), saves));
        run(client, false);

        assertEquals(ClientHandshake.State.ESTABLISHED, client.state());
        assertEquals(0, saves.get());
    }

    private ClientHandshake enrollingClient() {
        return new ClientHandshake(NAME, (u, envelope) -> {
            throw new AssertionError("an enrolment does not use a credential");
        }, chain -> { }, Set.of(0x0101), SuiteRegistry.standard(), CoreCommands.registry(), RANDOM)
                .enrolWith(codeHash);
    }

    /** Runs the flights between {@code client} and a server; {@code sendUnasked}: the server adds a token anyway. */
    private ServerHandshake run(ClientHandshake client, boolean sendUnasked) throws Exception {
        ServerHandshake server = new ServerHandshake(settings(), "192.0.2.7", CoreCommands.registry());
        ByteBuffer toServer = client.start();
        for (int flight = 0; flight < 10 && client.state() != ClientHandshake.State.ESTABLISHED
                && client.state() != ClientHandshake.State.FAILED; flight++) {
            for (RispCommand c : decode(toServer)) {
                server.onCommand(c);
            }
            if (sendUnasked && server.state() == ServerHandshake.State.AWAIT_PROOF) {
                server.misbehaveBySendingAnUnaskedDeviceToken();
            }
            for (RispCommand c : decode(server.takeOutput())) {
                client.onCommand(c);
            }
            toServer = client.takeOutput();
        }
        return server;
    }

    private HandshakeSettings settings() throws Exception {
        Clock clock = Clock.systemUTC();
        SoftwareToken caKey = SoftwareToken.fromPkcs8("ca", SoftwareKeys.generatePkcs8(KeyType.ED25519, RANDOM),
                List.of());
        TokenContentSigner caSigner = new TokenContentSigner(caKey, SignatureScheme.ED25519);
        X509Certificate caCert = ClusterCa.selfSign("Test", caKey.publicKey(), caSigner, Duration.ofDays(1), clock,
                RANDOM);
        SoftwareToken serverKey = SoftwareToken.fromPkcs8("server",
                SoftwareKeys.generatePkcs8(KeyType.ED25519, RANDOM), List.of());
        X509Certificate serverCert = new ClusterCa(caCert, caSigner, clock, RANDOM).issue("auth.test",
                ClusterCa.Subject.SERVER, serverKey.publicKey(), Duration.ofDays(1));
        SuiteRegistry registry = SuiteRegistry.standard();
        SuitePolicy policy = SuitePolicy.initial(registry);
        return new HandshakeSettings(registry, () -> policy, serverKey, List.of(serverCert, caCert),
                name -> Optional.empty(), random(32), HandshakeSettings.DEFAULT_ENVELOPE_FIELD_LENGTH,
                ProofKind.KEY_AGREEMENT, FrameConfig.defaults(), LoginThrottle.builder().build(), RANDOM,
                oneCode());
    }

    /** One unused code for {@link #NAME}, its verifier a plain digest of code_hash (the key is not the point). */
    private Enrolments oneCode() {
        EnrolmentCode code = new EnrolmentCode(verifierOf(codeHash), "enrol", Optional.of(NAME), Account.Role.USER,
                Account.Kind.PERSON, Instant.now().plus(Duration.ofHours(1)));
        return new Enrolments() {
            @Override
            public List<EnrolmentCode> active(String username) {
                return NAME.equals(username) ? List.of(code) : List.of();
            }

            @Override
            public byte[] verifier(byte[] presented) {
                return verifierOf(presented);
            }
        };
    }

    private static byte[] verifierOf(byte[] codeHash) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(codeHash);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static DeviceTokenStore counting(DeviceTokenStore store, AtomicInteger saves) {
        return new DeviceTokenStore() {
            @Override
            public Optional<byte[]> find(String serverKey, String username) {
                return store.find(serverKey, username);
            }

            @Override
            public void save(String serverKey, String username, byte[] token) {
                saves.incrementAndGet();
                store.save(serverKey, username, token);
            }
        };
    }

    private static List<RispCommand> decode(ByteBuffer bytes) {
        List<RispCommand> out = new ArrayList<>();
        RispDecoder.framingOnly().feed(bytes, out::add);
        return out;
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
