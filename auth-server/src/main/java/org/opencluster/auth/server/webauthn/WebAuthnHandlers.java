package org.opencluster.auth.server.webauthn;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.EnrolCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.command.WebAuthnCommands;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.dispatch.Access;
import org.opencluster.auth.server.dispatch.CommandDispatcher;
import org.opencluster.auth.server.dispatch.CommandException;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.login.EnrolmentCodeKey;
import org.opencluster.auth.server.store.AccountStore;
import org.opencluster.auth.server.store.EnrolmentCode;
import org.opencluster.auth.server.store.JdbcAccountStore;
import org.opencluster.auth.server.store.JdbcPendingRegistrations;
import org.opencluster.auth.server.store.WebAuthnCredential;
import org.opencluster.auth.server.store.WebAuthnCredentialStore;
import org.opencluster.auth.server.log.LogValues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The WebAuthn commands of docs/PROTOCOL.md section 8.2, on the shared dispatcher (so every transport has them). */
public final class WebAuthnHandlers {
    /** A code for adding a key from a browser is meant to be used right away. */
    public static final Duration REGISTRATION_CODE_LIFETIME = Duration.ofMinutes(10);

    private static final Logger LOG = LoggerFactory.getLogger(WebAuthnHandlers.class);

    private final SecurityKeyRegistration registration;
    private final AccountStore accounts;
    private final WebAuthnCredentialStore credentials;
    private final Clock clock;
    private final SecureRandom random;
    private final EnrolmentCodeKey codes;

    public WebAuthnHandlers(WebAuthnService service, JdbcAccountStore store, EnrolmentCodeKey codes, Clock clock,
            SecureRandom random) {
        this.codes = codes;
        this.registration = new SecurityKeyRegistration(service, store, store,
                new JdbcPendingRegistrations(store, PendingRegistrations.MAX_PENDING), clock, random);
        this.accounts = store;
        this.credentials = store;
        this.clock = clock;
        this.random = random;
    }

    public CommandDispatcher.Builder install(CommandDispatcher.Builder b) {
        return b
                .route(WebAuthnCommands.WEBAUTHN_REGISTER_BEGIN, Access.ANY_SESSION, (caller, cmd, out) ->
                        out.send(RispCommand.string(WebAuthnCommands.WEBAUTHN_CREATION_OPTIONS.id(),
                                registration.begin(caller).getBytes(StandardCharsets.UTF_8))))
                .route(WebAuthnCommands.WEBAUTHN_REGISTER_FINISH, Access.ANY_SESSION, (caller, cmd, out) -> {
                    registration.finish(caller, cmd.copyBytes());
                    out.send(RispCommand.none(CoreCommands.OK.id()));
                })
                .route(WebAuthnCommands.WEBAUTHN_LIST_CREDENTIALS, Access.ANY_ACCOUNT, (caller, cmd, out) -> {
                    for (WebAuthnCredential c : credentials.webAuthnCredentials(caller.username())) {
                        out.send(RispCommand.string(WebAuthnCommands.WEBAUTHN_CREDENTIAL_ID.id(), c.credentialId()));
                        byte[] label = (c.label() + (c.flagged() ? " (refused: counter went back)" : ""))
                                .getBytes(StandardCharsets.UTF_8);
                        out.send(RispCommand.string(WebAuthnCommands.WEBAUTHN_CREDENTIAL_LABEL.id(),
                                java.util.Arrays.copyOf(label, Math.min(label.length, 255))));
                    }
                    out.send(RispCommand.none(WebAuthnCommands.WEBAUTHN_CREDENTIALS_END.id()));
                })
                .route(WebAuthnCommands.WEBAUTHN_REMOVE_CREDENTIAL, Access.ANY_ACCOUNT, (caller, cmd, out) -> {
                    if (!credentials.removeWebAuthnCredential(caller.username(), cmd.copyBytes())) {
                        throw new CommandException(ErrorCode.NOT_FOUND, caller.username()
                                + " has no security key with that credential id");
                    }
                    LOG.info("event=webauthn.credential.removed account={}", LogValues.quote(caller.username()));
                    out.send(RispCommand.none(CoreCommands.OK.id()));
                })
                .route(WebAuthnCommands.WEBAUTHN_REGISTRATION_CODE, Access.ANY_ACCOUNT, (caller, cmd, out) -> {
                    Account a = accounts.findAccount(caller.username()).orElseThrow(() -> new CommandException(
                            ErrorCode.NOT_FOUND, "account " + caller.username() + " no longer exists"));
                    if (a.kind() != Account.Kind.PERSON) {
                        throw new CommandException(ErrorCode.FORBIDDEN, "security keys are for people");
                    }
                    String code = codes.issue(accounts, EnrolmentCode.ADD_SECURITY_KEY, Optional.of(a.username()),
                            a.role(), Account.Kind.PERSON, clock.instant().plus(REGISTRATION_CODE_LIFETIME));
                    LOG.info("event=webauthn.registration_code.issued account={}", LogValues.quote(a.username()));
                    out.send(RispCommand.string(EnrolCommands.ENROLMENT_CODE_IS.id(),
                            code.getBytes(StandardCharsets.US_ASCII)));
                });
    }
}
