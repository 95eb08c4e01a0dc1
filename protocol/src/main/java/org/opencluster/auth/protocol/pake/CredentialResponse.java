package org.opencluster.auth.protocol.pake;

import static org.opencluster.auth.protocol.pake.OpaqueP256.NE;
import static org.opencluster.auth.protocol.pake.OpaqueP256.NN;
import static org.opencluster.auth.protocol.pake.OpaqueP256.NOE;
import static org.opencluster.auth.protocol.pake.OpaqueP256.NPK;

/**
 * RFC 9807 CredentialResponse (the credential part of KE2): {@code evaluated_message[Noe] ||
 * masking_nonce[Nn] || masked_response[Npk + Ne]} (162 bytes).
 */
public record CredentialResponse(byte[] evaluatedMessage, byte[] maskingNonce, byte[] maskedResponse) {
    /** The encoded length. */
    public static final int LENGTH = NOE + NN + NPK + NE;

    public CredentialResponse {
        evaluatedMessage = OpaqueP256.exact(evaluatedMessage, NOE, "evaluated_message");
        maskingNonce = OpaqueP256.exact(maskingNonce, NN, "masking_nonce");
        maskedResponse = OpaqueP256.exact(maskedResponse, NPK + NE, "masked_response");
    }

    public byte[] serialize() {
        return Oprf.concat(evaluatedMessage, maskingNonce, maskedResponse);
    }

    /** The evaluated element must be a valid P-256 point; the masked part is checked after unmasking. */
    public static CredentialResponse deserialize(byte[] encoded) throws PakeException {
        OpaqueP256.requireLength(encoded, LENGTH, "a credential response");
        byte[] evaluated = OpaqueP256.field(encoded, 0, NOE);
        P256Group.deserializeElement(evaluated);
        return new CredentialResponse(evaluated, OpaqueP256.field(encoded, NOE, NN),
                OpaqueP256.field(encoded, NOE + NN, NPK + NE));
    }
}
