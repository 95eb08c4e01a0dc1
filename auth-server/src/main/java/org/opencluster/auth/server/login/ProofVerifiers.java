package org.opencluster.auth.server.login;

import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.PROTOCOL_VERSION_3;

import java.security.PublicKey;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.opencluster.auth.protocol.handshake.EnvelopeField;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.handshake.PublicKeys;
import org.opencluster.auth.protocol.pake.PakeException;
import org.opencluster.auth.protocol.suite.KeyExchangeGroup;
import org.opencluster.auth.server.log.LogValues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that maps a proof kind to its verifier and decides which kind a LOGIN_REQUEST is asked for; it
 * also lays out the part of LOGIN_CHALLENGE every kind shares (the ENVELOPE) and answers an account that cannot
 * be served exactly as an unknown name.
 */
final class ProofVerifiers {
    private static final Logger LOG = LoggerFactory.getLogger(ProofVerifiers.class);

    /** A challenge as issued, and the login as it was served (an unservable account is served as unknown). */
    record Issued(LoginSubject subject, ProofVerifier verifier, ProofChallenge challenge) {
    }

    private final HandshakeSettings settings;
    private final Map<ProofKind, ProofVerifier> byKind = new EnumMap<>(ProofKind.class);

    ProofVerifiers(HandshakeSettings settings, String remote) {
        this.settings = settings;
        register(new SignatureVerifier(settings.random(), remote));
        register(new KeyAgreementVerifier(settings.random(), remote));
        register(new EnrolmentCodeVerifier(settings.enrolments(), settings.random()));
        settings.webAuthn().ifPresent(logins -> register(new WebAuthnVerifier(logins, settings.random(), remote)));
    }

    private void register(ProofVerifier verifier) {
        byKind.put(verifier.kind(), verifier);
    }

    /** The verifier of {@code kind}; empty when this server does not take that kind (WebAuthn not configured). */
    Optional<ProofVerifier> forKind(ProofKind kind) {
        return Optional.ofNullable(byKind.get(kind));
    }

    /**
     * The kind a login is asked for: what its extensions ask for (enrolment code, security key), else a proof with
     * the account key. Version 3 asks every key for the key agreement (every P-256 and X25519 key can answer it,
     * derive-only keys included, and a key that cannot signs instead); versions 1 and 2 ask what the key can do,
     * the server's EC preference deciding for keys that can do both.
     */
    ProofVerifier asked(LoginSubject subject) {
        if (subject.enrolling()) {
            return byKind.get(ProofKind.ENROLMENT_CODE);
        }
        if (subject.webAuthn()) {
            return byKind.get(ProofKind.WEBAUTHN);
        }
        if (subject.version() >= PROTOCOL_VERSION_3) {
            return byKind.get(ProofKind.KEY_AGREEMENT);
        }
        Optional<PublicKey> key = subject.key();
        Optional<KeyExchangeGroup> group = key.isEmpty() ? Optional.of(KeyExchangeGroup.P256)
                : PublicKeys.groupOf(key.get());
        boolean canAgree = group.isPresent();
        boolean canSign = key.isEmpty() || !"XDH".equals(key.get().getAlgorithm())
                && !"X25519".equals(key.get().getAlgorithm()) && subject.account().get().keySigns();
        return byKind.get(canAgree && (!canSign || settings.ecProofKind() == ProofKind.KEY_AGREEMENT)
                ? ProofKind.KEY_AGREEMENT : ProofKind.SIGNATURE);
    }

    /**
     * The challenge for {@code subject}. An account that cannot be served (an envelope larger than the field, a
     * WebAuthn lookup that failed) gets what an unknown name gets, never an INTERNAL error that says the name
     * exists (issue 13 item 5).
     */
    Issued issue(LoginSubject subject) {
        try {
            return issueAs(subject);
        } catch (RuntimeException e) {
            LOG.warn("event=login.account_unservable user={} error={}",
                    LogValues.quote(subject.username()), e.toString());
            return issueAs(subject.asUnknown());
        }
    }

    private Issued issueAs(LoginSubject subject) {
        ProofVerifier verifier = asked(subject);
        // First, as it is what fails for an envelope that does not fit: the fallback then repeats no key generation.
        // Every name pays for the decoy, so a known name does not answer sooner than an unknown one (item 2).
        byte[] decoy = DecoyEnvelopes.derive(settings.decoySecret(), subject.username());
        Optional<LoginAccount> envelopeOwner = verifier.handsOutEnvelope() ? subject.account() : Optional.empty();
        byte[] envelope = envelopeOwner.flatMap(LoginAccount::envelope).orElse(decoy);
        byte[] envelopeField = EnvelopeField.pad(envelope, settings.envelopeFieldLength());
        ProofChallenge challenge = verifier.challenge(subject, envelopeField);
        if (subject.oprfRequest().isPresent()) {
            // Every request is answered, from the stored record of a version 2 person or a fake one (section 5.5.6).
            challenge = challenge.withOprfResponse(oprfResponse(subject, envelopeOwner.flatMap(LoginAccount::opaqueRecord)));
        }
        return new Issued(subject, verifier, challenge);
    }

    /** The credential response (the element was validated with LOGIN_REQUEST; a stored record that does not decode is unservable). */
    private byte[] oprfResponse(LoginSubject subject, Optional<byte[]> record) {
        try {
            return settings.oprf().respond(subject.oprfRequest().orElseThrow(), subject.username(), record,
                    settings.random()).serialize();
        } catch (PakeException e) {
            throw new IllegalStateException("cannot answer the OPRF step: " + e.getMessage(), e);
        }
    }
}
