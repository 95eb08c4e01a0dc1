package org.opencluster.auth.protocol.command;

import static org.opencluster.auth.protocol.risp.Direction.CLIENT_TO_SERVER;
import static org.opencluster.auth.protocol.risp.Direction.SERVER_TO_CLIENT;

import java.nio.ByteBuffer;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.CommandSpec;
import org.opencluster.auth.protocol.risp.RispCommand;

/**
 * OPAQUE registration of a person's passphrase (docs/PROTOCOL.md 8.4, credential version 2): the client blinds the
 * passphrase, the server evaluates it under the OPRF key of the session's own account, the client uploads the
 * registration record and its credential sealed under the export key. Ids in 0x_1b0-0x_1bf.
 */
public final class OpaqueCommands {
    /** Largest envelope an upload carries: the ENVELOPE field's default length less its 2-byte prefix. */
    public static final int MAX_ENVELOPE = 2558;
    /** Length of the upload's record part (RFC 9807 RegistrationRecord). */
    public static final int RECORD_LENGTH = 129;

    /** RFC 9807 RegistrationRequest (33 bytes) for the session's own account. Answer: OPAQUE_REGISTRATION_RESPONSE. */
    public static final CommandSpec OPAQUE_REGISTER_BEGIN = CommandSpec.string(0x91b0, "OPAQUE_REGISTER_BEGIN",
            CLIENT_TO_SERVER, 33);
    /** RFC 9807 RegistrationResponse (66 bytes). */
    public static final CommandSpec OPAQUE_REGISTRATION_RESPONSE = CommandSpec.string(0x91b1,
            "OPAQUE_REGISTRATION_RESPONSE", SERVER_TO_CLIENT, 66);
    /** {@code record (129) || u16 m || envelope (m)}; the envelope and record replace the old ones at once. Answer: OK. */
    public static final CommandSpec OPAQUE_REGISTER_FINISH = CommandSpec.string(0x91b2, "OPAQUE_REGISTER_FINISH",
            CLIENT_TO_SERVER, RECORD_LENGTH + 2 + MAX_ENVELOPE);

    /**
     * In ADMIN_ACCOUNTS_LIST, after ACCOUNT_DISABLED: the account's credential version, 0 no passphrase envelope,
     * 1 envelope under Argon2id(passphrase) (still to move), 2 OPAQUE registration (issue 14 item 4).
     */
    public static final CommandSpec ACCOUNT_CREDENTIAL_VERSION = CommandSpec.integer(0x01b3,
            "ACCOUNT_CREDENTIAL_VERSION", SERVER_TO_CLIENT);

    private static final CommandRegistry REGISTRY = CommandRegistry.builder().register(OPAQUE_REGISTER_BEGIN)
            .register(OPAQUE_REGISTRATION_RESPONSE).register(OPAQUE_REGISTER_FINISH)
            .register(ACCOUNT_CREDENTIAL_VERSION).build();

    private OpaqueCommands() {
    }

    public static CommandRegistry registry() {
        return REGISTRY;
    }

    /** {@link #OPAQUE_REGISTER_FINISH}'s parameter: {@code record (129) || u16 m || envelope (m)}. */
    public record RegisterFinish(byte[] record, byte[] envelope) {
        public RegisterFinish {
            if (record.length != RECORD_LENGTH) {
                throw new IllegalArgumentException("an OPAQUE registration record is " + RECORD_LENGTH + " bytes");
            }
        }

        public RispCommand toCommand() {
            return ParameterCodec.writer(OPAQUE_REGISTER_FINISH).fixed(record).field("envelope", envelope).toCommand();
        }

        public static RegisterFinish decode(ByteBuffer parameter) throws MalformedParameterException {
            ParameterCodec.Reader r = ParameterCodec.reader(OPAQUE_REGISTER_FINISH, parameter);
            RegisterFinish p = new RegisterFinish(r.fixed("registration record", RECORD_LENGTH), r.field("envelope"));
            r.end();
            return p;
        }
    }
}
