package org.opencluster.auth.protocol.command;

import static org.opencluster.auth.protocol.risp.Direction.CLIENT_TO_SERVER;
import static org.opencluster.auth.protocol.risp.Direction.SERVER_TO_CLIENT;

import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.CommandSpec;

/**
 * WebAuthn security keys (docs/PROTOCOL.md section 8.2): registering keys for a person, listing and removing
 * them, and a one-time code to add a key from a browser. Logging in with a key is proof kind 4 of the handshake.
 * JSON parameters follow the W3C WebAuthn JSON forms ({@code PublicKeyCredentialCreationOptionsJSON}, and
 * {@code RegistrationResponseJSON} as {@code PublicKeyCredential.toJSON()} gives it).
 */
public final class WebAuthnCommands {
    /** Largest JSON a registration exchanges (options out, created credential in). */
    public static final int MAX_REGISTRATION_JSON = 16384;
    /** Largest credential id (WebAuthn allows up to 1023 bytes). */
    public static final int MAX_CREDENTIAL_ID = 1023;

    /** Starts a registration (no parameter); answered with {@link #WEBAUTHN_CREATION_OPTIONS}. */
    public static final CommandSpec WEBAUTHN_REGISTER_BEGIN = CommandSpec.none(0x7170, "WEBAUTHN_REGISTER_BEGIN",
            CLIENT_TO_SERVER);
    /** {@code {"publicKey": PublicKeyCredentialCreationOptionsJSON}}, as navigator.credentials.create() takes it. */
    public static final CommandSpec WEBAUTHN_CREATION_OPTIONS = CommandSpec.string(0x9171,
            "WEBAUTHN_CREATION_OPTIONS", SERVER_TO_CLIENT, MAX_REGISTRATION_JSON);
    /** The created credential's JSON; answered with OK, or ERROR with the reason. */
    public static final CommandSpec WEBAUTHN_REGISTER_FINISH = CommandSpec.string(0x9172, "WEBAUTHN_REGISTER_FINISH",
            CLIENT_TO_SERVER, MAX_REGISTRATION_JSON);
    /** The caller's own keys: per key {@link #WEBAUTHN_CREDENTIAL_ID}, {@link #WEBAUTHN_CREDENTIAL_LABEL}; then END. */
    public static final CommandSpec WEBAUTHN_LIST_CREDENTIALS = CommandSpec.none(0x7173, "WEBAUTHN_LIST_CREDENTIALS",
            CLIENT_TO_SERVER);
    public static final CommandSpec WEBAUTHN_CREDENTIAL_ID = CommandSpec.string(0x9174, "WEBAUTHN_CREDENTIAL_ID",
            SERVER_TO_CLIENT, MAX_CREDENTIAL_ID);
    public static final CommandSpec WEBAUTHN_CREDENTIAL_LABEL = CommandSpec.string(0x8175,
            "WEBAUTHN_CREDENTIAL_LABEL", SERVER_TO_CLIENT, 255);
    public static final CommandSpec WEBAUTHN_CREDENTIALS_END = CommandSpec.none(0x7176, "WEBAUTHN_CREDENTIALS_END",
            SERVER_TO_CLIENT);
    /** Removes one of the caller's own keys by its raw credential id; OK or NOT_FOUND. */
    public static final CommandSpec WEBAUTHN_REMOVE_CREDENTIAL = CommandSpec.string(0x9177,
            "WEBAUTHN_REMOVE_CREDENTIAL", CLIENT_TO_SERVER, MAX_CREDENTIAL_ID);
    /**
     * A one-time code (answered with {@link EnrolCommands#ENROLMENT_CODE_IS}) with which a browser logs in as an
     * enrolment (proof kind 3) and may then only register a security key for the caller's own account.
     */
    public static final CommandSpec WEBAUTHN_REGISTRATION_CODE = CommandSpec.none(0x7178,
            "WEBAUTHN_REGISTRATION_CODE", CLIENT_TO_SERVER);

    private static final CommandRegistry REGISTRY = CommandRegistry.builder()
            .register(WEBAUTHN_REGISTER_BEGIN).register(WEBAUTHN_CREATION_OPTIONS).register(WEBAUTHN_REGISTER_FINISH)
            .register(WEBAUTHN_LIST_CREDENTIALS).register(WEBAUTHN_CREDENTIAL_ID).register(WEBAUTHN_CREDENTIAL_LABEL)
            .register(WEBAUTHN_CREDENTIALS_END).register(WEBAUTHN_REMOVE_CREDENTIAL)
            .register(WEBAUTHN_REGISTRATION_CODE)
            .build();

    private WebAuthnCommands() {
    }

    public static CommandRegistry registry() {
        return REGISTRY;
    }
}
