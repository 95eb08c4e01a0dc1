package org.opencluster.auth.protocol.pake;

/** RFC 9807 RegistrationRequest: {@code blinded_message[Noe]}. */
public record RegistrationRequest(byte[] blindedMessage) {
    public RegistrationRequest {
        blindedMessage = OpaqueP256.exact(blindedMessage, OpaqueP256.NOE, "blinded_message");
    }

    public byte[] serialize() {
        return blindedMessage.clone();
    }

    /** Length check only; the server validates the element when it evaluates it. */
    public static RegistrationRequest deserialize(byte[] encoded) throws PakeException {
        OpaqueP256.requireLength(encoded, OpaqueP256.NOE, "a registration request");
        return new RegistrationRequest(encoded);
    }
}
