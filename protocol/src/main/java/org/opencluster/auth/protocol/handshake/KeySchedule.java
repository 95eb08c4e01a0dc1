package org.opencluster.auth.protocol.handshake;

import static org.opencluster.auth.protocol.handshake.HandshakeLabels.CLIENT_APPLICATION_TRAFFIC;
import static org.opencluster.auth.protocol.handshake.HandshakeLabels.CLIENT_HANDSHAKE_TRAFFIC;
import static org.opencluster.auth.protocol.handshake.HandshakeLabels.DERIVED;
import static org.opencluster.auth.protocol.handshake.HandshakeLabels.FINISHED;
import static org.opencluster.auth.protocol.handshake.HandshakeLabels.KEY_AGREEMENT_PROOF;
import static org.opencluster.auth.protocol.handshake.HandshakeLabels.PROOF_SALT;
import static org.opencluster.auth.protocol.handshake.HandshakeLabels.SERVER_APPLICATION_TRAFFIC;
import static org.opencluster.auth.protocol.handshake.HandshakeLabels.SERVER_HANDSHAKE_TRAFFIC;

import java.security.MessageDigest;
import java.util.Arrays;
import org.opencluster.auth.protocol.frame.TrafficSecret;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.HashAlgorithm;
import org.opencluster.auth.protocol.suite.Hkdf;

/**
 * The key schedule of one handshake (docs/PROTOCOL.md, section 5.4), used identically by client and server:
 * <pre>
 *   early_secret      = HKDF-Extract(salt = 0^L, IKM = 0^L)                 reserved for a future PSK/OPRF input
 *   handshake_secret  = HKDF-Extract(salt = Derive-Secret(early_secret, "derived", ""), IKM = ecdh_shared)
 *   c_hs / s_hs       = Derive-Secret(handshake_secret, "c hs traffic" / "s hs traffic", TH(..CLIENT_CHOICE))
 *   server_finished   = HMAC(HKDF-Expand-Label(s_hs, "finished", "", L), TH(..LOGIN_CHALLENGE))
 *   ka proof          = HMAC(HKDF-Expand-Label(HKDF-Extract(Derive-Secret(handshake_secret, "proof salt",
 *                            TH(..SERVER_FINISHED)), Z), "ka proof", "", L), TH(..SERVER_FINISHED))
 *   client_finished   = HMAC(HKDF-Expand-Label(c_hs, "finished", "", L), TH(..LOGIN_PROOF))
 *   master_secret     = HKDF-Extract(salt = Derive-Secret(handshake_secret, "derived", ""), IKM = 0^L)
 *   c_ap_0 / s_ap_0   = Derive-Secret(master_secret, "c ap traffic" / "s ap traffic", TH(..CLIENT_FINISHED))
 * </pre>
 * L = Hash.length of the suite. Steps must be taken in this order; every secret is wiped by {@link #close()}.
 * Not thread-safe (one per handshake).
 */
public final class KeySchedule implements AutoCloseable {
    private static final byte[] EMPTY = new byte[0];

    private final CipherSuite suite;
    private final HashAlgorithm hash;
    private byte[] earlySecret;
    private byte[] handshakeSecret;
    private byte[] clientHandshakeSecret;
    private byte[] serverHandshakeSecret;
    private byte[] masterSecret;

    public KeySchedule(CipherSuite suite) {
        this.suite = suite;
        this.hash = suite.hash();
        byte[] zeros = new byte[hash.length()];
        this.earlySecret = Hkdf.extract(hash, zeros, zeros);
    }

    public CipherSuite suite() {
        return suite;
    }

    /**
     * Mixes in the ephemeral key agreement. In protocol version 1 {@code sharedSecret} is the ECDH output; later
     * versions append further shared secrets (e.g. a post-quantum KEM) to it, as negotiated by extensions.
     */
    public void mixKeyExchange(byte[] sharedSecret) {
        if (handshakeSecret != null) {
            throw new IllegalStateException("the key exchange was already mixed in");
        }
        byte[] salt = Hkdf.deriveSecret(hash, earlySecret, DERIVED, EMPTY);
        handshakeSecret = Hkdf.extract(hash, salt, sharedSecret);
        Arrays.fill(salt, (byte) 0);
    }

