package org.opencluster.auth.protocol.pake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * OPAQUE credential parts end to end in memory: register then recover, and each way recovery must fail. The
 * "old code" for the attack tests is the v1 passphrase envelope of token-provider, which anyone naming an
 * account could download and test offline; here the record is useless without the server's OPRF seed.
 */
class OpaquePropertiesTest {
    private static final byte[] CREDENTIAL_ID = "bob".getBytes(StandardCharsets.UTF_8);

    /** A server: its OPRF seed and its long-term public key. */
    record Server(byte[] oprfSeed, byte[] publicKey) {
        static Server random(SecureRandom random) {
            byte[] seed = new byte[32];
            random.nextBytes(seed);
            byte[] key = P256Group.serializeElement(P256Group.multiplyGenerator(P256Group.randomScalar(random)));
            return new Server(seed, key);
        }
    }

    @Property(tries = 15)
    void registerThenRecoverRoundTrips(@ForAll @Size(min = 1, max = 40) byte[] password, @ForAll boolean identities,
            @ForAll long seed) throws PakeException {
        SecureRandom random = OprfPropertiesTest.seeded(seed);
        Server server = Server.random(random);
        byte[] serverId = identities ? "auth.example".getBytes(StandardCharsets.UTF_8) : null;
        byte[] clientId = identities ? CREDENTIAL_ID : null;
        FinalizedRegistration registered = register(server, password, serverId, clientId, random);
        PendingRequest<CredentialRequest> login = OpaqueClient.createCredentialRequest(password, random);
        CredentialResponse response = OpaqueServer.createCredentialResponse(login.request(), server.publicKey(),
                registered.record(), CREDENTIAL_ID, server.oprfSeed(), random);
        RecoveredCredentials recovered = OpaqueClient.recoverCredentials(password, login.blind(),
                CredentialResponse.deserialize(response.serialize()), serverId, clientId, KeyStretching.identity());
        assertArrayEquals(registered.exportKey(), recovered.exportKey());
        assertArrayEquals(registered.record().clientPublicKey(), recovered.clientKeyPair().serializedPublicKey());
        assertArrayEquals(server.publicKey(), recovered.credentials().serverPublicKey());
    }

    /** A server with one registered password (identity KSF), and the random source that made them. */
    record Fixture(SecureRandom random, Server server, byte[] password, FinalizedRegistration registered) {
        static Fixture registered(long seed, String password) throws PakeException {
            SecureRandom random = OprfPropertiesTest.seeded(seed);
            Server server = Server.random(random);
            byte[] pw = utf8(password);
            return new Fixture(random, server, pw, register(server, pw, null, null, random));
        }

        PendingRequest<CredentialRequest> login(byte[] guess) throws PakeException {
            return OpaqueClient.createCredentialRequest(guess, random);
        }

        /** The server's credential response to {@code login} from {@code record} under {@code oprfSeed}. */
        byte[] respond(PendingRequest<CredentialRequest> login, RegistrationRecord record, byte[] credentialId,
                byte[] oprfSeed) throws PakeException {
            return OpaqueServer.createCredentialResponse(login.request(), server.publicKey(), record, credentialId,
                    oprfSeed, random).serialize();
        }

        /** Asserts that recovering from {@code wire} with {@code guess} fails as a wrong password does. */
        void assertRecoveryFails(byte[] guess, PendingRequest<CredentialRequest> login, byte[] wire) {
            PakeException e = assertThrows(PakeException.class, () -> OpaqueClient.recoverCredentials(guess,
                    login.blind(), CredentialResponse.deserialize(wire), null, null, KeyStretching.identity()));
            assertEquals(PakeError.ENVELOPE_RECOVERY, e.error());
        }
    }

    @Test
    void aWrongPasswordFailsRecoveryWithAnEnvelopeRecoveryError() throws PakeException {
        Fixture f = Fixture.registered(11, "correct horse");
        byte[] guess = utf8("correct hors3");
        PendingRequest<CredentialRequest> login = f.login(guess);
        f.assertRecoveryFails(guess, login,
                f.respond(login, f.registered().record(), CREDENTIAL_ID, f.server().oprfSeed()));
    }

    /**
     * The harvester of issue 14: with the stored record and the right password but another OPRF seed (the server
     * secret it does not have), the envelope does not open. The v1 envelope opened with the password alone.
     */
    @Test
    void aHarvestedRecordDoesNotOpenWithoutTheServersOprfSeed() throws PakeException {
        Fixture f = Fixture.registered(12, "sunshine1");
        RegistrationRecord harvested = RegistrationRecord.deserialize(f.registered().record().serialize());
        PendingRequest<CredentialRequest> login = f.login(f.password());
        f.assertRecoveryFails(f.password(), login, f.respond(login, harvested, CREDENTIAL_ID, new byte[32]));
    }

