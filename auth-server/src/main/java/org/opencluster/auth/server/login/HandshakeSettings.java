package org.opencluster.auth.server.login;

import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.opencluster.auth.protocol.frame.FrameConfig;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.suite.SuitePolicy;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.token.Token;

/**
 * Everything the server side of the handshake needs, shared by all connections (immutable; the policy is read
 * through a supplier so each handshake uses the policy current when its SERVER_HELLO is built).
 *
 * @param envelopeFieldLength every ENVELOPE field is exactly this long (real envelopes padded, decoys derived)
 * @param ecProofKind         the proof asked of EC keys, which can do both (Ed25519/RSA always sign, X25519 always
 *                            agrees)
 * @param webAuthn            security-key logins (proof kind 4); empty: a kind-4 request is refused
 * @param hello               what a CLIENT_HELLO gets before any signature: signed answer, cookie retry or refusal
 * @param oprf                the OPRF step of passphrase logins (docs/PROTOCOL.md 5.5.6)
 */
public record HandshakeSettings(SuiteRegistry suites, Supplier<SuitePolicy> policy, Token serverKey,
        List<X509Certificate> serverChain, AccountDirectory accounts, byte[] decoySecret, int envelopeFieldLength,
        ProofKind ecProofKind, FrameConfig frames, LoginThrottle throttle, SecureRandom random,
        Enrolments enrolments, java.util.Optional<WebAuthnLogins> webAuthn, HelloGate hello, OprfLogins oprf) {

    /**
     * Default ENVELOPE field size: the envelope of every supported key fits for any username. The largest, RSA-3072
     * alone (PKCS#8 about 1,795 bytes, plaintext padded to 2,048), is 66 + salt 16 + name 255 + 2,064 = 2,401
     * bytes; 2,560 leaves room for the format's longest salt (64). An RSA-4096 envelope (plaintext 2,560) does not
     * fit and is refused at enrolment (docs/PROTOCOL.md 5.5.2, 8.1).
     */
    public static final int DEFAULT_ENVELOPE_FIELD_LENGTH = 2560;

    public HandshakeSettings {
        Objects.requireNonNull(suites);
        Objects.requireNonNull(policy);
        Objects.requireNonNull(serverKey);
        serverChain = List.copyOf(serverChain);
        if (serverChain.isEmpty()) {
            throw new IllegalArgumentException("the server needs its certificate");
        }
        Objects.requireNonNull(accounts);
        if (decoySecret.length < 32) {
            throw new IllegalArgumentException("the decoy secret must be at least 32 bytes");
        }
        if (envelopeFieldLength < 256 || envelopeFieldLength > 8160) {
            throw new IllegalArgumentException("envelopeFieldLength must be 256..8160");
        }
        Objects.requireNonNull(ecProofKind);
        if (ecProofKind == ProofKind.ENROLMENT_CODE || ecProofKind == ProofKind.WEBAUTHN) {
            throw new IllegalArgumentException("the proof asked of EC keys is SIGNATURE or KEY_AGREEMENT");
        }
        Objects.requireNonNull(frames);
        Objects.requireNonNull(throttle);
        Objects.requireNonNull(random);
        Objects.requireNonNull(enrolments);
        Objects.requireNonNull(webAuthn);
        Objects.requireNonNull(hello);
        Objects.requireNonNull(oprf);
    }

    /** Settings whose OPRF seed lives only as long as this process (tests, embedded uses without a data directory). */
    public HandshakeSettings(SuiteRegistry suites, Supplier<SuitePolicy> policy, Token serverKey,
            List<X509Certificate> serverChain, AccountDirectory accounts, byte[] decoySecret, int envelopeFieldLength,
            ProofKind ecProofKind, FrameConfig frames, LoginThrottle throttle, SecureRandom random,
            Enrolments enrolments, java.util.Optional<WebAuthnLogins> webAuthn, HelloGate hello) {
        this(suites, policy, serverKey, serverChain, accounts, decoySecret, envelopeFieldLength, ecProofKind, frames,
                throttle, random, enrolments, webAuthn, hello, OprfLogins.ephemeral(random));
    }

    /** The same settings with another OPRF step (the server's seed file, {@code login.require-oprf}). */
    public HandshakeSettings withOprf(OprfLogins logins) {
        return new HandshakeSettings(suites, policy, serverKey, serverChain, accounts, decoySecret, envelopeFieldLength,
                ecProofKind, frames, throttle, random, enrolments, webAuthn, hello, logins);
    }

    /** Settings whose hellos are all signed (no cookie round, section 5.3.11). */
    public HandshakeSettings(SuiteRegistry suites, Supplier<SuitePolicy> policy, Token serverKey,
            List<X509Certificate> serverChain, AccountDirectory accounts, byte[] decoySecret, int envelopeFieldLength,
            ProofKind ecProofKind, FrameConfig frames, LoginThrottle throttle, SecureRandom random,
            Enrolments enrolments, java.util.Optional<WebAuthnLogins> webAuthn) {
        this(suites, policy, serverKey, serverChain, accounts, decoySecret, envelopeFieldLength, ecProofKind, frames,
                throttle, random, enrolments, webAuthn, HelloGate.off());
    }

    /** The same settings with another hello gate. */
    public HandshakeSettings withHelloGate(HelloGate gate) {
        return new HandshakeSettings(suites, policy, serverKey, serverChain, accounts, decoySecret, envelopeFieldLength,
                ecProofKind, frames, throttle, random, enrolments, webAuthn, gate, oprf);
    }

    /** Settings without security-key logins. */
    public HandshakeSettings(SuiteRegistry suites, Supplier<SuitePolicy> policy, Token serverKey,
            List<X509Certificate> serverChain, AccountDirectory accounts, byte[] decoySecret, int envelopeFieldLength,
            ProofKind ecProofKind, FrameConfig frames, LoginThrottle throttle, SecureRandom random,
            Enrolments enrolments) {
        this(suites, policy, serverKey, serverChain, accounts, decoySecret, envelopeFieldLength, ecProofKind, frames,
                throttle, random, enrolments, java.util.Optional.empty());
    }

    /** Settings without enrolment (logins of existing accounts only). */
    public HandshakeSettings(SuiteRegistry suites, Supplier<SuitePolicy> policy, Token serverKey,
            List<X509Certificate> serverChain, AccountDirectory accounts, byte[] decoySecret, int envelopeFieldLength,
            ProofKind ecProofKind, FrameConfig frames, LoginThrottle throttle, SecureRandom random) {
        this(suites, policy, serverKey, serverChain, accounts, decoySecret, envelopeFieldLength, ecProofKind, frames,
                throttle, random, Enrolments.none());
    }
}
