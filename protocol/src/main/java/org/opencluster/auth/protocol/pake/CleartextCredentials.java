package org.opencluster.auth.protocol.pake;

import java.util.Arrays;

/**
 * RFC 9807 CleartextCredentials (4.1.1): {@code server_public_key[Npk] || u16 len || server_identity || u16 len ||
 * client_identity}, where an absent identity is the party's public key.
 */
public record CleartextCredentials(byte[] serverPublicKey, byte[] serverIdentity, byte[] clientIdentity) {
    public CleartextCredentials {
        serverPublicKey = OpaqueP256.exact(serverPublicKey, OpaqueP256.NPK, "server_public_key");
        serverIdentity = identity(serverIdentity, "server_identity");
        clientIdentity = identity(clientIdentity, "client_identity");
    }

    /** CreateCleartextCredentials: a null identity defaults to the corresponding public key. */
    static CleartextCredentials create(byte[] serverPublicKey, byte[] clientPublicKey, byte[] serverIdentity,
            byte[] clientIdentity) {
        return new CleartextCredentials(serverPublicKey,
                serverIdentity != null ? serverIdentity : serverPublicKey,
                clientIdentity != null ? clientIdentity : clientPublicKey);
    }

    public byte[] serialize() {
        return Oprf.concat(serverPublicKey, Oprf.lengthPrefix(serverIdentity.length), serverIdentity,
                Oprf.lengthPrefix(clientIdentity.length), clientIdentity);
    }

    private static byte[] identity(byte[] identity, String what) {
        if (identity == null || identity.length == 0 || identity.length > 0xffff) {
            throw new IllegalArgumentException(what + " must be 1..65535 bytes");
        }
        return Arrays.copyOf(identity, identity.length);
    }
}
