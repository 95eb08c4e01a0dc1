package org.opencluster.auth.protocol.pake;

/** RFC 9807 CredentialRequest: {@code blinded_message[Noe]} (the credential part of KE1). */
public record CredentialRequest(byte[] blindedMessage) {
    public CredentialRequest {
        blindedMessage = OpaqueP256.exact(blindedMessage, OpaqueP256.NOE, "blinded_message");
    }

    public byte[] serialize() {
        return blindedMessage.clone();
    }

    /** Length check only; the server validates the element when it evaluates it. */
    public static CredentialRequest deserialize(byte[] encoded) throws PakeException {
        OpaqueP256.requireLength(encoded, OpaqueP256.NOE, "a credential request");
        return new CredentialRequest(encoded);
    }
}
