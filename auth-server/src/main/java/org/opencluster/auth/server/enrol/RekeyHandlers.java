package org.opencluster.auth.server.enrol;

import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.opencluster.auth.protocol.command.AccountLifecycleCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.handshake.HandshakeOutput;
import org.opencluster.auth.protocol.handshake.KeyAgreementPossession;
import org.opencluster.auth.protocol.handshake.PublicKeys;
import org.opencluster.auth.protocol.risp.CommandSpec;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.suite.KeyExchange;
import org.opencluster.auth.protocol.suite.KeyExchangeGroup;
import org.opencluster.auth.protocol.suite.KeyExchanges;
import org.opencluster.auth.protocol.suite.SuiteException;
import org.opencluster.auth.server.ca.ClusterCa;
import org.opencluster.auth.server.dispatch.Access;
import org.opencluster.auth.server.dispatch.Caller;
import org.opencluster.auth.server.dispatch.CommandDispatcher;
import org.opencluster.auth.server.dispatch.CommandException;
import org.opencluster.auth.server.dispatch.CommandHandler;
import org.opencluster.auth.server.dispatch.ReplySink;
import org.opencluster.auth.server.log.LogValues;
import org.opencluster.auth.server.provision.AccountEnrolment;
import org.opencluster.auth.server.provision.KeyPolicy;
import org.opencluster.auth.server.session.SessionRegistry;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.store.AccountStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A logged-in account replaces its key (docs/PROTOCOL.md 8.3): a person's new software key with a new passphrase
 * envelope (how a passphrase changes), a service's key on a new token, a person's key on a new card. The session
 * itself proves the old key; the new key proves possession over the rekey binding, which names this session, a
 * fresh server nonce, the new key and the account, with the enrolment proofs (a signed PKCS#10 request, or the
 * key-agreement proof keyed by the binding instead of the code hash). The name, kind and role stay; once the store
 * has the new key every session of the account ends, this one after its answer, and the old key and envelope
 * fail at the next login.
 */
public final class RekeyHandlers {
    static final Duration CHALLENGE_LIFETIME = Duration.ofMinutes(10);

    private static final Logger LOG = LoggerFactory.getLogger(RekeyHandlers.class);

    private final AccountStore store;
    private final AccountEnrolment enrolment;
    private final SessionRegistry sessions;
    private final Clock clock;
    private final SecureRandom random;
    /** The open challenge of each session (by session id), at most one, used once. */
    private final Map<String, Challenge> open = new ConcurrentHashMap<>();

    /** @param ephemeral the server's key share for a key that can do key agreement, else empty */
    private record Challenge(String username, byte[] spki, byte[] binding,
            Optional<KeyExchange.EphemeralKeyPair> ephemeral, Instant expires) {
        void close() {
            ephemeral.ifPresent(KeyExchange.EphemeralKeyPair::close);
        }
    }

    public RekeyHandlers(AccountStore store, ClusterCa ca, KeyPolicy keys,
            org.opencluster.auth.token.envelope.KdfParameters kdfFloor, SessionRegistry sessions, Clock clock,
            SecureRandom random) {
        this.store = Objects.requireNonNull(store);
        this.enrolment = new AccountEnrolment(ca, store, keys, kdfFloor);
        this.sessions = Objects.requireNonNull(sessions);
        this.clock = Objects.requireNonNull(clock);
        this.random = Objects.requireNonNull(random);
    }