    /** Handshake traffic secrets, from the transcript hash through CLIENT_CHOICE. */
    public TrafficSecrets handshakeTraffic(byte[] transcriptThroughChoice) {
        require(handshakeSecret, "mixKeyExchange");
        clientHandshakeSecret = Hkdf.deriveSecret(hash, handshakeSecret, CLIENT_HANDSHAKE_TRAFFIC,
                transcriptThroughChoice);
        serverHandshakeSecret = Hkdf.deriveSecret(hash, handshakeSecret, SERVER_HANDSHAKE_TRAFFIC,
                transcriptThroughChoice);
        return new TrafficSecrets(new TrafficSecret(suite, clientHandshakeSecret),
                new TrafficSecret(suite, serverHandshakeSecret));
    }

    /** SERVER_FINISHED verify data over the transcript hash through LOGIN_CHALLENGE. */
    public byte[] serverFinished(byte[] transcriptThroughLoginChallenge) {
        return finished(require(serverHandshakeSecret, "handshakeTraffic"), transcriptThroughLoginChallenge);
    }

    /** CLIENT_FINISHED verify data over the transcript hash through LOGIN_PROOF. */
    public byte[] clientFinished(byte[] transcriptThroughLoginProof) {
        return finished(require(clientHandshakeSecret, "handshakeTraffic"), transcriptThroughLoginProof);
    }

    /** Constant-time check of a received SERVER_FINISHED. */
    public boolean verifyServerFinished(byte[] transcriptThroughLoginChallenge, byte[] received) {
        return constantTimeEquals(serverFinished(transcriptThroughLoginChallenge), received);
    }

    /** Constant-time check of a received CLIENT_FINISHED. */
    public boolean verifyClientFinished(byte[] transcriptThroughLoginProof, byte[] received) {
        return constantTimeEquals(clientFinished(transcriptThroughLoginProof), received);
    }

    /**
     * The key-agreement possession proof. {@code z} is the ECDH result of the account's certificate key with the
     * server's PROOF_EPHEMERAL (computed by the token on the client, with the ephemeral private key on the
     * server). Mixing the handshake secret in binds the proof to this connection's ephemeral key exchange, and the
     * transcript hash binds it to both randoms, the username, the suite policy and choice and the server's
     * certificate: it cannot be replayed to another session or relayed to another server.
     */
    public byte[] keyAgreementProof(byte[] z, byte[] transcriptThroughServerFinished) {
        return keyedProof(z, KEY_AGREEMENT_PROOF, transcriptThroughServerFinished);
    }

    /**
     * The enrolment proof: the same construction as the key-agreement proof with {@code IKM = SHA-256(code)} (the
     * normalised one-time code; the server stores only this hash) and the label "enrol proof".
     */
    public byte[] enrolmentProof(byte[] codeHash, byte[] transcriptThroughServerFinished) {
        return keyedProof(codeHash, HandshakeLabels.ENROLMENT_PROOF, transcriptThroughServerFinished);
    }

    public boolean verifyEnrolmentProof(byte[] codeHash, byte[] transcriptThroughServerFinished, byte[] received) {
        return constantTimeEquals(enrolmentProof(codeHash, transcriptThroughServerFinished), received);
    }

    private byte[] keyedProof(byte[] ikm, String label, byte[] transcriptThroughServerFinished) {
        require(handshakeSecret, "mixKeyExchange");
        byte[] salt = Hkdf.deriveSecret(hash, handshakeSecret, PROOF_SALT, transcriptThroughServerFinished);
        byte[] prk = Hkdf.extract(hash, salt, ikm);
        byte[] key = Hkdf.expandLabel(hash, prk, label, EMPTY, hash.length());
        try {
            return Hkdf.hmac(hash, key, transcriptThroughServerFinished);
        } finally {
            Arrays.fill(salt, (byte) 0);
            Arrays.fill(prk, (byte) 0);
            Arrays.fill(key, (byte) 0);
        }
    }

