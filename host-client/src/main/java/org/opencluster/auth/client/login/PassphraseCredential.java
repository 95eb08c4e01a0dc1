package org.opencluster.auth.client.login;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.opencluster.auth.protocol.pake.CredentialRequest;
import org.opencluster.auth.protocol.pake.KeyStretching;
import org.opencluster.auth.protocol.pake.OpaqueClient;
import org.opencluster.auth.protocol.pake.PakeError;
import org.opencluster.auth.protocol.pake.PakeException;
import org.opencluster.auth.protocol.pake.PendingRequest;
import org.opencluster.auth.protocol.pake.RecoveredCredentials;
import org.opencluster.auth.protocol.pake.FinalizedRegistration;
import org.opencluster.auth.protocol.pake.RegistrationRequest;
import org.opencluster.auth.protocol.pake.RegistrationResponse;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.envelope.KdfParameters;
import org.opencluster.auth.token.envelope.PassphraseEnvelope;

/**
 * A person's login with a passphrase (docs/PROTOCOL.md 5.5.6). With a server that answers the OPRF step, the
 * passphrase is blinded into LOGIN_REQUEST and the credential (credential version 2) opens under OPAQUE's
 * export_key, which needs the server's OPRF seed; when the answer does not recover (a version 1 account gets a
 * fake record, as an unknown name does, or the passphrase is wrong) the envelope is tried as version 1, sealed
 * under Argon2id(passphrase). {@link #openedVersion} says which opened, so a caller can re-register a version 1
 * account after the login (item 4 of issue 14).
 *
 * <p>Holds a copy of the passphrase until {@link #close}; one login at a time.
 */
public final class PassphraseCredential implements LoginCredential, AutoCloseable {
    private final char[] passphrase;
    private final PassphraseEnvelope opener;
    private volatile int openedVersion;

    public PassphraseCredential(char[] passphrase, PassphraseEnvelope opener) {
        this.passphrase = passphrase.clone();
        this.opener = opener;
    }

    public PassphraseCredential(char[] passphrase) {
        this(passphrase, PassphraseEnvelope.builder().build());
    }

    /** The credential version the last successful unlock opened: 2 (OPRF), 1 (Argon2id), 0 before any. */
    public int openedVersion() {
        return openedVersion;
    }

    @Override
    public PendingRequest<CredentialRequest> oprfRequest(SecureRandom random) throws TokenException {
        return blinded(input -> OpaqueClient.createCredentialRequest(input, random));
    }

    /** One way of blinding the passphrase (credential or registration request). */
    @FunctionalInterface
    private interface Blinding<R> {
        PendingRequest<R> blind(byte[] input) throws PakeException;
    }

    private <R> PendingRequest<R> blinded(Blinding<R> blinding) throws TokenException {
        byte[] input = PassphraseEnvelope.utf8(passphrase);
        try {
            return blinding.blind(input);
        } catch (PakeException e) {
            throw new TokenException(TokenError.WRONG_PASSPHRASE, "the passphrase cannot be blinded: " + e.getMessage());
        } finally {
            Arrays.fill(input, (byte) 0);
        }
    }

    @Override
    public Token unlock(String username, byte[] envelope) throws TokenException {
        Token token = opener.open(username, passphrase, envelope, username);
        openedVersion = 1;
        return token;
    }

    @Override
    public Token unlock(String username, byte[] envelope, OprfAnswer oprf) throws TokenException {
        if (oprf.response().isEmpty()) {
            return unlock(username, envelope);
        }
        // The stretching costs are the envelope's KDF parameters, held to the opener's floor like a version 1
        // envelope's: a server cannot make the client stretch less than its policy allows.
        KdfParameters kdf = opener.kdfOf(username, envelope);
        byte[] input = PassphraseEnvelope.utf8(passphrase);
        RecoveredCredentials recovered;
        try {
            recovered = OpaqueClient.recoverCredentials(input, oprf.request().orElseThrow().blind(), oprf.response().get(), null,
                    username.getBytes(StandardCharsets.UTF_8),
                    KeyStretching.argon2id(kdf.memoryKiB(), kdf.iterations(), kdf.parallelism()));
        } catch (PakeException e) {
            if (e.error() != PakeError.ENVELOPE_RECOVERY) {
                throw new TokenException(TokenError.ENVELOPE_CORRUPT, "the server's OPRF answer is invalid");
            }
            return unlock(username, envelope);
        } finally {
            Arrays.fill(input, (byte) 0);
        }
        try {
            Token token = opener.openUnderExportKey(username, recovered.exportKey(), envelope, username);
            openedVersion = 2;
            return token;
        } finally {
            recovered.wipe();
        }
    }

    /** CreateRegistrationRequest of this passphrase (OPAQUE_REGISTER_BEGIN's parameter, with the blind kept). */
    public PendingRequest<RegistrationRequest> registrationRequest(SecureRandom random) throws TokenException {
        return blinded(input -> OpaqueClient.createRegistrationRequest(input, random));
    }

    /**
     * FinalizeRegistrationRequest with the opener's KDF parameters as the key stretching costs (the envelope the
     * caller then seals under the export key carries the same parameters). The caller wipes the result.
     */
    public FinalizedRegistration finalizeRegistration(String username, PendingRequest<RegistrationRequest> pending,
            RegistrationResponse response, SecureRandom random) throws TokenException {
        KdfParameters kdf = opener.kdf();
        byte[] input = PassphraseEnvelope.utf8(passphrase);
        try {
            return OpaqueClient.finalizeRegistrationRequest(input, pending.blind(), response, null,
                    username.getBytes(StandardCharsets.UTF_8),
                    KeyStretching.argon2id(kdf.memoryKiB(), kdf.iterations(), kdf.parallelism()), random);
        } catch (PakeException e) {
            throw new TokenException(TokenError.ENVELOPE_CORRUPT, "the server's registration response is invalid");
        } finally {
            Arrays.fill(input, (byte) 0);
        }
    }

    /** The content of {@code versionOneEnvelope} (opened with this passphrase) sealed under {@code exportKey}. */
    public byte[] resealUnderExportKey(String username, byte[] versionOneEnvelope, byte[] exportKey)
            throws TokenException {
        return opener.resealUnderExportKey(username, passphrase, versionOneEnvelope, exportKey);
    }

    @Override
    public void close() {
        Arrays.fill(passphrase, '\0');
    }
}
