package org.opencluster.auth.protocol.command;

import static org.opencluster.auth.protocol.risp.Direction.CLIENT_TO_SERVER;
import static org.opencluster.auth.protocol.risp.Direction.SERVER_TO_CLIENT;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.opencluster.auth.protocol.names.AccountNames;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.CommandSpec;
import org.opencluster.auth.protocol.risp.RispCommand;

/**
 * Enrolment (docs/PROTOCOL.md section 8.1): an admin issues a one-time code for a new account; its owner logs in
 * with the code (proof kind 3) and, in that session only, registers the key they generated themselves.
 */
public final class EnrolCommands {
    /**
     * Issue a one-time code (admin only). Parameter: {@code u8 role (0 user, 1 admin) || u8 kind (0 person,
     * 1 service) || UTF-8 username}. Answered with {@link #ENROLMENT_CODE_IS}.
     */
    public static final CommandSpec ADMIN_ENROLMENT_CODE = CommandSpec.string(0x9142, "ADMIN_ENROLMENT_CODE",
            CLIENT_TO_SERVER, 2 + 255);
    /** The code, ASCII, groups of four Crockford base32 characters; valid one hour, once. */
    public static final CommandSpec ENROLMENT_CODE_IS = CommandSpec.string(0x8143, "ENROLMENT_CODE_IS",
            SERVER_TO_CLIENT, 64);
    /**
     * Register the new account's key (enrolment sessions only): {@code u16 n || PKCS#10 request (n bytes, signed
     * by the new key, which proves possession) || u16 m || passphrase envelope (m bytes; 0 for a service or a card
     * holder, whose key stays in its token)}. Answered with {@link #ISSUED_CERTIFICATE}; the session then ends.
     */
    public static final CommandSpec ENROL_ACCOUNT = CommandSpec.string(0x9140, "ENROL_ACCOUNT", CLIENT_TO_SERVER,
            16384);
    /** The account's certificate (DER), issued by the cluster CA. */
    public static final CommandSpec ISSUED_CERTIFICATE = CommandSpec.string(0x9141, "ISSUED_CERTIFICATE",
            SERVER_TO_CLIENT, 16384);

    /**
     * For a derive-only key (a PIV 9D key cannot sign a request): its SubjectPublicKeyInfo (DER, EC P-256/P-384 or
     * X25519); answered with {@link #ENROL_KEY_EPHEMERAL}. Enrolment sessions only.
     */
    public static final CommandSpec ENROL_KEY_CHALLENGE = CommandSpec.string(0x9144, "ENROL_KEY_CHALLENGE",
            CLIENT_TO_SERVER, 1024);
    /** A fresh ephemeral key share in the key's group ({@code u16 group || public key}), valid for this session. */
    public static final CommandSpec ENROL_KEY_EPHEMERAL = CommandSpec.string(0x8145, "ENROL_KEY_EPHEMERAL",
            SERVER_TO_CLIENT, 2 + 133);
    /**
     * Register a derive-only key: {@code u16 n || SubjectPublicKeyInfo (n) || u16 p || proof (p = 32) || u16 m ||
     * envelope (m)}, the proof as {@code KeyAgreementPossession}. Answered with {@link #ISSUED_CERTIFICATE}.
     */
    public static final CommandSpec ENROL_ACCOUNT_BY_AGREEMENT = CommandSpec.string(0x9146,
            "ENROL_ACCOUNT_BY_AGREEMENT", CLIENT_TO_SERVER, 16384);

    private static final CommandRegistry REGISTRY = CommandRegistry.builder()
            .register(ADMIN_ENROLMENT_CODE).register(ENROLMENT_CODE_IS)
            .register(ENROL_ACCOUNT).register(ISSUED_CERTIFICATE)
            .register(ENROL_KEY_CHALLENGE).register(ENROL_KEY_EPHEMERAL).register(ENROL_ACCOUNT_BY_AGREEMENT)
            .build();

