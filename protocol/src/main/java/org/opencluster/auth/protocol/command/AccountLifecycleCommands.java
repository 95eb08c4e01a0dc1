package org.opencluster.auth.protocol.command;

import static org.opencluster.auth.protocol.risp.Direction.CLIENT_TO_SERVER;
import static org.opencluster.auth.protocol.risp.Direction.SERVER_TO_CLIENT;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.CommandSpec;
import org.opencluster.auth.protocol.risp.RispCommand;

/**
 * The account lifecycle after enrolment (docs/PROTOCOL.md section 8.3): an admin deletes or resets an account; a
 * logged-in account replaces its key (a new software key with a new passphrase envelope, which is how a person
 * changes their passphrase; a new token key; a new card key), proving the new key bound to the session that the
 * old key opened.
 */
public final class AccountLifecycleCommands {
    /** Delete an account by username (admin only): its live sessions end. Answered with OK or NOT_FOUND. */
    public static final CommandSpec ADMIN_ACCOUNT_DELETE = CommandSpec.string(0x8180, "ADMIN_ACCOUNT_DELETE",
            CLIENT_TO_SERVER, 255);
    /**
     * Reset an account by username (admin only): the account is removed and a one-time code for the same name, kind
     * and role takes its place, in one step; its live sessions end. Answered with {@code ENROLMENT_CODE_IS}.
     */
    public static final CommandSpec ADMIN_ACCOUNT_RESET = CommandSpec.string(0x8181, "ADMIN_ACCOUNT_RESET",
            CLIENT_TO_SERVER, 255);
    /**
     * Announce the new key of this session's account: its SubjectPublicKeyInfo (DER). Answered with
     * {@link #REKEY_CHALLENGE}.
     */
    public static final CommandSpec REKEY_BEGIN = CommandSpec.string(0x9182, "REKEY_BEGIN", CLIENT_TO_SERVER, 1024);
    /**
     * {@code 32-byte nonce || u16 n || ephemeral key share (n bytes, u16 group || public key; n = 0 when the new
     * key cannot do key agreement)}.
     */
    public static final CommandSpec REKEY_CHALLENGE = CommandSpec.string(0x9183, "REKEY_CHALLENGE",
            SERVER_TO_CLIENT, 32 + 2 + 2 + 133);
    /**
     * Replace the key, signing form: {@code u16 n || PKCS#10 request (signed by the new key, its challengePassword
     * attribute the lowercase hex of the rekey binding) || u16 m || credential record (m)}. Answered with
     * {@code ISSUED_CERTIFICATE}; then every session of the account ends, this one after the answer.
     */
    public static final CommandSpec REKEY_SIGNED = CommandSpec.string(0x9184, "REKEY_SIGNED", CLIENT_TO_SERVER,
            16384);
    /**
     * Replace the key, key-agreement form (a derive-only key): {@code u16 p || proof (p = 32) || u16 m || credential
     * record (m)}. Answered like {@link #REKEY_SIGNED}.
     */
    public static final CommandSpec REKEY_BY_AGREEMENT = CommandSpec.string(0x9185, "REKEY_BY_AGREEMENT",
            CLIENT_TO_SERVER, 16384);

    /** The domain label of the rekey binding. */
    public static final String BINDING_LABEL = "OpenCluster Auth rekey v1";
    public static final int NONCE_LENGTH = 32;

    private static final CommandRegistry REGISTRY = CommandRegistry.builder()
            .register(ADMIN_ACCOUNT_DELETE).register(ADMIN_ACCOUNT_RESET)
            .register(REKEY_BEGIN).register(REKEY_CHALLENGE).register(REKEY_SIGNED).register(REKEY_BY_AGREEMENT)
            .build();

    private AccountLifecycleCommands() {
    }

    public static CommandRegistry registry() {
        return REGISTRY;
    }

    /**
     * The parameter of {@link #REKEY_SIGNED} ({@code proof} a PKCS#10 request) and {@link #REKEY_BY_AGREEMENT}
     * ({@code proof} the 32-byte key-agreement proof): {@code u16 n || proof || u16 m || credential record}.
     *
     * @param command which of the two
     */
    public record RekeyProof(CommandSpec command, byte[] proof, byte[] credentialRecord, byte[] opaqueRecord) {
        /** Without an OPAQUE registration record. */
        public RekeyProof(CommandSpec command, byte[] proof, byte[] credentialRecord) {
            this(command, proof, credentialRecord, null);
        }

        public RekeyProof {
            if (!command.equals(REKEY_SIGNED) && !command.equals(REKEY_BY_AGREEMENT)) {
                throw new IllegalArgumentException(command + " is not a rekey proof");
            }
            if (opaqueRecord != null && opaqueRecord.length != OpaqueCommands.RECORD_LENGTH) {
                throw new IllegalArgumentException("an OPAQUE registration record is " + OpaqueCommands.RECORD_LENGTH
                        + " bytes");
            }
        }

        public RispCommand toCommand() {
            ParameterCodec.Writer w = ParameterCodec.writer(command).field(proofName(command), proof)
                    .field("credential record", credentialRecord);
            return (opaqueRecord == null ? w : w.fixed(opaqueRecord)).toCommand();
        }

        public static RekeyProof decode(CommandSpec command, ByteBuffer parameter) throws MalformedParameterException {
            ParameterCodec.Reader r = ParameterCodec.reader(command, parameter);
            RekeyProof p = new RekeyProof(command, r.field(proofName(command)), r.field("credential record"),
                    r.optionalFixed("OPAQUE registration record", OpaqueCommands.RECORD_LENGTH));
            r.end();
            return p;
        }

        private static String proofName(CommandSpec command) {
            return command.equals(REKEY_SIGNED) ? "certification request" : "proof";
        }
    }

    /**
     * {@link #REKEY_CHALLENGE}'s parameter: {@code 32-byte nonce || u16 n || key share} ({@code share} empty when
     * the new key cannot do key agreement).
     */
    public record RekeyChallenge(byte[] nonce, byte[] share) {
        public RekeyChallenge {
            if (nonce.length != NONCE_LENGTH) {
                throw new IllegalArgumentException("a rekey nonce has " + NONCE_LENGTH + " bytes");
            }
        }

        public RispCommand toCommand() {
            return ParameterCodec.writer(REKEY_CHALLENGE).fixed(nonce).field("key share", share).toCommand();
        }

        public static RekeyChallenge decode(ByteBuffer parameter) throws MalformedParameterException {
            ParameterCodec.Reader r = ParameterCodec.reader(REKEY_CHALLENGE, parameter);
            RekeyChallenge p = new RekeyChallenge(r.fixed("nonce", NONCE_LENGTH), r.field("key share"));
            r.end();
            return p;
        }
    }

    /**
     * The value both proofs of a new key sign or key, which ties them to one session of one account and one
     * challenge: {@code SHA-256(label || u8 len || session id || nonce || SHA-256(SubjectPublicKeyInfo) ||
     * UTF-8(username))}.
     */
    public static byte[] binding(byte[] sessionId, byte[] nonce, byte[] spki, String username) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] spkiHash = MessageDigest.getInstance("SHA-256").digest(spki);
            sha.update(BINDING_LABEL.getBytes(StandardCharsets.US_ASCII));
            sha.update((byte) sessionId.length);
            sha.update(sessionId);
            sha.update(nonce);
            sha.update(spkiHash);
            sha.update(username.getBytes(StandardCharsets.UTF_8));
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
