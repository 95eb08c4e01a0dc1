package org.opencluster.auth.server.enrol;

import java.nio.ByteBuffer;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.command.OpaqueCommands;
import org.opencluster.auth.server.dispatch.CommandException;

/**
 * The tail of ENROL_ACCOUNT, REKEY_SIGNED and REKEY_BY_AGREEMENT (docs/PROTOCOL.md 8.1, 8.3): {@code u16 m ||
 * envelope (m)}, then, for a person registering with OPAQUE (credential version 2), the 129-byte RFC 9807
 * {@code RegistrationRecord} whose export key sealed the envelope. Without the record the envelope is version 1
 * (or there is none). One reader, so the three commands cannot disagree on the layout.
 *
 * @param opaqueRecord the registration record, or null
 */
record CredentialUpload(byte[] envelope, byte[] opaqueRecord) {
    static CredentialUpload read(ByteBuffer p, String envelopeName) throws CommandException {
        byte[] envelope = EnrolHandlers.field(p, envelopeName);
        byte[] record = null;
        if (p.remaining() == OpaqueCommands.RECORD_LENGTH) {
            record = new byte[OpaqueCommands.RECORD_LENGTH];
            p.get(record);
        }
        if (p.hasRemaining()) {
            throw new CommandException(ErrorCode.BAD_PARAMETER, "bytes after the " + envelopeName + " (an OPAQUE"
                    + " registration record is exactly " + OpaqueCommands.RECORD_LENGTH + " bytes)");
        }
        return new CredentialUpload(envelope, record);
    }
}
