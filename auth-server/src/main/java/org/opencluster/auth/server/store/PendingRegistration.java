package org.opencluster.auth.server.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A security-key registration between BEGIN and FINISH (Flyway V11): the creation options sent to the client, as
 * JSON, and their challenge, which tells one BEGIN from the next. Public data: the challenge is answered only with
 * the authenticator's key.
 *
 * @param username  the account the key is for (one registration per account)
 * @param challenge the options' challenge
 * @param options   the {@code PublicKeyCredentialCreationOptions} as JSON, at most {@link #MAX_OPTIONS_CHARS}
 * @param expiresAt after this instant (wall clock) the registration is worth nothing
 */
public record PendingRegistration(String username, byte[] challenge, String options, Instant expiresAt) {
    /** The column's size: the options of an account with 16 keys of the largest credential ids fit. */
    public static final int MAX_OPTIONS_CHARS = 65_536;

    public PendingRegistration {
        Objects.requireNonNull(username);
        challenge = challenge.clone();
        Objects.requireNonNull(expiresAt);
        if (options.length() > MAX_OPTIONS_CHARS) {
            throw new IllegalArgumentException("creation options of " + options.length() + " characters exceed "
                    + MAX_OPTIONS_CHARS);
        }
    }

    @Override
    public byte[] challenge() {
        return challenge.clone();
    }
}
