package org.opencluster.auth.server.enrol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.opencluster.auth.protocol.command.EnrolCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.ca.ClusterCa;
import org.opencluster.auth.server.provision.AccountEnrolment;
import org.opencluster.auth.server.provision.KeyPolicy;
import org.opencluster.auth.server.dispatch.Access;
import org.opencluster.auth.server.dispatch.Caller;
import org.opencluster.auth.server.dispatch.CommandDispatcher;
import org.opencluster.auth.server.dispatch.CommandException;
import org.opencluster.auth.server.dispatch.ReplySink;
import org.opencluster.auth.server.log.LogValues;
import org.opencluster.auth.server.login.EnrolmentCodeKey;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.store.AccountStore;
import org.opencluster.auth.server.store.EnrolmentCode;
import org.opencluster.auth.server.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enrolment: admins issue one-time codes; the enrollee's own client generates the key (and, for a person, seals the
 * envelope with the passphrase, which never leaves that client) and registers it in the enrolment session that the
 * code opened. The CA certifies the key only after checking the request's signature (proof of possession).
 */
public final class EnrolHandlers {
    /** How long a code issued by an admin stays valid. */
    public static final Duration CODE_LIFETIME = Duration.ofHours(1);
    /** Validity of account certificates. */
    public static final Duration CERTIFICATE_VALIDITY = Duration.ofDays(365);

    private static final Logger LOG = LoggerFactory.getLogger(EnrolHandlers.class);

    private final AccountStore store;
    private final AccountEnrolment enrolment;
    private final Clock clock;
    private final SecureRandom random;
    private final KeyAgreementEnrolment keyAgreement;
    private final EnrolmentCodeKey codes;

    public EnrolHandlers(AccountStore store, ClusterCa ca, EnrolmentCodeKey codes, Clock clock, SecureRandom random) {
        this(store, ca, codes, clock, random, KeyPolicy.DEFAULT, AccountEnrolment.DEFAULT_KDF_FLOOR);
    }

    /**
     * @param keys     which account keys the CA certifies (configuration keys {@code keys.*})
     * @param kdfFloor the least Argon2id cost of an envelope (configuration keys {@code envelope.min-*})
     */
    public EnrolHandlers(AccountStore store, ClusterCa ca, EnrolmentCodeKey codes, Clock clock, SecureRandom random,
            KeyPolicy keys, org.opencluster.auth.token.envelope.KdfParameters kdfFloor) {
        this.store = store;
        this.codes = codes;
        this.enrolment = new AccountEnrolment(ca, store, keys, kdfFloor);
        this.clock = clock;
        this.random = random;
        this.keyAgreement = new KeyAgreementEnrolment(this, enrolment, clock, random);
    }

    public CommandDispatcher.Builder install(CommandDispatcher.Builder b) {
        b.route(EnrolCommands.ADMIN_ENROLMENT_CODE, Access.ADMIN_ONLY, (caller, cmd, out) -> {
                    EnrolCommands.EnrolmentCodeRequest p = EnrolCommands.EnrolmentCodeRequest.decode(cmd.bytes());
                    String name = p.username();
                    if (store.findAccount(name).isPresent()) {
                        throw new CommandException(ErrorCode.CONFLICT, "account " + name + " exists already");
                    }
                    String code = codes.issue(store, EnrolmentCode.NEW_ACCOUNT, Optional.of(name),
                            p.admin() ? Account.Role.ADMIN : Account.Role.USER,
                            p.service() ? Account.Kind.SERVICE : Account.Kind.PERSON, clock.instant().plus(CODE_LIFETIME));
                    LOG.info("event=admin.enrolment_code.issued admin={} account={}", LogValues.quote(caller.username()),
                            LogValues.quote(name));
                    out.send(RispCommand.string(EnrolCommands.ENROLMENT_CODE_IS.id(),
                            code.getBytes(StandardCharsets.US_ASCII)));
                })
                .route(EnrolCommands.ENROL_ACCOUNT, Access.ENROLMENT_ONLY, (caller, cmd, out) -> {
                    EnrolmentCode grant = newAccountGrant(caller);
                    EnrolCommands.EnrolAccount p = EnrolCommands.EnrolAccount.decode(cmd.bytes());
                    byte[] csrDer = p.request();
                    CredentialUpload upload = new CredentialUpload(p.envelope(), p.opaqueRecord());
                    answerIssued(caller, grant, out, () -> enrolment.enrol(caller.username(), grant.kind(),
                            grant.role(), new PKCS10CertificationRequest(csrDer), upload.envelope(),
                            upload.opaqueRecord(), CERTIFICATE_VALIDITY, Optional.of(grant.use(clock.instant()))));
                });
        return keyAgreement.install(b);
    }

