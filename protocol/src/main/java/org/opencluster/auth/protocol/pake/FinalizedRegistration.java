package org.opencluster.auth.protocol.pake;

import java.util.Arrays;

/**
 * What FinalizeRegistrationRequest gives the client (RFC 9807, 5.2.3): the record to upload and the export key
 * (which only the client knows). {@link #wipe()} clears the export key and the record's masking key.
 */
public record FinalizedRegistration(RegistrationRecord record, byte[] exportKey) {
    public void wipe() {
        Arrays.fill(exportKey, (byte) 0);
        record.wipe();
    }

    @Override
    public String toString() {
        return "FinalizedRegistration[record=" + record + "]";
    }
}
