package org.opencluster.auth.server.webauthn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.yubico.webauthn.FinishRegistrationOptions;
import com.yubico.webauthn.RegistrationResult;
import com.yubico.webauthn.StartRegistrationOptions;
import com.yubico.webauthn.data.AuthenticatorSelectionCriteria;
import com.yubico.webauthn.data.ByteArray;
import com.yubico.webauthn.data.PublicKeyCredential;
import com.yubico.webauthn.data.PublicKeyCredentialCreationOptions;
import com.yubico.webauthn.data.ResidentKeyRequirement;
import com.yubico.webauthn.data.UserIdentity;
import com.yubico.webauthn.data.UserVerificationRequirement;
import com.yubico.webauthn.exception.RegistrationFailedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.server.dispatch.Caller;
import org.opencluster.auth.server.dispatch.CommandException;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.store.AccountStore;
import org.opencluster.auth.server.store.EnrolmentCode;
import org.opencluster.auth.server.store.EnrolmentCodeUse;
import org.opencluster.auth.server.store.JdbcPendingRegistrations;
import org.opencluster.auth.server.store.StoreException;
import org.opencluster.auth.server.store.WebAuthnCredential;
import org.opencluster.auth.server.store.WebAuthnCredentialStore;
import org.opencluster.auth.server.log.LogValues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registering security keys. Who may: a logged-in person (a key for their own account); an enrolment session
 * (section 8.1) from an admin's code, which creates the account as a person with security keys only; and an
 * enrolment session from a code the person asked for ({@link EnrolmentCode#ADD_SECURITY_KEY}), which adds a key
 * to that existing account. Attestation is not asked for ("none"): the key is trusted because the session is.
 */
final class SecurityKeyRegistration {
    /** More keys than this per account is refused (and WEBAUTHN_OPTIONS stays well under its limit). */
    static final int MAX_KEYS_PER_ACCOUNT = 16;

    private static final Logger LOG = LoggerFactory.getLogger(SecurityKeyRegistration.class);

    private final WebAuthnService service;
    private final AccountStore accounts;
    private final WebAuthnCredentialStore credentials;
    private final Clock clock;
    private final SecureRandom random;
    private final PendingRegistrations pending;

    /** Whose account a registration is for, and what it needs. */
    private record Target(String username, Account.Role role, boolean exists) {
        boolean admin() {
            return role == Account.Role.ADMIN;
        }
    }

    SecurityKeyRegistration(WebAuthnService service, AccountStore accounts, WebAuthnCredentialStore credentials,
            JdbcPendingRegistrations pendingTable, Clock clock, SecureRandom random) {
        this.service = service;
        this.accounts = accounts;
        this.credentials = credentials;
        this.clock = clock;
        this.random = random;
        this.pending = new PendingRegistrations(pendingTable, clock, service.settings().timeout().plus(Duration.ofSeconds(30)));
    }

    /** WEBAUTHN_REGISTER_BEGIN: the creation options JSON ({@code {"publicKey": {...}}}). */
    String begin(Caller caller) throws CommandException {
        Target target = target(caller);
        List<WebAuthnCredential> existing = target.exists() ? credentials.webAuthnCredentials(target.username())
                : List.of();
        if (existing.size() >= MAX_KEYS_PER_ACCOUNT) {
            throw new CommandException(ErrorCode.CONFLICT, target.username() + " has " + MAX_KEYS_PER_ACCOUNT
                    + " security keys already; remove one first");
        }
        byte[] handle = existing.isEmpty() ? newUserHandle() : existing.get(0).userHandle();
        PublicKeyCredentialCreationOptions options = service.relyingParty().startRegistration(
                StartRegistrationOptions.builder()
                        .user(UserIdentity.builder().name(target.username()).displayName(target.username())
                                .id(new ByteArray(handle)).build())
                        .authenticatorSelection(AuthenticatorSelectionCriteria.builder()
                                .residentKey(ResidentKeyRequirement.DISCOURAGED)
                                .userVerification(target.admin() ? UserVerificationRequirement.REQUIRED
                                        : UserVerificationRequirement.PREFERRED)
                                .build())
                        .timeout(service.settings().timeout().toMillis())
                        .build());
        if (!pending.put(target.username(), options)) {
            throw new CommandException(ErrorCode.RATE_LIMITED, "too many registrations in progress; retry later");
        }
        try {
            return options.toCredentialsCreateJson();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("creation options do not serialise", e);
        }
    }

    /** WEBAUTHN_REGISTER_FINISH: verifies the created credential and stores it. */
    void finish(Caller caller, byte[] json) throws CommandException {
        Target target = target(caller);
        PublicKeyCredentialCreationOptions request = pending.take(target.username()).orElseThrow(
                () -> new CommandException(ErrorCode.CONFLICT, "no registration in progress for "
                        + target.username() + " (or it expired): send WEBAUTHN_REGISTER_BEGIN first"));
        RegistrationResult result;
        try {
            result = service.relyingParty().finishRegistration(FinishRegistrationOptions.builder().request(request)
                    .response(PublicKeyCredential.parseRegistrationResponseJson(
                            new String(json, StandardCharsets.UTF_8)))
                    .build());
        } catch (IOException | RuntimeException e) {
            throw new CommandException(ErrorCode.BAD_PARAMETER, "not the JSON of a created public-key credential"
                    + " (PublicKeyCredential.toJSON() of navigator.credentials.create())");
        } catch (RegistrationFailedException e) {
            // The library's message is an exception's toString (class name, and client data such as the origin):
            // it goes to the log, quoted and without control characters; the peer gets one fixed text.
            LOG.info("event=webauthn.registration.refused account={} detail={}", LogValues.quote(target.username()),
                    LogValues.quote(e.getMessage()));
            throw new CommandException(ErrorCode.BAD_PARAMETER, "registration refused: the key's answer does not"
                    + " verify for this registration (challenge, origin, relying party or signature); start again"
                    + " with WEBAUTHN_REGISTER_BEGIN");
        }
        if (target.admin() && !result.isUserVerified()) {
            throw new CommandException(ErrorCode.BAD_PARAMETER, "admin accounts need a key that verifies its user"
                    + " (PIN or biometric); this registration did not");
        }
        int number = target.exists() ? credentials.webAuthnCredentials(target.username()).size() + 1 : 1;
        WebAuthnCredential credential = new WebAuthnCredential(target.username(), result.getKeyId().getId().getBytes(),
                request.getUser().getId().getBytes(), result.getPublicKeyCose().getBytes(), result.getSignatureCount(),
                "security key " + number, false, clock.instant(), Optional.empty());
        // An enrolment session's code is used up with the key it registers, in the same transaction.
        Optional<EnrolmentCodeUse> code = caller.enrolment().map(grant -> grant.use(clock.instant()));
        try {
            if (target.exists()) {
                credentials.addWebAuthnCredential(credential, code);
            } else {
                credentials.createSecurityKeyPerson(target.role(), credential, code);
            }
        } catch (StoreException e) {
            if (e.codeUsedUp()) {
                throw new CommandException(ErrorCode.CONFLICT, "the enrolment code of this session was used by"
                        + " another enrolment meanwhile, or has expired (a code enrols once)");
            }
            if (e.conflict()) {
                throw new CommandException(ErrorCode.CONFLICT, target.exists()
                        ? "this security key is registered already" : "account " + target.username()
                        + " exists already (a code enrols once)");
            }
            throw e;
        }
        LOG.info("event=webauthn.credential.registered account={} created_account={} uv={}",
                LogValues.quote(target.username()),
                !target.exists(), result.isUserVerified());
    }

    private Target target(Caller caller) throws CommandException {
        String name = caller.username();
        Optional<Account> account = accounts.findAccount(name);
        if (caller.role() == Account.Role.ENROLLING) {
            EnrolmentCode grant = caller.enrolment().orElseThrow();
            if (grant.addsSecurityKey()) {
                Account a = account.orElseThrow(() -> new CommandException(ErrorCode.NOT_FOUND, "account " + name
                        + " no longer exists"));
                return new Target(name, a.role(), true);
            }
            if (grant.kind() != Account.Kind.PERSON) {
                throw new CommandException(ErrorCode.FORBIDDEN, "a service account proves with its token key,"
                        + " not a security key: enrol it with ENROL_ACCOUNT");
            }
            if (account.isPresent()) {
                throw new CommandException(ErrorCode.CONFLICT, "account " + name + " exists already: close this"
                        + " enrolment session and log in to add further keys");
            }
            return new Target(name, grant.role(), false);
        }
        Account a = account.orElseThrow(() -> new CommandException(ErrorCode.NOT_FOUND, "account " + name
                + " no longer exists"));
        if (a.kind() != Account.Kind.PERSON) {
            throw new CommandException(ErrorCode.FORBIDDEN, "security keys are for people; " + name
                    + " is a service account");
        }
        return new Target(name, a.role(), true);
    }

    private byte[] newUserHandle() {
        byte[] handle = new byte[32];
        random.nextBytes(handle);
        return handle;
    }
}