    /**
     * The code of an enrolment session that may create an account: a code that only adds a security key to an
     * existing account (WEBAUTHN_REGISTRATION_CODE) opens a session for WEBAUTHN_REGISTER_* alone, so every route
     * that certifies a key refuses it before any key work.
     */
    static EnrolmentCode newAccountGrant(Caller caller) throws CommandException {
        EnrolmentCode grant = caller.enrolment().orElseThrow();
        if (grant.addsSecurityKey()) {
            throw new CommandException(ErrorCode.FORBIDDEN, "this code only adds a security key to "
                    + caller.username() + " (WEBAUTHN_REGISTER_BEGIN / FINISH)");
        }
        return grant;
    }

    /** Creates the account through {@code issue} and answers ISSUED_CERTIFICATE, or the matching error. */
    void answerIssued(Caller caller, EnrolmentCode grant, ReplySink out, Issuance issue) throws CommandException {
        X509Certificate cert = certify(caller, "enrolment refused", "account " + caller.username()
                + " exists already (a code enrols once)", issue);
        sendCertificate(cert, out);
        LOG.info("event=account.enrolled account={} kind={} role={}", LogValues.quote(caller.username()), grant.kind(),
                grant.role());
    }

    /**
     * Runs {@code issue} and returns the new certificate, turning each refusal into its error: a request that does
     * not parse or verify, a refused key or envelope ({@code BAD_PARAMETER}), an envelope below the KDF floor
     * ({@code KDF_TOO_WEAK}), a store conflict ({@code CONFLICT} with {@code conflict}).
     */
    static X509Certificate certify(Caller caller, String refused, String conflict, Issuance issue)
            throws CommandException {
        try {
            return issue.run().get(0);
        } catch (IOException e) {
            // Bouncy Castle's parse message can name its classes: the detail stays in the log.
            LOG.info("event=certification.refused account={} detail={}", LogValues.quote(caller.username()),
                    LogValues.quote(e.toString()));
            throw new CommandException(ErrorCode.BAD_PARAMETER, refused + ": the certification request is"
                    + " not the DER of a PKCS#10 request");
        } catch (AccountEnrolment.WeakKdfException e) {
            throw new CommandException(ErrorCode.KDF_TOO_WEAK, refused + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new CommandException(ErrorCode.BAD_PARAMETER, refused + ": " + e.getMessage());
        } catch (StoreException e) {
            if (e.codeUsedUp()) {
                throw new CommandException(ErrorCode.CONFLICT, "the enrolment code of this session was used by"
                        + " another enrolment meanwhile, or has expired (a code enrols once)");
            }
            if (e.conflict()) {
                throw new CommandException(ErrorCode.CONFLICT, conflict);
            }
            throw e;
        }
    }

    static void sendCertificate(X509Certificate cert, ReplySink out) {
        try {
            out.send(RispCommand.string(EnrolCommands.ISSUED_CERTIFICATE.id(), cert.getEncoded()));
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One way of certifying the new key and creating the account. */
    @FunctionalInterface
    interface Issuance {
        List<X509Certificate> run() throws IOException;
    }
}
