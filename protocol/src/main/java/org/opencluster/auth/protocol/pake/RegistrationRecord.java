package org.opencluster.auth.protocol.pake;

import static org.opencluster.auth.protocol.pake.OpaqueP256.NE;
import static org.opencluster.auth.protocol.pake.OpaqueP256.NH;
import static org.opencluster.auth.protocol.pake.OpaqueP256.NPK;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * RFC 9807 RegistrationRecord, what the server stores per credential: {@code client_public_key[Npk] ||
 * masking_key[Nh] || envelope[Ne]} (129 bytes). The masking key is secret: {@link #wipe()} clears this copy.
 */
public record RegistrationRecord(byte[] clientPublicKey, byte[] maskingKey, Envelope envelope) {
    public RegistrationRecord {
        clientPublicKey = OpaqueP256.exact(clientPublicKey, NPK, "client_public_key");
        maskingKey = OpaqueP256.exact(maskingKey, NH, "masking_key");
        java.util.Objects.requireNonNull(envelope, "envelope");
    }

    /**
     * A fake record for a credential identifier with no registration (RFC 9807, 6.3.2.2): a random client key
     * pair's public key, a random masking key and an all-zero envelope. A credential response built from it has
     * the length and distribution of a real one.
     */
    public static RegistrationRecord fake(SecureRandom random) {
        return fake(P256Group.serializeElement(P256Group.multiplyGenerator(P256Group.randomScalar(random))), random);
    }

    /**
     * A fake record around a fake client public key made once (say at server start): the unknown-name path then
     * costs what the known-name path does, with no scalar multiplication of its own. The key never reaches the
     * wire in the credential parts. The masking key is drawn afresh each call; a client cannot tell that from a
     * stored one, since the pad is a PRF of a fresh masking nonce either way.
     */
    public static RegistrationRecord fake(byte[] fakeClientPublicKey, SecureRandom random) {
        byte[] maskingKey = new byte[NH];
        random.nextBytes(maskingKey);
        RegistrationRecord record = new RegistrationRecord(fakeClientPublicKey, maskingKey, Envelope.zeroes());
        Arrays.fill(maskingKey, (byte) 0);
        return record;
    }

    public byte[] serialize() {
        return Oprf.concat(clientPublicKey, maskingKey, envelope.serialize());
    }

    /** An upload: the client public key must be a valid P-256 element (the server checks it before storing). */
    public static RegistrationRecord deserialize(byte[] encoded) throws PakeException {
        RegistrationRecord record = fromStore(encoded);
        P256Group.deserializeElement(record.clientPublicKey);
        return record;
    }

    /**
     * A record the server stored itself, checked by {@link #deserialize} when it was uploaded: the length is
     * checked, the client public key is not decoded again (a login does not use it, and its decompression is an
     * exponentiation each login would pay).
     */
    public static RegistrationRecord fromStore(byte[] encoded) throws PakeException {
        OpaqueP256.requireLength(encoded, NPK + NH + NE, "a registration record");
        byte[] clientKey = OpaqueP256.field(encoded, 0, NPK);
        byte[] maskingKey = OpaqueP256.field(encoded, NPK, NH);
        RegistrationRecord record = new RegistrationRecord(clientKey, maskingKey,
                Envelope.deserialize(OpaqueP256.field(encoded, NPK + NH, NE)));
        Arrays.fill(maskingKey, (byte) 0);
        return record;
    }

    /** Clears the masking key of this record. */
    public void wipe() {
        Arrays.fill(maskingKey, (byte) 0);
    }

    @Override
    public String toString() {
        return "RegistrationRecord[clientPublicKey=" + java.util.HexFormat.of().formatHex(clientPublicKey) + "]";
    }
}
