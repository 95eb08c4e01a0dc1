package org.opencluster.auth.protocol.handshake;

import java.nio.charset.StandardCharsets;

/**
 * Every label and context string of the key schedule, in one place (docs/PROTOCOL.md, section 5.4). Labels get
 * the {@code "oca1 "} prefix inside HKDF-Expand-Label; signature contexts are used as they are.
 */
public final class HandshakeLabels {
    public static final String DERIVED = "derived";
    public static final String CLIENT_HANDSHAKE_TRAFFIC = "c hs traffic";
    public static final String SERVER_HANDSHAKE_TRAFFIC = "s hs traffic";
    public static final String CLIENT_APPLICATION_TRAFFIC = "c ap traffic";
    public static final String SERVER_APPLICATION_TRAFFIC = "s ap traffic";
    public static final String FINISHED = "finished";
    public static final String PROOF_SALT = "proof salt";
    public static final String KEY_AGREEMENT_PROOF = "ka proof";
    public static final String DECOY_ENVELOPE = "decoy envelope";
    public static final String ENROLMENT_PROOF = "enrol proof";
    /** Re-authentication (section 5.13): the session's re-authentication secret, and the proof of kind 2. */
    public static final String REAUTH = "reauth";
    public static final String KEY_AGREEMENT_REAUTH_PROOF = "ka reauth";
    /**
     * LOGIN_REQUEST extension type (section 5.3.2): the client speaks the OPRF step; data is the RFC 9807
     * CredentialRequest (the 33-byte blinded element), and LOGIN_CHALLENGE answers with OPRF_CREDENTIAL_RESPONSE.
     */
    public static final int EXTENSION_OPRF = 0x0001;
    /** LOGIN_REQUEST extension type: this login enrols a new account with a one-time code (empty data). */
    public static final int EXTENSION_ENROLMENT = 0x0010;
    /** LOGIN_REQUEST extension type: prove with a WebAuthn security key, proof kind 4 (empty data). */
    public static final int EXTENSION_WEBAUTHN = 0x0011;
    /**
     * LOGIN_REQUEST extension type: the client keeps device tokens; empty data (none yet for this server and name)
     * or the token it was given (section 5.14).
     */
    public static final int EXTENSION_DEVICE_TOKEN = 0x0012;
    /** HKDF-Expand-Label label (SHA-256, over the server's decoy secret) of the device-token MAC key. */
    public static final String DEVICE_TOKEN_KEY = "device token key";
    /** CLIENT_HELLO extension type (version 2): the COOKIE of the server's HELLO_RETRY, echoed (section 5.3.11). */
    public static final int EXTENSION_HELLO_COOKIE = 0x0013;
    /** HKDF-Expand-Label label of the WebAuthn challenge (proof kind 4). */
    public static final String WEBAUTHN_CHALLENGE = "webauthn challenge";
    /** Length of the WebAuthn challenge in bytes. */
    public static final int WEBAUTHN_CHALLENGE_LENGTH = 32;

    /** Signed by the server key over the hello hash (CertificateVerify-like). */
    public static final String SERVER_SIGNATURE_CONTEXT = "oca1 server hello signature";
    /** Signed by the account key over the transcript hash through SERVER_FINISHED (signature proof). */
    public static final String CLIENT_PROOF_SIGNATURE_CONTEXT = "oca1 client proof signature";

    /** Signed by the account key over a re-authentication context (section 5.13). */
    public static final String CLIENT_REAUTH_SIGNATURE_CONTEXT = "oca1 client reauth signature";

    private HandshakeLabels() {
    }

    /**
     * The bytes a signature covers: 64 spaces (0x20), the context string, one 0x00 byte, then the hash. The
     * padding and the context keep these inputs from ever being valid for another protocol or another role.
     */
    public static byte[] signatureInput(String context, byte[] hash) {
        byte[] ctx = context.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[64 + ctx.length + 1 + hash.length];
        java.util.Arrays.fill(out, 0, 64, (byte) 0x20);
        System.arraycopy(ctx, 0, out, 64, ctx.length);
        out[64 + ctx.length] = 0;
        System.arraycopy(hash, 0, out, 64 + ctx.length + 1, hash.length);
        return out;
    }
}
