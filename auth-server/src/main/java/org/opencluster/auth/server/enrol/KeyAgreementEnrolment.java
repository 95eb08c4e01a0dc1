package org.opencluster.auth.server.enrol;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.opencluster.auth.protocol.command.EnrolCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.handshake.HandshakeOutput;
import org.opencluster.auth.protocol.handshake.KeyAgreementPossession;
import org.opencluster.auth.protocol.handshake.PublicKeys;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.suite.KeyExchange;
import org.opencluster.auth.protocol.suite.KeyExchangeGroup;
import org.opencluster.auth.protocol.suite.KeyExchanges;
import org.opencluster.auth.protocol.suite.SuiteException;
import org.opencluster.auth.server.dispatch.Access;
import org.opencluster.auth.server.dispatch.CommandDispatcher;
import org.opencluster.auth.server.dispatch.CommandException;
import org.opencluster.auth.server.provision.AccountEnrolment;
import org.opencluster.auth.server.store.EnrolmentCode;

/**
 * Enrolment of a derive-only key (docs/PROTOCOL.md section 8.1): the key cannot sign a certification request, so
 * it proves possession by key agreement with a fresh server ephemeral ({@link KeyAgreementPossession}). The open
 * challenge of each enrolment session is kept here, keyed by its one-time code, for at most
 * {@link #CHALLENGE_LIFETIME}; a new challenge replaces the old one and a used one is gone.
 */
final class KeyAgreementEnrolment {
    static final Duration CHALLENGE_LIFETIME = Duration.ofMinutes(10);

    private final EnrolHandlers handlers;
    private final AccountEnrolment enrolment;
    private final Clock clock;
    private final SecureRandom random;
    private final Map<String, Challenge> open = new ConcurrentHashMap<>();

    private record Challenge(byte[] spki, KeyExchange.EphemeralKeyPair ephemeral, Instant expires) {
    }

    KeyAgreementEnrolment(EnrolHandlers handlers, AccountEnrolment enrolment, Clock clock, SecureRandom random) {
        this.handlers = handlers;
        this.enrolment = enrolment;
        this.clock = clock;
        this.random = random;
    }

    CommandDispatcher.Builder install(CommandDispatcher.Builder b) {
        return b
                .route(EnrolCommands.ENROL_KEY_CHALLENGE, Access.ENROLMENT_ONLY, (caller, cmd, out) -> {
                    EnrolmentCode grant = EnrolHandlers.newAccountGrant(caller);
                    byte[] spki = cmd.copyBytes();
                    PublicKey offered = decode(spki);
                    try {
                        enrolment.checkKey(SubjectPublicKeyInfo.getInstance(spki));
                    } catch (IllegalArgumentException e) {
                        throw new CommandException(ErrorCode.BAD_PARAMETER, "enrolment refused: " + e.getMessage());
                    }
                    KeyExchangeGroup group = PublicKeys.groupOf(offered).orElseThrow(() -> new CommandException(
                            ErrorCode.BAD_PARAMETER, "only P-256 and X25519 keys enrol by key agreement"));
                    KeyExchange.EphemeralKeyPair ephemeral = KeyExchanges.forGroup(group).generate(random);
                    expireOld();
                    Challenge old = open.put(key(grant), new Challenge(spki, ephemeral,
                            clock.instant().plus(CHALLENGE_LIFETIME)));
                    if (old != null) {
                        old.ephemeral().close();
                    }
                    out.send(RispCommand.string(EnrolCommands.ENROL_KEY_EPHEMERAL.id(),
                            HandshakeOutput.keyShare(group, ephemeral.publicKey())));
                })
                .route(EnrolCommands.ENROL_ACCOUNT_BY_AGREEMENT, Access.ENROLMENT_ONLY, (caller, cmd, out) -> {
                    EnrolmentCode grant = EnrolHandlers.newAccountGrant(caller);
                    EnrolCommands.EnrolByAgreement p = EnrolCommands.EnrolByAgreement.decode(cmd.bytes());
                    byte[] spki = p.publicKey();
                    byte[] proof = p.proof();
                    byte[] envelope = p.envelope();
                    Challenge c = open.remove(key(grant));
                    if (c == null || c.expires().isBefore(clock.instant())) {
                        throw new CommandException(ErrorCode.BAD_PARAMETER, "no open key challenge in this session:"
                                + " send ENROL_KEY_CHALLENGE first");
                    }
                    PublicKey key = decode(spki);
                    byte[] z = null;
                    try {
                        if (!java.security.MessageDigest.isEqual(c.spki(), spki)) {
                            throw new CommandException(ErrorCode.BAD_PARAMETER, "the key differs from the challenged one");
                        }
                        z = c.ephemeral().agree(PublicKeys.encode(key));
                        if (!KeyAgreementPossession.verify(grant.codeHash(), z, spki, caller.username(), proof)) {
                            throw new CommandException(ErrorCode.BAD_PARAMETER, "the proof of possession does not"
                                    + " verify: the key is not held by this client");
                        }
                    } catch (SuiteException e) {
                        throw new CommandException(ErrorCode.BAD_PARAMETER, "the key is not a valid point: "
                                + e.getMessage());
                    } finally {
                        c.ephemeral().close();
                        if (z != null) {
                            java.util.Arrays.fill(z, (byte) 0);
                        }
                    }
                    handlers.answerIssued(caller, grant, out, () -> enrolment.enrolKeyAgreement(caller.username(),
                            grant.kind(), grant.role(), key, envelope, EnrolHandlers.CERTIFICATE_VALIDITY,
                            java.util.Optional.of(grant.use(clock.instant()))));
                });
    }

    private static String key(EnrolmentCode grant) {
        return HexFormat.of().formatHex(grant.codeHash());
    }

    private void expireOld() {
        Instant now = clock.instant();
        open.values().removeIf(c -> {
            boolean expired = c.expires().isBefore(now);
            if (expired) {
                c.ephemeral().close();
            }
            return expired;
        });
    }

    static PublicKey decode(byte[] spki) throws CommandException {
        try {
            String oid = SubjectPublicKeyInfo.getInstance(spki).getAlgorithm().getAlgorithm().getId();
            String alg = oid.equals("1.3.101.110") ? "XDH" : oid.equals("1.2.840.10045.2.1") ? "EC" : null;
            if (alg == null) {
                throw new CommandException(ErrorCode.BAD_PARAMETER, "only EC and X25519 keys do key agreement");
            }
            return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new CommandException(ErrorCode.BAD_PARAMETER, "the public key does not decode");
        }
    }
}
