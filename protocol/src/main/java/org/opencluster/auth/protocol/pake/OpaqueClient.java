package org.opencluster.auth.protocol.pake;

import static org.opencluster.auth.protocol.pake.OpaqueP256.NE;
import static org.opencluster.auth.protocol.pake.OpaqueP256.NN;
import static org.opencluster.auth.protocol.pake.OpaqueP256.NPK;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The client's credential parts of OPAQUE (RFC 9807): registration (5.2: CreateRegistrationRequest,
 * FinalizeRegistrationRequest) and credential retrieval (6.3.2: CreateCredentialRequest, RecoverCredentials).
 * No AKE: this project proves possession of the recovered key with its own proof kinds.
 *
 * <p>Identities may be null (then the public keys stand in, as in the RFC). The password bytes are the caller's
 * (and wiped by the caller).
 */
public final class OpaqueClient {
    private OpaqueClient() {
    }

    /** CreateRegistrationRequest(password). */
    public static PendingRequest<RegistrationRequest> createRegistrationRequest(byte[] password, SecureRandom random)
            throws PakeException {
        return createRegistrationRequest(password, P256Group.randomScalar(random));
    }

    /** With a chosen blind: test vectors only. */
    static PendingRequest<RegistrationRequest> createRegistrationRequest(byte[] password, BigInteger blind)
            throws PakeException {
        return new PendingRequest<>(new RegistrationRequest(blindedMessage(password, blind)), blind);
    }

    /** FinalizeRegistrationRequest: the record to upload and the export key. */
    public static FinalizedRegistration finalizeRegistrationRequest(byte[] password, BigInteger blind,
            RegistrationResponse response, byte[] serverIdentity, byte[] clientIdentity, KeyStretching stretching,
            SecureRandom random) throws PakeException {
        byte[] envelopeNonce = new byte[NN];
        random.nextBytes(envelopeNonce);
        return finalizeRegistrationRequest(password, blind, response, serverIdentity, clientIdentity, stretching,
                envelopeNonce);
    }

    /** With a chosen envelope nonce: test vectors only. */
    static FinalizedRegistration finalizeRegistrationRequest(byte[] password, BigInteger blind,
            RegistrationResponse response, byte[] serverIdentity, byte[] clientIdentity, KeyStretching stretching,
            byte[] envelopeNonce) throws PakeException {
        P256Group.deserializeElement(response.serverPublicKey());
        byte[] randomizedPassword = randomizedPassword(password, blind, response.evaluatedMessage(), stretching);
        try {
            return EnvelopeStore.store(randomizedPassword, envelopeNonce, response.serverPublicKey(),
                    serverIdentity, clientIdentity);
        } finally {
            Arrays.fill(randomizedPassword, (byte) 0);
        }
    }

    /** CreateCredentialRequest(password): the same blinding as registration, in a credential request. */
    public static PendingRequest<CredentialRequest> createCredentialRequest(byte[] password, SecureRandom random)
            throws PakeException {
        return createCredentialRequest(password, P256Group.randomScalar(random));
    }

    /** With a chosen blind: test vectors only. */
    static PendingRequest<CredentialRequest> createCredentialRequest(byte[] password, BigInteger blind)
            throws PakeException {
        return new PendingRequest<>(CredentialRequest.of(Oprf.blind(password, blind).blindedElement()), blind);
    }

    /** Blind(password) serialized: the blinded_message of both requests. */
    private static byte[] blindedMessage(byte[] password, BigInteger blind) throws PakeException {
        return Oprf.blind(password, blind).serializedBlindedElement();
    }

    /**
     * RecoverCredentials: unmask the server public key and envelope, check the envelope's tag (constant-time) and
     * derive the client key pair and export key. A wrong password, a fake record or a tampered response all
     * give {@link PakeError#ENVELOPE_RECOVERY}; an authenticated server key that is not a point gives
     * {@link PakeError#INVALID_ELEMENT}.
     */
    public static RecoveredCredentials recoverCredentials(byte[] password, BigInteger blind,
            CredentialResponse response, byte[] serverIdentity, byte[] clientIdentity, KeyStretching stretching)
            throws PakeException {
        byte[] randomizedPassword = randomizedPassword(password, blind, response.evaluatedMessage(), stretching);
        try {
            return recoverCredentials(randomizedPassword, response, serverIdentity, clientIdentity);
        } finally {
            Arrays.fill(randomizedPassword, (byte) 0);
        }
    }

    /**
     * RecoverCredentials from the randomized password already derived from {@code response}'s evaluated element:
     * everything after the OPRF and the KSF, i.e. all of the response's masked part. Separate so the
     * {@code pake-recovery} fuzz target can run this part millions of times without paying for the OPRF
     * finalisation and the KSF each time. The randomized password is the caller's (not wiped here).
     */
    static RecoveredCredentials recoverCredentials(byte[] randomizedPassword, CredentialResponse response,
            byte[] serverIdentity, byte[] clientIdentity) throws PakeException {
        byte[] maskingKey = EnvelopeStore.maskingKey(randomizedPassword);
        byte[] unmasked = CredentialMasking.xorPad(maskingKey, response.maskingNonce(), response.maskedResponse());
        try {
            byte[] serverPublicKey = OpaqueP256.field(unmasked, 0, NPK);
            Envelope envelope = Envelope.deserialize(OpaqueP256.field(unmasked, NPK, NE));
            RecoveredCredentials recovered = EnvelopeStore.recover(randomizedPassword, serverPublicKey, envelope,
                    serverIdentity, clientIdentity);
            // Checked after the tag, which covers these bytes: before it, a wrong password (which unmasks noise)
            // would be reported as an invalid element instead of a failed recovery.
            P256Group.deserializeElement(serverPublicKey);
            return recovered;
        } finally {
            Arrays.fill(maskingKey, (byte) 0);
            Arrays.fill(unmasked, (byte) 0);
        }
    }

    /** randomized_password = Extract("", oprf_output || Stretch(oprf_output)); the caller wipes it. */
    static byte[] randomizedPassword(byte[] password, BigInteger blind, byte[] evaluatedMessage,
            KeyStretching stretching) throws PakeException {
        ECPoint evaluated = P256Group.deserializeElement(evaluatedMessage);
        byte[] oprfOutput = Oprf.finalize(password, blind, evaluated);
        byte[] stretched = stretching.stretch(oprfOutput);
        byte[] ikm = Oprf.concat(oprfOutput, stretched);
        try {
            return OpaqueP256.extract(new byte[0], ikm);
        } finally {
            Arrays.fill(oprfOutput, (byte) 0);
            Arrays.fill(stretched, (byte) 0);
            Arrays.fill(ikm, (byte) 0);
        }
    }
}