    private EnrolCommands() {
    }

    public static CommandRegistry registry() {
        return REGISTRY;
    }

    /** {@link #ADMIN_ENROLMENT_CODE}'s parameter: {@code u8 role || u8 kind || UTF-8 username}. */
    public record EnrolmentCodeRequest(boolean admin, boolean service, String username) {
        public EnrolmentCodeRequest {
            AccountNames.require(username);
        }

        public RispCommand toCommand() {
            return ParameterCodec.writer(ADMIN_ENROLMENT_CODE).u8(admin ? 1 : 0).u8(service ? 1 : 0)
                    .fixed(username.getBytes(StandardCharsets.UTF_8)).toCommand();
        }

        /** Refuses a role or kind other than 0 and 1, and a name the server's naming rule refuses. */
        public static EnrolmentCodeRequest decode(ByteBuffer parameter) throws MalformedParameterException {
            ParameterCodec.Reader r = ParameterCodec.reader(ADMIN_ENROLMENT_CODE, parameter);
            boolean admin = r.u8("role (0 user, 1 admin)", 1) == 1;
            boolean service = r.u8("kind (0 person, 1 service)", 1) == 1;
            try {
                return new EnrolmentCodeRequest(admin, service, AccountNames.decode(r.rest()));
            } catch (IllegalArgumentException e) {
                throw r.malformed("names no valid account: " + e.getMessage());
            }
        }
    }

    /** {@link #ENROL_ACCOUNT}'s parameter: {@code u16 n || PKCS#10 request || u16 m || envelope}. */
    public record EnrolAccount(byte[] request, byte[] envelope, byte[] opaqueRecord) {
        /** Without an OPAQUE registration record (a service, a card holder, a credential-version-1 envelope). */
        public EnrolAccount(byte[] request, byte[] envelope) {
            this(request, envelope, null);
        }

        public EnrolAccount {
            if (opaqueRecord != null && opaqueRecord.length != OpaqueCommands.RECORD_LENGTH) {
                throw new IllegalArgumentException("an OPAQUE registration record is " + OpaqueCommands.RECORD_LENGTH
                        + " bytes");
            }
        }

        public RispCommand toCommand() {
            ParameterCodec.Writer w = ParameterCodec.writer(ENROL_ACCOUNT).field("certification request", request)
                    .field("envelope", envelope);
            return (opaqueRecord == null ? w : w.fixed(opaqueRecord)).toCommand();
        }

        public static EnrolAccount decode(ByteBuffer parameter) throws MalformedParameterException {
            ParameterCodec.Reader r = ParameterCodec.reader(ENROL_ACCOUNT, parameter);
            EnrolAccount p = new EnrolAccount(r.field("certification request"), r.field("envelope"),
                    r.optionalFixed("OPAQUE registration record", OpaqueCommands.RECORD_LENGTH));
            r.end();
            return p;
        }
    }

    /**
     * {@link #ENROL_ACCOUNT_BY_AGREEMENT}'s parameter: {@code u16 n || SubjectPublicKeyInfo || u16 p || proof ||
     * u16 m || envelope}.
     */
    public record EnrolByAgreement(byte[] publicKey, byte[] proof, byte[] envelope) {
        public RispCommand toCommand() {
            return ParameterCodec.writer(ENROL_ACCOUNT_BY_AGREEMENT).field("public key", publicKey)
                    .field("proof", proof).field("envelope", envelope).toCommand();
        }

        public static EnrolByAgreement decode(ByteBuffer parameter) throws MalformedParameterException {
            ParameterCodec.Reader r = ParameterCodec.reader(ENROL_ACCOUNT_BY_AGREEMENT, parameter);
            EnrolByAgreement p = new EnrolByAgreement(r.field("public key"), r.field("proof"), r.field("envelope"));
            r.end();
            return p;
        }
    }
}
