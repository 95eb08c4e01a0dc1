package org.opencluster.auth.protocol.pake;

import static org.opencluster.auth.protocol.pake.OpaqueP256.NOE;
import static org.opencluster.auth.protocol.pake.OpaqueP256.NPK;

/** RFC 9807 RegistrationResponse: {@code evaluated_message[Noe] || server_public_key[Npk]}. */
public record RegistrationResponse(byte[] evaluatedMessage, byte[] serverPublicKey) {
    public RegistrationResponse {
        evaluatedMessage = OpaqueP256.exact(evaluatedMessage, NOE, "evaluated_message");
        serverPublicKey = OpaqueP256.exact(serverPublicKey, NPK, "server_public_key");
    }

    public byte[] serialize() {
        return Oprf.concat(evaluatedMessage, serverPublicKey);
    }

    /** Both elements must be valid P-256 points (the client checks before it finalizes). */
    public static RegistrationResponse deserialize(byte[] encoded) throws PakeException {
        OpaqueP256.requireLength(encoded, NOE + NPK, "a registration response");
        byte[] evaluated = OpaqueP256.field(encoded, 0, NOE);
        byte[] serverKey = OpaqueP256.field(encoded, NOE, NPK);
        P256Group.deserializeElement(evaluated);
        P256Group.deserializeElement(serverKey);
        return new RegistrationResponse(evaluated, serverKey);
    }
}
