package org.opencluster.auth.protocol.pake;

import static org.opencluster.auth.protocol.pake.OpaqueP256.NE;
import static org.opencluster.auth.protocol.pake.OpaqueP256.NM;
import static org.opencluster.auth.protocol.pake.OpaqueP256.NN;

/** RFC 9807 Envelope: {@code envelope_nonce[Nn] || auth_tag[Nm]} (64 bytes). */
public record Envelope(byte[] nonce, byte[] authTag) {
    public Envelope {
        nonce = OpaqueP256.exact(nonce, NN, "envelope_nonce");
        authTag = OpaqueP256.exact(authTag, NM, "auth_tag");
    }

    /** The all-zero envelope of a fake record (RFC 9807, 6.3.2.2). */
    static Envelope zeroes() {
        return new Envelope(new byte[NN], new byte[NM]);
    }

    public byte[] serialize() {
        return Oprf.concat(nonce, authTag);
    }

    public static Envelope deserialize(byte[] encoded) throws PakeException {
        OpaqueP256.requireLength(encoded, NE, "an envelope");
        return new Envelope(OpaqueP256.field(encoded, 0, NN), OpaqueP256.field(encoded, NN, NM));
    }
}