    public CommandDispatcher.Builder install(CommandDispatcher.Builder b) {
        return b
                .route(AccountLifecycleCommands.REKEY_BEGIN, Access.ANY_ACCOUNT, this::begin)
                .route(AccountLifecycleCommands.REKEY_SIGNED, Access.ANY_ACCOUNT, rekey(AccountLifecycleCommands.REKEY_SIGNED,
                        (current, c, csrDer, upload) -> () -> {
                            PKCS10CertificationRequest csr = new PKCS10CertificationRequest(csrDer);
                            checkSignedBinding(csr, c);
                            return enrolment.rekey(current, csr, upload.envelope(), upload.opaqueRecord(),
                                    EnrolHandlers.CERTIFICATE_VALIDITY);
                        }))
                .route(AccountLifecycleCommands.REKEY_BY_AGREEMENT, Access.ANY_ACCOUNT, rekey(AccountLifecycleCommands.REKEY_BY_AGREEMENT,
                        (current, c, proof, upload) -> {
                            KeyExchange.EphemeralKeyPair ephemeral = c.ephemeral().orElseThrow(() ->
                                    new CommandException(ErrorCode.BAD_PARAMETER, "the new key cannot do key"
                                            + " agreement: use REKEY_SIGNED"));
                            if (upload.opaqueRecord() != null) {
                                throw new CommandException(ErrorCode.BAD_PARAMETER, "a derive-only key has no"
                                        + " passphrase: no OPAQUE registration record");
                            }
                            PublicKey key = KeyAgreementEnrolment.decode(c.spki());
                            checkAgreedBinding(ephemeral, key, c, proof);
                            return () -> enrolment.rekeyKeyAgreement(current, key, upload.envelope(),
                                    EnrolHandlers.CERTIFICATE_VALIDITY);
                        }));
    }

    /** How one form of REKEY_* proves the new key and certifies it. */
    @FunctionalInterface
    private interface ProofForm {
        EnrolHandlers.Issuance check(Account current, Challenge challenge, byte[] proof, CredentialUpload upload)
                throws CommandException;
    }

    /**
     * {@code u16 n || proof || u16 m || credential record || [OPAQUE registration record (129)]}: the session's
     * challenge used up, then {@code form}.
     */
    private CommandHandler rekey(CommandSpec command, ProofForm form) {
        return (caller, cmd, out) -> {
            AccountLifecycleCommands.RekeyProof p = AccountLifecycleCommands.RekeyProof.decode(command, cmd.bytes());
            byte[] proof = p.proof();
            CredentialUpload upload = new CredentialUpload(p.credentialRecord(), p.opaqueRecord());
            Challenge c = take(caller);
            try {
                finish(caller, out, form.check(current(caller), c, proof, upload), upload);
            } finally {
                c.close();
            }
        };
    }

    private void begin(Caller caller, RispCommand cmd, ReplySink out) throws CommandException {
        byte[] sessionId = caller.sessionId();
        if (sessionId.length == 0) {
            throw new IllegalStateException("a logged-in caller without its session id");
        }
        current(caller);
        byte[] spki = cmd.copyBytes();
        SubjectPublicKeyInfo info;
        try {
            info = SubjectPublicKeyInfo.getInstance(spki);
            enrolment.checkKey(info);
        } catch (IllegalArgumentException e) {
            throw new CommandException(ErrorCode.BAD_PARAMETER, "rekey refused: " + e.getMessage());
        }
        Optional<KeyExchange.EphemeralKeyPair> ephemeral = Optional.empty();
        byte[] share = new byte[0];
        Optional<KeyExchangeGroup> group = agreesIn(info, spki);
        if (group.isPresent()) {
            KeyExchange.EphemeralKeyPair pair = KeyExchanges.forGroup(group.get()).generate(random);
            ephemeral = Optional.of(pair);
            share = HandshakeOutput.keyShare(group.get(), pair.publicKey());
        }
        byte[] nonce = new byte[AccountLifecycleCommands.NONCE_LENGTH];
        random.nextBytes(nonce);
        byte[] binding = AccountLifecycleCommands.binding(sessionId, nonce, spki, caller.username());
        expireOld();
        Challenge old = open.put(key(sessionId), new Challenge(caller.username(), spki, binding, ephemeral,
                clock.instant().plus(CHALLENGE_LIFETIME)));
        if (old != null) {
            old.close();
        }
        out.send(new AccountLifecycleCommands.RekeyChallenge(nonce, share).toCommand());
    }

    /** The key-agreement group of a P-256 or X25519 key; empty for a key that only signs. */
    private static Optional<KeyExchangeGroup> agreesIn(SubjectPublicKeyInfo info, byte[] spki)
            throws CommandException {
        String oid = info.getAlgorithm().getAlgorithm().getId();
        if (!oid.equals("1.3.101.110") && !oid.equals("1.2.840.10045.2.1")) {
            return Optional.empty();
        }
        return PublicKeys.groupOf(KeyAgreementEnrolment.decode(spki));
    }

