package org.opencluster.auth.protocol.pake;

import static org.opencluster.auth.protocol.pake.OpaqueP256.NE;
import static org.opencluster.auth.protocol.pake.OpaqueP256.NPK;

import java.util.Arrays;

/**
 * The credential response mask of RFC 9807 (6.3.2.2): {@code credential_response_pad = Expand(masking_key,
 * masking_nonce || "CredentialResponsePad", Npk + Ne)}, XORed over {@code server_public_key || envelope}. The same
 * operation masks (server) and unmasks (client).
 */
final class CredentialMasking {
    private static final byte[] PAD_LABEL = OpaqueP256.ascii("CredentialResponsePad");

    private CredentialMasking() {
    }

    static byte[] xorPad(byte[] maskingKey, byte[] maskingNonce, byte[] data) {
        if (data.length != NPK + NE) {
            throw new IllegalArgumentException("the masked part is " + (NPK + NE) + " bytes");
        }
        byte[] pad = OpaqueP256.expand(maskingKey, Oprf.concat(maskingNonce, PAD_LABEL), NPK + NE);
        byte[] out = new byte[data.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (pad[i] ^ data[i]);
        }
        Arrays.fill(pad, (byte) 0);
        return out;
    }
}
