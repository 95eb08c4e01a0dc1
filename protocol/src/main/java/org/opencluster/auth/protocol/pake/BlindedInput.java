package org.opencluster.auth.protocol.pake;

import java.math.BigInteger;
import org.bouncycastle.math.ec.ECPoint;

/** The client's result of OPRF Blind: the secret blind (kept for Finalize) and the blinded element (sent). */
public record BlindedInput(BigInteger blind, ECPoint blindedElement) {
    /** The blinded element as sent on the wire (33 bytes). */
    public byte[] serializedBlindedElement() {
        return P256Group.serializeElement(blindedElement);
    }

    @Override
    public String toString() {
        return "BlindedInput[blindedElement=" + java.util.HexFormat.of().formatHex(serializedBlindedElement()) + "]";
    }
}
