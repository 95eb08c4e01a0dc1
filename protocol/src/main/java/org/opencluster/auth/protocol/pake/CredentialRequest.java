package org.opencluster.auth.protocol.pake;

import org.bouncycastle.math.ec.ECPoint;

/**
 * RFC 9807 CredentialRequest: {@code blinded_message[Noe]} (the credential part of KE1), with its element decoded
 * and validated once, where the message is made or read: the server evaluates that element, it never decodes the
 * bytes a second time (a point decompression is a square root, an exponentiation).
 */
public final class CredentialRequest {
    private final byte[] blindedMessage;
    private final ECPoint blindedElement;

    private CredentialRequest(byte[] blindedMessage, ECPoint blindedElement) {
        this.blindedMessage = blindedMessage;
        this.blindedElement = blindedElement;
    }

    /** The request carrying {@code blindedElement} (the client's, from Blind). */
    static CredentialRequest of(ECPoint blindedElement) {
        return new CredentialRequest(P256Group.serializeElement(blindedElement), blindedElement);
    }

    /** Exactly Noe bytes (else MALFORMED_MESSAGE) and a P-256 element (RFC 9497 DeserializeElement, else INVALID_ELEMENT). */
    public static CredentialRequest deserialize(byte[] encoded) throws PakeException {
        OpaqueP256.requireLength(encoded, OpaqueP256.NOE, "a credential request");
        return new CredentialRequest(encoded.clone(), P256Group.deserializeElement(encoded));
    }

    public byte[] blindedMessage() {
        return blindedMessage.clone();
    }

    /** The validated blinded element. */
    ECPoint blindedElement() {
        return blindedElement;
    }

    public byte[] serialize() {
        return blindedMessage.clone();
    }

    @Override
    public String toString() {
        return "CredentialRequest[" + java.util.HexFormat.of().formatHex(blindedMessage) + "]";
    }
}
