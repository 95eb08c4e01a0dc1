package org.opencluster.auth.protocol.handshake;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import org.opencluster.auth.protocol.frame.TrafficSecret;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.HashAlgorithm;
import org.opencluster.auth.protocol.suite.Hkdf;

/**
 * The key schedule of re-authentication within a session (docs/PROTOCOL.md, section 5.13), the same on both sides:
 * <pre>
 *   reauth_0   = Derive-Secret(master_secret, "reauth", TH(..CLIENT_FINISHED))
 *   C_n        = HMAC(reauth_{n-1}, u32 n || u8 kind || nonce (32) || u16 len(E) || E)
 *   kind 1     PROOF = Sign(account key, 0x20 x 64 || "oca1 client reauth signature" || 0x00 || C_n)
 *   kind 2     PROOF = HMAC(HKDF-Expand-Label(HKDF-Extract(reauth_{n-1}, Z), "ka reauth", "", L), C_n)
 *   prk_n      = HKDF-Extract(salt = reauth_{n-1}, IKM = Z (kind 2) or 0^L (kind 1))
 *   c_ap, s_ap = Derive-Secret(prk_n, "c ap traffic" / "s ap traffic", C_n)
 *   reauth_n   = Derive-Secret(prk_n, "reauth", C_n)
 * </pre>
 * With a key-agreement proof the new traffic keys depend on the token's own ECDH output, so whoever holds the old
 * keys but not the token cannot follow the session past a re-authentication. Not thread-safe; one per session.
 */
public final class ReauthSchedule implements AutoCloseable {
    /** Size of the server's nonce in every re-authentication challenge. */
    public static final int NONCE_LENGTH = 32;
    private static final byte[] EMPTY = new byte[0];

    private final CipherSuite suite;
    private final HashAlgorithm hash;
    private final byte[] secret;
    private int completed;

    /** Uses a copy of {@code reauth0}. */
    public ReauthSchedule(CipherSuite suite, byte[] reauth0) {
        if (reauth0.length != suite.hash().length()) {
            throw new IllegalArgumentException("a re-authentication secret is " + suite.hash().length() + " bytes");
        }
        this.suite = suite;
        this.hash = suite.hash();
        this.secret = reauth0.clone();
    }

    /** Re-authentications completed so far; the next one is number {@code completed() + 1}. */
    public int completed() {
        return completed;
    }

    /** {@code C_n} of the next re-authentication. */
    public byte[] context(ProofKind kind, byte[] nonce, byte[] ephemeralShare) {
        if (nonce.length != NONCE_LENGTH || ephemeralShare.length > 0xffff) {
            throw new IllegalArgumentException("a 32-byte nonce and a key share of at most 65535 bytes");
        }
        ByteBuffer in = ByteBuffer.allocate(4 + 1 + NONCE_LENGTH + 2 + ephemeralShare.length);
        in.putInt(completed + 1).put((byte) kind.wireValue()).put(nonce).putShort((short) ephemeralShare.length)
                .put(ephemeralShare);
        return Hkdf.hmac(hash, secret, in.array());
    }

    /** The bytes a signature proof covers. */
    public static byte[] signatureInput(byte[] context) {
        return HandshakeLabels.signatureInput(HandshakeLabels.CLIENT_REAUTH_SIGNATURE_CONTEXT, context);
    }

    /** The key-agreement proof over {@code context}, keyed by the token's ECDH output {@code z}. */
    public byte[] keyAgreementProof(byte[] z, byte[] context) {
        byte[] prk = Hkdf.extract(hash, secret, z);
        byte[] key = Hkdf.expandLabel(hash, prk, HandshakeLabels.KEY_AGREEMENT_REAUTH_PROOF, EMPTY, hash.length());
        try {
            return Hkdf.hmac(hash, key, context);
        } finally {
            Arrays.fill(prk, (byte) 0);
            Arrays.fill(key, (byte) 0);
        }
    }

    /** Constant-time check of a received key-agreement proof. */
    public boolean verifyKeyAgreementProof(byte[] z, byte[] context, byte[] received) {
        byte[] expected = keyAgreementProof(z, context);
        try {
            return received != null && MessageDigest.isEqual(expected, received);
        } finally {
            Arrays.fill(expected, (byte) 0);
        }
    }

    /**
     * Completes re-authentication number {@code completed() + 1}: returns the new application traffic secrets
     * (the caller closes them) and moves this schedule to {@code reauth_n}.
     *
     * @param z the ECDH output of a key-agreement proof, or {@code null} for a signature proof
     */
    public TrafficSecrets advance(byte[] z, byte[] context) {
        byte[] prk = Hkdf.extract(hash, secret, z != null ? z : new byte[hash.length()]);
        byte[] c = Hkdf.deriveSecret(hash, prk, HandshakeLabels.CLIENT_APPLICATION_TRAFFIC, context);
        byte[] s = Hkdf.deriveSecret(hash, prk, HandshakeLabels.SERVER_APPLICATION_TRAFFIC, context);
        byte[] next = Hkdf.deriveSecret(hash, prk, HandshakeLabels.REAUTH, context);
        try {
            System.arraycopy(next, 0, secret, 0, secret.length);
            completed++;
            return new TrafficSecrets(new TrafficSecret(suite, c), new TrafficSecret(suite, s));
        } finally {
            Arrays.fill(prk, (byte) 0);
            Arrays.fill(c, (byte) 0);
            Arrays.fill(s, (byte) 0);
            Arrays.fill(next, (byte) 0);
        }
    }

    @Override
    public void close() {
        Arrays.fill(secret, (byte) 0);
    }

    @Override
    public String toString() {
        return "ReauthSchedule{" + suite.name() + ", completed=" + completed + ", <redacted>}";
    }
}
