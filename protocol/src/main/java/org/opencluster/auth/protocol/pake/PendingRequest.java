package org.opencluster.auth.protocol.pake;

import java.math.BigInteger;

/**
 * A client request on the wire and the blind the client keeps until the response arrives (the state of
 * CreateRegistrationRequest and CreateCredentialRequest). The blind is secret and single-use.
 */
public record PendingRequest<R>(R request, BigInteger blind) {
    @Override
    public String toString() {
        return "PendingRequest[" + request + "]";
    }
}
