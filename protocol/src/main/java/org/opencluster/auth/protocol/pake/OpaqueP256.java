package org.opencluster.auth.protocol.pake;

import java.nio.charset.StandardCharsets;
import org.opencluster.auth.protocol.suite.HashAlgorithm;
import org.opencluster.auth.protocol.suite.Hkdf;

/**
 * The OPAQUE configuration of RFC 9807 used here: OPRF P256-SHA256, HKDF-SHA256, HMAC-SHA256, SHA-256, and its
 * sizes; plus the three primitives the credential parts are written in (Extract, Expand, MAC) and
 * DeriveDiffieHellmanKeyPair (RFC 9807, 4.1, with the OPRF's DeriveKeyPair).
 */
public final class OpaqueP256 {
    /** Nh: hash and MAC key length. */
    public static final int NH = 32;
    /** Npk: a serialized public key (compressed element). */
    public static final int NPK = P256Group.ELEMENT_LENGTH;
    /** Nsk: a serialized private key. */
    public static final int NSK = P256Group.SCALAR_LENGTH;
    /** Nn: nonce length. */
    public static final int NN = 32;
    /** Nm: MAC length. */
    public static final int NM = 32;
    /** Nseed: the seed of DeriveDiffieHellmanKeyPair. */
    public static final int NSEED = 32;
    /** Noe: a serialized OPRF element. */
    public static final int NOE = P256Group.ELEMENT_LENGTH;
    /** Nok: the seed of the per-credential OPRF key. */
    public static final int NOK = P256Group.SCALAR_LENGTH;
    /** Ne: an envelope (nonce and auth tag). */
    public static final int NE = NN + NM;

    private static final HashAlgorithm HASH = HashAlgorithm.SHA256;
    private static final byte[] DH_KEY_INFO = ascii("OPAQUE-DeriveDiffieHellmanKeyPair");

    private OpaqueP256() {
    }

    static byte[] extract(byte[] salt, byte[] ikm) {
        return Hkdf.extract(HASH, salt, ikm);
    }

    static byte[] expand(byte[] prk, byte[] info, int length) {
        return Hkdf.expand(HASH, prk, info, length);
    }

    static byte[] mac(byte[] key, byte[] message) {
        return Hkdf.hmac(HASH, key, message);
    }

    /** DeriveDiffieHellmanKeyPair(seed) = DeriveKeyPair(seed, "OPAQUE-DeriveDiffieHellmanKeyPair"). */
    static OprfKeyPair deriveDiffieHellmanKeyPair(byte[] seed) throws PakeException {
        return Oprf.deriveKeyPair(seed, DH_KEY_INFO);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A wire field of exactly {@code length} bytes, copied out of {@code message} at {@code offset}. */
    static byte[] field(byte[] message, int offset, int length) {
        return java.util.Arrays.copyOfRange(message, offset, offset + length);
    }

    /** Refuses a wire message that is not exactly {@code expected} bytes. */
    static void requireLength(byte[] message, int expected, String what) throws PakeException {
        if (message == null || message.length != expected) {
            throw new PakeException(PakeError.MALFORMED_MESSAGE, what + " is " + expected + " bytes, got "
                    + (message == null ? "none" : message.length));
        }
    }

    /** Refuses a field that is not exactly {@code expected} bytes (constructor checks). */
    static byte[] exact(byte[] value, int expected, String what) {
        if (value == null || value.length != expected) {
            throw new IllegalArgumentException(what + " must be " + expected + " bytes");
        }
        return value.clone();
    }
}
