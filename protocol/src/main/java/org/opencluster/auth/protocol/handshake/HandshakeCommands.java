package org.opencluster.auth.protocol.handshake;

import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.*;
import static org.opencluster.auth.protocol.risp.Direction.BOTH;
import static org.opencluster.auth.protocol.risp.Direction.CLIENT_TO_SERVER;
import static org.opencluster.auth.protocol.risp.Direction.SERVER_TO_CLIENT;

import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.CommandSpec;

/**
 * The handshake and record-layer commands as registry entries (docs/PROTOCOL.md section 5): ids, directions and
 * the largest parameter each accepts. The decoders of both sides are strict with this registry.
 */
public final class HandshakeCommands {
    /** Largest PROOF of kinds 1-3 (signatures and HMACs); the registry admits more for WebAuthn JSON only. */
    public static final int MAX_KEY_PROOF = 1024;
    /** Largest PROOF of kind 4 (the UTF-8 JSON of a WebAuthn assertion). */
    public static final int MAX_WEBAUTHN_PROOF = 8192;
    /** Largest DEVICE_TOKEN (field of LOGIN_RESULT and data of the LOGIN_REQUEST extension; section 5.14). */
    public static final int MAX_DEVICE_TOKEN = 255;
    /** Largest WEBAUTHN_OPTIONS (request options JSON; a few dozen credential ids fit). */
    public static final int MAX_WEBAUTHN_OPTIONS = 4096;

