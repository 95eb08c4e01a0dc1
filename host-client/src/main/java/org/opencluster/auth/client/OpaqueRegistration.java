package org.opencluster.auth.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import org.opencluster.auth.client.login.PassphraseCredential;
import org.opencluster.auth.protocol.command.OpaqueCommands;
import org.opencluster.auth.protocol.pake.FinalizedRegistration;
import org.opencluster.auth.protocol.pake.PakeException;
import org.opencluster.auth.protocol.pake.PendingRequest;
import org.opencluster.auth.protocol.pake.RegistrationRequest;
import org.opencluster.auth.protocol.pake.RegistrationResponse;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.token.TokenException;

/**
 * The client's half of an OPAQUE registration over any session (docs/PROTOCOL.md 8.4): OPAQUE_REGISTER_BEGIN
 * with the blinded passphrase, FinalizeRegistrationRequest on the answer. What the caller does with the result
 * depends on the occasion: an enrolment uploads the record with ENROL_ACCOUNT, a passphrase change with
 * REKEY_SIGNED, a migration with OPAQUE_REGISTER_FINISH; each seals the key under the export key first.
 */
public final class OpaqueRegistration {
    private OpaqueRegistration() {
    }

    /**
     * Registers {@code passphrase} for {@code username} (the session's own name, or the name its enrolment code
     * creates). The caller wipes the result ({@link FinalizedRegistration#wipe}).
     *
     * @throws CommandRefusedException when the server refuses the registration
     */
    public static FinalizedRegistration register(CommandChannel session, String username,
            PassphraseCredential passphrase, SecureRandom random) throws IOException, TokenException {
        PendingRequest<RegistrationRequest> pending = passphrase.registrationRequest(random);
        RispCommand answer = OcaSession.expect(OpaqueCommands.OPAQUE_REGISTRATION_RESPONSE.id(), session.exec(
                RispCommand.string(OpaqueCommands.OPAQUE_REGISTER_BEGIN.id(), pending.request().serialize())));
        RegistrationResponse response;
        try {
            response = RegistrationResponse.deserialize(answer.copyBytes());
        } catch (PakeException e) {
            throw new IOException("the server's registration response is invalid: " + e.getMessage(), e);
        }
        return passphrase.finalizeRegistration(username, pending, response, random);
    }
}
