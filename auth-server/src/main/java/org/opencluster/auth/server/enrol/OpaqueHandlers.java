package org.opencluster.auth.server.enrol;

import java.nio.ByteBuffer;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.command.OpaqueCommands;
import org.opencluster.auth.protocol.pake.PakeException;
import org.opencluster.auth.protocol.pake.RegistrationRecord;
import org.opencluster.auth.protocol.pake.RegistrationRequest;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.dispatch.Access;
import org.opencluster.auth.server.dispatch.Caller;
import org.opencluster.auth.server.dispatch.CommandDispatcher;
import org.opencluster.auth.server.dispatch.CommandException;
import org.opencluster.auth.server.login.OprfLogins;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.store.AccountStore;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.envelope.KdfParameters;
import org.opencluster.auth.token.envelope.EnvelopePolicy;
import org.opencluster.auth.token.envelope.PassphraseEnvelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OPAQUE registration of a logged-in person's own passphrase (docs/PROTOCOL.md 8.4): the re-registration of a
 * version 1 account after its login (issue 14 item 4) and of a fresh enrolment at its first login. Only a session
 * that proved the account's key may replace its credential; enrolment sessions cannot (a code would otherwise
 * reach an account it did not create).
 */
public final class OpaqueHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(OpaqueHandlers.class);

    private final AccountStore store;
    private final OprfLogins oprf;
    private final EnvelopePolicy envelopes;

    /**
     * @param kdfFloor the server's floor on envelope KDF parameters ({@code envelope.min-*}): for a version 2
     *                 envelope they are the costs of OPAQUE's key stretching, held to the same floor
     */
    public OpaqueHandlers(AccountStore store, OprfLogins oprf, KdfParameters kdfFloor) {
        this.store = store;
        this.oprf = oprf;
        this.envelopes = EnvelopePolicy.builder().floor(kdfFloor).build();
    }

    public CommandDispatcher.Builder install(CommandDispatcher.Builder b) {
        return b.route(OpaqueCommands.OPAQUE_REGISTER_BEGIN, Access.ANY_SESSION, (caller, cmd, out) -> {
            registering(caller);
            try {
                RegistrationRequest request = RegistrationRequest.deserialize(cmd.copyBytes());
                out.send(RispCommand.string(OpaqueCommands.OPAQUE_REGISTRATION_RESPONSE.id(),
                        oprf.register(request, caller.username()).serialize()));
            } catch (PakeException e) {
                throw new CommandException(ErrorCode.BAD_PARAMETER, "not a registration request: " + e.getMessage());
            }
        }).route(OpaqueCommands.OPAQUE_REGISTER_FINISH, Access.ANY_ACCOUNT, (caller, cmd, out) -> {
            person(caller);
            OpaqueCommands.RegisterFinish p = OpaqueCommands.RegisterFinish.decode(cmd.bytes());
            byte[] record = p.record();
            byte[] envelope = p.envelope();
            try {
                RegistrationRecord.deserialize(record).wipe();
                PassphraseEnvelope.checkSealedFor(caller.username(), envelope, envelopes);
            } catch (PakeException | TokenException e) {
                boolean weak = e instanceof TokenException t && t.error() == TokenError.KDF_TOO_WEAK;
                throw new CommandException(weak ? ErrorCode.KDF_TOO_WEAK : ErrorCode.BAD_PARAMETER,
                        "registration refused: " + e.getMessage());
            }
            if (!store.setOpaqueCredential(caller.username(), envelope, record)) {
                throw new CommandException(ErrorCode.NOT_FOUND, "no such person");
            }
            java.util.Arrays.fill(record, (byte) 0);
            LOG.info("event=account.opaque_registered account={}", caller.username());
            out.send(RispCommand.none(org.opencluster.auth.protocol.command.CoreCommands.OK.id()));
        });
    }

    /**
     * Who may have a passphrase evaluated under the OPRF key of its own name: a person with a passphrase envelope
     * (a re-registration or, before REKEY_SIGNED, a passphrase change), or an enrolment session whose code creates
     * a person (the registration that ENROL_ACCOUNT then uploads; the name has no account yet, so the code reaches
     * only the account it creates).
     */
    private void registering(Caller caller) throws CommandException {
        if (caller.role() == Account.Role.ENROLLING) {
            if (EnrolHandlers.newAccountGrant(caller).kind() != Account.Kind.PERSON) {
                throw new CommandException(ErrorCode.FORBIDDEN, "only a person registers a passphrase");
            }
            return;
        }
        person(caller);
    }

    /** The caller's account must be a person with a passphrase envelope (services and card holders have none). */
    private void person(Caller caller) throws CommandException {
        Account account = store.findAccount(caller.username()).orElseThrow(
                () -> new CommandException(ErrorCode.NOT_FOUND, "no such account"));
        if (account.kind() != Account.Kind.PERSON || account.envelope().isEmpty()) {
            throw new CommandException(ErrorCode.FORBIDDEN, "only a person with a passphrase registers one");
        }
    }
}
