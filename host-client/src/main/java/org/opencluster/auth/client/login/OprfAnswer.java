package org.opencluster.auth.client.login;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import org.opencluster.auth.protocol.pake.CredentialRequest;
import org.opencluster.auth.protocol.pake.CredentialResponse;
import org.opencluster.auth.protocol.pake.OpaqueClient;
import org.opencluster.auth.protocol.pake.PakeException;
import org.opencluster.auth.protocol.pake.PendingRequest;

/**
 * The OPRF step of one login (docs/PROTOCOL.md 5.5.6): the credential request LOGIN_REQUEST carried (with its
 * blind, which the client keeps) and the server's OPRF_CREDENTIAL_RESPONSE, absent when the server does not speak
 * the step (a server before it ignores the extension); both absent for a client without the step.
 */
public record OprfAnswer(Optional<PendingRequest<CredentialRequest>> request,
        Optional<CredentialResponse> response) {
    public OprfAnswer {
        if (response.isPresent() && request.isEmpty()) {
            throw new IllegalArgumentException("a credential response answers a credential request");
        }
    }

    /**
     * The request of a login without a passphrase (a service, a card, an enrolment): a blinded random input, so
     * that every LOGIN_REQUEST of this client carries an element of the same distribution.
     */
    static PendingRequest<CredentialRequest> unrelatedRequest(SecureRandom random) {
        byte[] input = new byte[32];
        random.nextBytes(input);
        try {
            return OpaqueClient.createCredentialRequest(input, random);
        } catch (PakeException e) {
            throw new IllegalStateException("blinding a random input failed", e);
        } finally {
            Arrays.fill(input, (byte) 0);
        }
    }
}