    /**
     * The WebAuthn challenge of proof kind 4: {@code HKDF-Expand-Label(proof_salt, "webauthn challenge", T, 32)}
     * with {@code proof_salt = Derive-Secret(handshake_secret, "proof salt", T)}, T = TH(..SERVER_FINISHED). The
     * authenticator signs it (inside clientDataJSON), which binds the assertion to this connection's key exchange,
     * transcript and server exactly as the other proofs are bound.
     */
    public byte[] webauthnChallenge(byte[] transcriptThroughServerFinished) {
        require(handshakeSecret, "mixKeyExchange");
        byte[] salt = Hkdf.deriveSecret(hash, handshakeSecret, PROOF_SALT, transcriptThroughServerFinished);
        try {
            return Hkdf.expandLabel(hash, salt, HandshakeLabels.WEBAUTHN_CHALLENGE, transcriptThroughServerFinished,
                    HandshakeLabels.WEBAUTHN_CHALLENGE_LENGTH);
        } finally {
            Arrays.fill(salt, (byte) 0);
        }
    }

    /** Constant-time check of a received key-agreement proof. */
    public boolean verifyKeyAgreementProof(byte[] z, byte[] transcriptThroughServerFinished, byte[] received) {
        return constantTimeEquals(keyAgreementProof(z, transcriptThroughServerFinished), received);
    }

    /** Application traffic secrets (epoch 0), from the transcript hash through CLIENT_FINISHED. */
    public TrafficSecrets applicationTraffic(byte[] transcriptThroughClientFinished) {
        require(clientHandshakeSecret, "handshakeTraffic");
        byte[] salt = Hkdf.deriveSecret(hash, handshakeSecret, DERIVED, EMPTY);
        masterSecret = Hkdf.extract(hash, salt, new byte[hash.length()]);
        Arrays.fill(salt, (byte) 0);
        byte[] c = Hkdf.deriveSecret(hash, masterSecret, CLIENT_APPLICATION_TRAFFIC, transcriptThroughClientFinished);
        byte[] s = Hkdf.deriveSecret(hash, masterSecret, SERVER_APPLICATION_TRAFFIC, transcriptThroughClientFinished);
        try {
            return new TrafficSecrets(new TrafficSecret(suite, c), new TrafficSecret(suite, s));
        } finally {
            Arrays.fill(c, (byte) 0);
            Arrays.fill(s, (byte) 0);
        }
    }

    /** Intermediate secrets for the worked example and tests (copies). */
    byte[] earlySecret() {
        return earlySecret.clone();
    }

    byte[] handshakeSecret() {
        return handshakeSecret.clone();
    }

    byte[] masterSecret() {
        return masterSecret.clone();
    }

    @Override
    public void close() {
        for (byte[] b : new byte[][] {earlySecret, handshakeSecret, clientHandshakeSecret, serverHandshakeSecret,
                masterSecret}) {
            if (b != null) {
                Arrays.fill(b, (byte) 0);
            }
        }
    }

    private byte[] finished(byte[] baseSecret, byte[] transcriptHash) {
        byte[] key = Hkdf.expandLabel(hash, baseSecret, FINISHED, EMPTY, hash.length());
        try {
            return Hkdf.hmac(hash, key, transcriptHash);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    private static byte[] require(byte[] secret, String step) {
        if (secret == null) {
            throw new IllegalStateException("key schedule used out of order: call " + step + " first");
        }
        return secret;
    }

    private static boolean constantTimeEquals(byte[] expected, byte[] received) {
        try {
            return received != null && MessageDigest.isEqual(expected, received);
        } finally {
            Arrays.fill(expected, (byte) 0);
        }
    }
}