    private static final CommandRegistry REGISTRY = CommandRegistry.builder()
            .register(CommandSpec.none(HS_CLIENT_HELLO, "HS_CLIENT_HELLO", CLIENT_TO_SERVER))
            .register(CommandSpec.none(HS_SERVER_HELLO, "HS_SERVER_HELLO", SERVER_TO_CLIENT))
            .register(CommandSpec.none(HS_SERVER_CERTIFICATE, "HS_SERVER_CERTIFICATE", SERVER_TO_CLIENT))
            .register(CommandSpec.none(HS_SERVER_CERTIFICATE_VERIFY, "HS_SERVER_CERTIFICATE_VERIFY", SERVER_TO_CLIENT))
            .register(CommandSpec.none(HS_CLIENT_CHOICE, "HS_CLIENT_CHOICE", CLIENT_TO_SERVER))
            .register(CommandSpec.none(HS_LOGIN_REQUEST, "HS_LOGIN_REQUEST", CLIENT_TO_SERVER))
            .register(CommandSpec.none(HS_LOGIN_CHALLENGE, "HS_LOGIN_CHALLENGE", SERVER_TO_CLIENT))
            .register(CommandSpec.none(HS_SERVER_FINISHED, "HS_SERVER_FINISHED", SERVER_TO_CLIENT))
            .register(CommandSpec.none(HS_LOGIN_PROOF, "HS_LOGIN_PROOF", CLIENT_TO_SERVER))
            .register(CommandSpec.none(HS_CLIENT_FINISHED, "HS_CLIENT_FINISHED", CLIENT_TO_SERVER))
            .register(CommandSpec.none(HS_LOGIN_RESULT, "HS_LOGIN_RESULT", SERVER_TO_CLIENT))
            .register(CommandSpec.none(HS_HELLO_RETRY, "HS_HELLO_RETRY", SERVER_TO_CLIENT))
            .register(CommandSpec.none(HS_END, "HS_END", BOTH))
            .register(CommandSpec.integer(PROOF_KIND, "PROOF_KIND", BOTH))
            .register(CommandSpec.integer(PROTOCOL_VERSION, "PROTOCOL_VERSION", BOTH))
            .register(CommandSpec.integer(SIGNATURE_SCHEME, "SIGNATURE_SCHEME", BOTH))
            .register(CommandSpec.integer(CHOSEN_SUITE, "CHOSEN_SUITE", CLIENT_TO_SERVER))
            .register(CommandSpec.integer(LOGIN_STATUS, "LOGIN_STATUS", SERVER_TO_CLIENT))
            .register(CommandSpec.integer(MAX_FRAME_PLAINTEXT, "MAX_FRAME_PLAINTEXT", SERVER_TO_CLIENT))
            .register(CommandSpec.integer(KEY_UPDATE_BYTES, "KEY_UPDATE_BYTES", SERVER_TO_CLIENT))
            .register(CommandSpec.integer(KEY_UPDATE_RECORDS, "KEY_UPDATE_RECORDS", SERVER_TO_CLIENT))
            .register(CommandSpec.integer(POLICY_VERSION, "POLICY_VERSION", CLIENT_TO_SERVER))
            .register(CommandSpec.integer(SESSION_ID, "SESSION_ID", SERVER_TO_CLIENT))
            .register(CommandSpec.integer(CLIENT_RANDOM, "CLIENT_RANDOM", CLIENT_TO_SERVER))
            .register(CommandSpec.integer(SERVER_RANDOM, "SERVER_RANDOM", SERVER_TO_CLIENT))
            .register(CommandSpec.string(USERNAME, "USERNAME", CLIENT_TO_SERVER, 255))
            .register(CommandSpec.string(VERIFY_DATA, "VERIFY_DATA", BOTH, 48))
            .register(CommandSpec.string(COOKIE, "COOKIE", SERVER_TO_CLIENT, 255))
            .register(CommandSpec.string(DEVICE_TOKEN, "DEVICE_TOKEN", SERVER_TO_CLIENT, MAX_DEVICE_TOKEN))
            .register(CommandSpec.string(SUPPORTED_SUITES, "SUPPORTED_SUITES", CLIENT_TO_SERVER, 128))
            .register(CommandSpec.string(EXTENSIONS, "EXTENSIONS", BOTH, 16384))
            .register(CommandSpec.string(KEY_SHARE, "KEY_SHARE", BOTH, 4096))
            .register(CommandSpec.string(SUITE_POLICY, "HS_SUITE_POLICY", SERVER_TO_CLIENT, 138))
            .register(CommandSpec.string(CERTIFICATE, "CERTIFICATE", SERVER_TO_CLIENT, 16384))
            .register(CommandSpec.string(SIGNATURE, "SIGNATURE", SERVER_TO_CLIENT, 1024))
            .register(CommandSpec.string(ENVELOPE, "ENVELOPE", SERVER_TO_CLIENT, 8160))
            .register(CommandSpec.string(PROOF_EPHEMERAL, "PROOF_EPHEMERAL", SERVER_TO_CLIENT, 4096))
            .register(CommandSpec.string(PROOF, "PROOF", CLIENT_TO_SERVER, MAX_WEBAUTHN_PROOF))
            .register(CommandSpec.string(WEBAUTHN_OPTIONS, "WEBAUTHN_OPTIONS", SERVER_TO_CLIENT, MAX_WEBAUTHN_OPTIONS))
            .register(CommandSpec.string(PROOF_EPHEMERAL_X25519, "PROOF_EPHEMERAL_X25519", SERVER_TO_CLIENT, 4096))
            .register(CommandSpec.string(OPRF_CREDENTIAL_RESPONSE, "OPRF_CREDENTIAL_RESPONSE", SERVER_TO_CLIENT,
                    org.opencluster.auth.protocol.pake.CredentialResponse.LENGTH))
            .register(CommandSpec.string(PADDING, "PADDING", CLIENT_TO_SERVER, HandshakePadding.LOGIN_PROOF_BYTES))
            .register(CommandSpec.none(WRAPPED_ENCRYPTED_COMMAND, "WRAPPED_ENCRYPTED_COMMAND", BOTH))
            .register(CommandSpec.none(WRAPPED_ENCRYPTED_CLOSE, "WRAPPED_ENCRYPTED_CLOSE", BOTH))
            .register(CommandSpec.integer(LENGTH_OF_UNCRYPTED, "LENGTH_OF_UNCRYPTED", BOTH))
            .register(CommandSpec.string(ENCRYPTED_STRING, "ENCRYPTED_STRING", BOTH, (1 << 20) + 16))
            // A refusal after CLIENT_CHOICE (RATE_LIMITED, MALFORMED_MESSAGE, ...) is the core ERROR + ERROR_TEXT
            // inside a handshake frame; without them here the client's strict decoder hid the server's reason
            // behind UNKNOWN_COMMAND.
            .register(CoreCommands.ERROR)
            .register(CoreCommands.ERROR_TEXT)
            .build();

    private HandshakeCommands() {
    }

    public static CommandRegistry registry() {
        return REGISTRY;
    }
}
