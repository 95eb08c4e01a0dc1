package org.opencluster.auth.protocol.pake;

import static org.opencluster.auth.protocol.pake.OpaqueP256.NN;
import static org.opencluster.auth.protocol.pake.OpaqueP256.NOK;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The server's credential parts of OPAQUE (RFC 9807): CreateRegistrationResponse (5.2.2) and
 * CreateCredentialResponse (6.3.2.2). The OPRF key of a credential is derived from the server's {@code oprf_seed}
 * and the credential identifier, so an unknown identifier gets the same computation as a known one; for it the
 * caller passes {@link RegistrationRecord#fake} as the record, and the response has the same length and looks
 * the same as a real one.
 *
 * <p>{@code oprf_seed} is the server secret of RFC 9807: Nh = 32 random bytes, one per server (not per credential);
 * whoever holds it and a record can test passwords offline, so it is kept like the server's private key.
 */
public final class OpaqueServer {
    private static final byte[] OPRF_KEY = OpaqueP256.ascii("OprfKey");
    private static final byte[] OPRF_KEY_INFO = OpaqueP256.ascii("OPAQUE-DeriveKeyPair");

    private OpaqueServer() {
    }

    /** CreateRegistrationResponse: the evaluated blinded password and the server public key. */
    public static RegistrationResponse createRegistrationResponse(RegistrationRequest request,
            byte[] serverPublicKey, byte[] credentialIdentifier, byte[] oprfSeed) throws PakeException {
        byte[] evaluated = evaluate(P256Group.deserializeElement(request.blindedMessage()), credentialIdentifier,
                oprfSeed);
        return new RegistrationResponse(evaluated, serverPublicKey);
    }

    /** CreateCredentialResponse with a fresh masking nonce; {@code record} is the stored or the fake record. */
    public static CredentialResponse createCredentialResponse(CredentialRequest request, byte[] serverPublicKey,
            RegistrationRecord record, byte[] credentialIdentifier, byte[] oprfSeed, SecureRandom random)
            throws PakeException {
        byte[] maskingNonce = new byte[NN];
        random.nextBytes(maskingNonce);
        return createCredentialResponse(request, serverPublicKey, record, credentialIdentifier, oprfSeed,
                maskingNonce);
    }

    /** With a chosen masking nonce: test vectors only. */
    static CredentialResponse createCredentialResponse(CredentialRequest request, byte[] serverPublicKey,
            RegistrationRecord record, byte[] credentialIdentifier, byte[] oprfSeed, byte[] maskingNonce)
            throws PakeException {
        byte[] evaluated = evaluate(request.blindedElement(), credentialIdentifier, oprfSeed);
        byte[] masked = CredentialMasking.xorPad(record.maskingKey(), maskingNonce,
                Oprf.concat(serverPublicKey, record.envelope().serialize()));
        return new CredentialResponse(evaluated, maskingNonce, masked);
    }

    /** The credential's OPRF key: DeriveKeyPair(Expand(oprf_seed, id || "OprfKey", Nok), "OPAQUE-DeriveKeyPair"). */
    static BigInteger oprfKey(byte[] credentialIdentifier, byte[] oprfSeed) throws PakeException {
        if (oprfSeed.length != OpaqueP256.NH) {
            throw new IllegalArgumentException("oprf_seed is " + OpaqueP256.NH + " random bytes (Nh)");
        }
        byte[] seed = OpaqueP256.expand(oprfSeed, Oprf.concat(credentialIdentifier, OPRF_KEY), NOK);
        try {
            return Oprf.derivePrivateKey(seed, OPRF_KEY_INFO);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /** BlindEvaluate of the client's (validated) element under the credential's OPRF key. */
    private static byte[] evaluate(ECPoint blinded, byte[] credentialIdentifier, byte[] oprfSeed)
            throws PakeException {
        BigInteger key = oprfKey(credentialIdentifier, oprfSeed);
        return P256Group.serializeElement(Oprf.blindEvaluate(key, blinded));
    }
}