    /** The session's open challenge, used up; refused when there is none, it expired, or the account changed. */
    private Challenge take(Caller caller) throws CommandException {
        Challenge c = open.remove(key(caller.sessionId()));
        if (c == null || c.expires().isBefore(clock.instant()) || !c.username().equals(caller.username())) {
            if (c != null) {
                c.close();
            }
            throw new CommandException(ErrorCode.BAD_PARAMETER, "no open rekey challenge in this session: send"
                    + " REKEY_BEGIN first");
        }
        return c;
    }

    private Account current(Caller caller) throws CommandException {
        Account a = store.findAccount(caller.username()).orElseThrow(() -> new CommandException(ErrorCode.NOT_FOUND,
                "the account " + caller.username() + " no longer exists"));
        if (!a.hasPublicKey()) {
            throw new CommandException(ErrorCode.CONFLICT, caller.username() + " has security keys only, no key"
                    + " pair to replace");
        }
        return a;
    }

    /** The request's key is the challenged one, and its signed challengePassword is the binding (hex). */
    private static void checkSignedBinding(PKCS10CertificationRequest csr, Challenge c) {
        byte[] offered;
        try {
            offered = csr.getSubjectPublicKeyInfo().getEncoded();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("the request's key does not encode");
        }
        if (!MessageDigest.isEqual(offered, c.spki())) {
            throw new IllegalArgumentException("the request's key differs from the challenged one");
        }
        var attrs = csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_challengePassword);
        byte[] expected = HexFormat.of().formatHex(c.binding()).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] got = new byte[0];
        if (attrs.length == 1 && attrs[0].getAttrValues().size() == 1) {
            ASN1Encodable v = attrs[0].getAttrValues().getObjectAt(0);
            if (v instanceof ASN1String s) {
                got = s.getString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            }
        }
        // The CA verifies the request's signature before it certifies, inside the same step: an unsigned or
        // re-signed attribute never reaches the store.
        if (!MessageDigest.isEqual(expected, got)) {
            throw new IllegalArgumentException("the request does not carry this session's rekey binding");
        }
    }

    private static void checkAgreedBinding(KeyExchange.EphemeralKeyPair ephemeral, PublicKey key, Challenge c,
            byte[] proof) throws CommandException {
        byte[] z = null;
        try {
            z = ephemeral.agree(PublicKeys.encode(key));
            if (!KeyAgreementPossession.verify(c.binding(), z, c.spki(), c.username(), proof)) {
                throw new CommandException(ErrorCode.BAD_PARAMETER, "the proof of possession does not verify: the"
                        + " new key is not held by this client, or the proof is for another session");
            }
        } catch (SuiteException e) {
            throw new CommandException(ErrorCode.BAD_PARAMETER, "the key is not a valid point: " + e.getMessage());
        } finally {
            if (z != null) {
                Arrays.fill(z, (byte) 0);
            }
        }
    }

    private void finish(Caller caller, ReplySink out, EnrolHandlers.Issuance issue, CredentialUpload upload)
            throws CommandException {
        EnrolHandlers.sendCertificate(EnrolHandlers.certify(caller, "rekey refused", "the key of "
                + caller.username() + " changed meanwhile; log in again", issue), out);
        int ended = sessions.endUser(caller.username(), "the account's key was replaced: log in with the new one");
        LOG.info("event=account.rekeyed account={} envelope={} opaque={} sessions_ended={}",
                LogValues.quote(caller.username()), upload.envelope().length > 0, upload.opaqueRecord() != null, ended);
    }

    private static String key(byte[] sessionId) {
        return HexFormat.of().formatHex(sessionId);
    }

    private void expireOld() {
        Instant now = clock.instant();
        open.values().removeIf(c -> {
            boolean expired = c.expires().isBefore(now);
            if (expired) {
                c.close();
            }
            return expired;
        });
    }
}