    @Test
    void aFakeResponseHasTheLengthOfARealOneAndNeverOpens() throws PakeException {
        Fixture f = Fixture.registered(13, "sunshine1");
        PendingRequest<CredentialRequest> login = f.login(f.password());
        byte[] real = f.respond(login, f.registered().record(), CREDENTIAL_ID, f.server().oprfSeed());
        byte[] fake = f.respond(login, RegistrationRecord.fake(f.random()), utf8("nobody"), f.server().oprfSeed());
        byte[] fixedFakeKey = P256Group.serializeElement(P256Group.multiplyGenerator(BigInteger.TEN));
        byte[] fakeWithFixedKey = f.respond(login, RegistrationRecord.fake(fixedFakeKey, f.random()),
                utf8("nobody"), f.server().oprfSeed());
        assertEquals(CredentialResponse.LENGTH, real.length);
        assertEquals(real.length, fake.length);
        assertEquals(real.length, fakeWithFixedKey.length);
        f.assertRecoveryFails(f.password(), login, fake);
        f.assertRecoveryFails(f.password(), login, fakeWithFixedKey);
    }

    @Test
    void aTamperedMaskedResponseFailsRecovery() throws PakeException {
        Fixture f = Fixture.registered(14, "sunshine1");
        PendingRequest<CredentialRequest> login = f.login(f.password());
        byte[] wire = f.respond(login, f.registered().record(), CREDENTIAL_ID, f.server().oprfSeed());
        wire[wire.length - 1] ^= 1; // last byte of the auth tag
        f.assertRecoveryFails(f.password(), login, wire);
    }

    @Test
    void argon2idStretchingMatchesTheReferenceImplementation() {
        // libargon2 0~20190702 (argon2id_hash_raw): t=1, m=256 KiB, p=1, pwd = 00..1f, salt = zeroes(16), 32 bytes.
        byte[] input = new byte[32];
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) i;
        }
        byte[] stretched = KeyStretching.argon2id(256, 1, 1).stretch(input);
        assertArrayEquals(HexFormat.of().parseHex("552784467ec9ea68c5c645cce0509368fcafaa5e17e2eb5e0527104aa89335f1"),
                stretched);
        assertNotEquals(HexFormat.of().formatHex(input), HexFormat.of().formatHex(stretched));
    }

    @Test
    void registrationAndRecoveryAgreeUnderArgon2id() throws PakeException {
        SecureRandom random = OprfPropertiesTest.seeded(15);
        Server server = Server.random(random);
        KeyStretching ksf = KeyStretching.argon2id(256, 1, 1);
        byte[] password = utf8("sunshine1");
        PendingRequest<RegistrationRequest> request = OpaqueClient.createRegistrationRequest(password, random);
        RegistrationResponse response = OpaqueServer.createRegistrationResponse(request.request(),
                server.publicKey(), CREDENTIAL_ID, server.oprfSeed());
        FinalizedRegistration registered = OpaqueClient.finalizeRegistrationRequest(password, request.blind(),
                response, null, null, ksf, random);
        PendingRequest<CredentialRequest> login = OpaqueClient.createCredentialRequest(password, random);
        CredentialResponse credential = OpaqueServer.createCredentialResponse(login.request(), server.publicKey(),
                registered.record(), CREDENTIAL_ID, server.oprfSeed(), random);
        assertArrayEquals(registered.exportKey(), OpaqueClient.recoverCredentials(password, login.blind(),
                credential, null, null, ksf).exportKey());
        PakeException e = assertThrows(PakeException.class, () -> OpaqueClient.recoverCredentials(password,
                login.blind(), credential, null, null, KeyStretching.identity()));
        assertEquals(PakeError.ENVELOPE_RECOVERY, e.error(), "a record made under Argon2id needs Argon2id");
    }

    @Test
    void anOprfSeedThatIsNotNhBytesIsRefused() {
        SecureRandom random = OprfPropertiesTest.seeded(16);
        RegistrationRequest request = new RegistrationRequest(
                P256Group.serializeElement(P256Group.multiplyGenerator(P256Group.randomScalar(random))));
        byte[] serverKey = Server.random(random).publicKey();
        for (int length : new int[] {0, 16, 31, 33}) {
            assertThrows(IllegalArgumentException.class, () -> OpaqueServer.createRegistrationResponse(request,
                    serverKey, CREDENTIAL_ID, new byte[length]));
        }
    }

    @Test
    void wireMessagesOfTheWrongLengthAreRefused() {
        byte[][] lengths = {new byte[0], new byte[161], new byte[163]};
        for (byte[] wire : lengths) {
            assertEquals(PakeError.MALFORMED_MESSAGE,
                    assertThrows(PakeException.class, () -> CredentialResponse.deserialize(wire)).error());
        }
        assertEquals(PakeError.MALFORMED_MESSAGE,
                assertThrows(PakeException.class, () -> RegistrationRecord.deserialize(new byte[128])).error());
        assertEquals(PakeError.MALFORMED_MESSAGE,
                assertThrows(PakeException.class, () -> CredentialRequest.deserialize(new byte[34])).error());
    }

    static FinalizedRegistration register(Server server, byte[] password, byte[] serverId, byte[] clientId,
            SecureRandom random) throws PakeException {
        PendingRequest<RegistrationRequest> request = OpaqueClient.createRegistrationRequest(password, random);
        RegistrationResponse response = OpaqueServer.createRegistrationResponse(
                RegistrationRequest.deserialize(request.request().serialize()), server.publicKey(), CREDENTIAL_ID,
                server.oprfSeed());
        return OpaqueClient.finalizeRegistrationRequest(password, request.blind(),
                RegistrationResponse.deserialize(response.serialize()), serverId, clientId,
                KeyStretching.identity(), random);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
