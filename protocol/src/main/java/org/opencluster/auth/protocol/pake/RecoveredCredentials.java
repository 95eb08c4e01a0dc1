package org.opencluster.auth.protocol.pake;

import java.util.Arrays;

/**
 * What RecoverCredentials gives the client (RFC 9807, 6.3.2.3): its key pair derived from the envelope, the
 * cleartext credentials the envelope authenticated (among them the server public key) and the export key.
 * {@link #wipe()} clears the export key; the private scalar is a BigInteger and cannot be wiped.
 */
public record RecoveredCredentials(OprfKeyPair clientKeyPair, CleartextCredentials credentials, byte[] exportKey) {
    public void wipe() {
        Arrays.fill(exportKey, (byte) 0);
    }

    @Override
    public String toString() {
        return "RecoveredCredentials[clientKeyPair=" + clientKeyPair + "]";
    }
}
