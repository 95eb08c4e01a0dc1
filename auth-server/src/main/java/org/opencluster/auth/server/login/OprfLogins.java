package org.opencluster.auth.server.login;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import org.opencluster.auth.protocol.pake.CredentialRequest;
import org.opencluster.auth.protocol.pake.CredentialResponse;
import org.opencluster.auth.protocol.pake.OpaqueP256;
import org.opencluster.auth.protocol.pake.OpaqueServer;
import org.opencluster.auth.protocol.pake.Oprf;
import org.opencluster.auth.protocol.pake.OprfKeyPair;
import org.opencluster.auth.protocol.pake.PakeException;
import org.opencluster.auth.protocol.pake.RegistrationRecord;
import org.opencluster.auth.protocol.pake.RegistrationRequest;
import org.opencluster.auth.protocol.pake.RegistrationResponse;

/**
 * The server's part of the OPRF step (docs/PROTOCOL.md 5.5.6): the OPRF seed (a server secret like the decoy
 * secret, file {@code oprf.secret}, the same on every node of a cluster, since any node may answer any login),
 * OPAQUE's server public key (derived from the seed, so every node has the same one) and the fake client key of
 * the fake records (made once at start). Every credential request is answered with the same computation: the
 * stored record of a credential-version-2 person, a fake record for every other name (unknown, service, card,
 * version 1), so the answer says nothing about the name.
 *
 * @param requireOprf {@code login.require-oprf}: a login without the OPRF step is refused, and a version 1
 *                    passphrase account is served as an unknown name (its envelope opens with Argon2id alone)
 */
public record OprfLogins(byte[] seed, byte[] serverPublicKey, byte[] fakeClientPublicKey, boolean requireOprf) {
    /** DeriveKeyPair info of OPAQUE's server key pair under the seed (the key is masked into every response). */
    private static final byte[] SERVER_KEY_INFO = "oca1 opaque server key".getBytes(StandardCharsets.US_ASCII);

    public OprfLogins {
        if (seed.length != OpaqueP256.NH) {
            throw new IllegalArgumentException("the OPRF seed is " + OpaqueP256.NH + " bytes");
        }
        seed = seed.clone();
    }

    /** The server's OPRF step under {@code seed} (32 bytes; copied, the caller wipes its copy). */
    public static OprfLogins fromSeed(byte[] seed, boolean requireOprf, SecureRandom random) {
        try {
            OprfKeyPair server = Oprf.deriveKeyPair(seed, SERVER_KEY_INFO);
            OprfKeyPair fake = Oprf.deriveKeyPair(randomBytes(random), SERVER_KEY_INFO);
            return new OprfLogins(seed, server.serializedPublicKey(), fake.serializedPublicKey(), requireOprf);
        } catch (PakeException e) {
            throw new IllegalStateException("cannot derive the OPAQUE server key: " + e.getMessage(), e);
        }
    }

    /** A seed of this process only: for servers and tests that have no {@code oprf.secret} (no version 2 account survives a restart). */
    public static OprfLogins ephemeral(SecureRandom random) {
        byte[] seed = randomBytes(random);
        try {
            return fromSeed(seed, false, random);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    private static byte[] randomBytes(SecureRandom random) {
        byte[] b = new byte[OpaqueP256.NH];
        random.nextBytes(b);
        return b;
    }

    /** Whether {@code account} is served at all: under require-oprf a version 1 passphrase account is not. */
    boolean serves(LoginAccount account) {
        return !requireOprf || account.envelope().isEmpty() || account.opaqueRecord().isPresent();
    }

    /** The credential response for {@code username}: its stored record, else a fake one at the same cost. */
    CredentialResponse respond(CredentialRequest request, String username, Optional<byte[]> storedRecord,
            SecureRandom random) throws PakeException {
        // A stored record is read without decoding its client key (checked at upload), so reading it costs a few
        // copies, as making a fake one does: neither path answers sooner than the other.
        RegistrationRecord record = storedRecord.isPresent() ? RegistrationRecord.fromStore(storedRecord.get())
                : RegistrationRecord.fake(fakeClientPublicKey, random);
        try {
            return OpaqueServer.createCredentialResponse(request, serverPublicKey, record, credentialIdentifier(username),
                    seed, random);
        } finally {
            record.wipe();
        }
    }

    /** CreateRegistrationResponse for {@code username} (OPAQUE_REGISTER_BEGIN: re-registration after a login). */
    public RegistrationResponse register(RegistrationRequest request, String username) throws PakeException {
        return OpaqueServer.createRegistrationResponse(request, serverPublicKey, credentialIdentifier(username), seed);
    }

    /** credential_identifier = the username, UTF-8 (the name the envelope is sealed for). */
    private static byte[] credentialIdentifier(String username) {
        return username.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "OprfLogins[requireOprf=" + requireOprf + "]";
    }
}
