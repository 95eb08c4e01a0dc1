package org.opencluster.auth.protocol.pake;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The OPRF of RFC 9497 in mode 0x00 (OPRF, no proofs) with the suite P256-SHA256 (4.3): DeriveKeyPair (3.2.1),
 * Blind, BlindEvaluate and Finalize (3.3.1), and the unblinded Evaluate used to check them.
 *
 * <p>contextString = "OPRFV1-" || I2OSP(0x00, 1) || "-" || "P256-SHA256". Inputs are at most 65535 bytes (their
 * length is hashed as two bytes). Constant-time properties are those of {@link HashToCurveP256} and
 * {@link P256Group}.
 */
public final class Oprf {
    static final byte[] CONTEXT = concat(ascii("OPRFV1-"), new byte[] {0x00}, ascii("-P256-SHA256"));
    private static final byte[] HASH_TO_GROUP_DST = concat(ascii("HashToGroup-"), CONTEXT);
    private static final byte[] DERIVE_KEY_PAIR_DST = concat(ascii("DeriveKeyPair"), CONTEXT);
    private static final byte[] FINALIZE = ascii("Finalize");
    /** Nh of SHA-256: the length of an OPRF output. */
    public static final int OUTPUT_LENGTH = 32;
    private static final int MAX_INPUT = 0xffff;

    private Oprf() {
    }

    /** DeriveKeyPair(seed, info): the same seed and info always give the same pair. */
    public static OprfKeyPair deriveKeyPair(byte[] seed, byte[] info) throws PakeException {
        BigInteger sk = derivePrivateKey(seed, info);
        return new OprfKeyPair(sk, P256Group.multiplyGenerator(sk));
    }

    /** The private half of DeriveKeyPair, without the scalar multiplication a server evaluating never needs. */
    static BigInteger derivePrivateKey(byte[] seed, byte[] info) throws PakeException {
        if (info.length > MAX_INPUT) {
            throw new PakeException(PakeError.INVALID_INPUT, "info longer than 65535 bytes");
        }
        byte[] deriveInput = concat(seed, lengthPrefix(info.length), info, new byte[1]);
        try {
            for (int counter = 0; counter <= 255; counter++) {
                deriveInput[deriveInput.length - 1] = (byte) counter;
                BigInteger sk = HashToCurveP256.hashToScalar(deriveInput, DERIVE_KEY_PAIR_DST);
                if (sk.signum() != 0) {
                    return sk;
                }
            }
        } finally {
            Arrays.fill(deriveInput, (byte) 0);
        }
        throw new PakeException(PakeError.DERIVE_KEY_PAIR, "no non-zero scalar in 256 tries");
    }

    /** Blind(input) with a fresh random blind. */
    public static BlindedInput blind(byte[] input, SecureRandom random) throws PakeException {
        return blind(input, P256Group.randomScalar(random));
    }

    /** Blind with a chosen blind: for the test vectors only (a reused blind links two logins). */
    static BlindedInput blind(byte[] input, BigInteger blind) throws PakeException {
        ECPoint inputElement = hashToGroup(input);
        return new BlindedInput(blind, P256Group.multiply(blind, inputElement));
    }

    /** BlindEvaluate(skS, blindedElement) = skS * blindedElement (the server's step). */
    public static ECPoint blindEvaluate(BigInteger privateKey, ECPoint blindedElement) {
        return P256Group.multiply(privateKey, blindedElement);
    }

    /** Finalize(input, blind, evaluatedElement): Hash(len || input || len || blind^-1 * evaluated || "Finalize"). */
    public static byte[] finalize(byte[] input, BigInteger blind, ECPoint evaluatedElement) throws PakeException {
        checkInputLength(input);
        ECPoint unblinded = P256Group.multiply(P256Group.invertScalar(blind), evaluatedElement);
        return outputHash(input, unblinded);
    }

    /** Evaluate(skS, input): the PRF computed directly with the key, what Blind/BlindEvaluate/Finalize equal. */
    public static byte[] evaluate(BigInteger privateKey, byte[] input) throws PakeException {
        return outputHash(input, P256Group.multiply(privateKey, hashToGroup(input)));
    }

    /** HashToGroup(input) under this suite's DST; the identity is refused (InvalidInputError). */
    static ECPoint hashToGroup(byte[] input) throws PakeException {
        checkInputLength(input);
        ECPoint element = HashToCurveP256.hashToCurve(input, HASH_TO_GROUP_DST);
        if (element.isInfinity()) {
            throw new PakeException(PakeError.INVALID_INPUT, "the input hashes to the identity");
        }
        return element;
    }

    private static byte[] outputHash(byte[] input, ECPoint element) {
        byte[] encoded = P256Group.serializeElement(element);
        MessageDigest sha = ExpandMessageXmd.sha256();
        sha.update(lengthPrefix(input.length));
        sha.update(input);
        sha.update(lengthPrefix(encoded.length));
        sha.update(encoded);
        sha.update(FINALIZE);
        Arrays.fill(encoded, (byte) 0);
        return sha.digest();
    }

    private static void checkInputLength(byte[] input) throws PakeException {
        if (input.length > MAX_INPUT) {
            throw new PakeException(PakeError.INVALID_INPUT, "input longer than 65535 bytes");
        }
    }

    /** I2OSP(length, 2). */
    static byte[] lengthPrefix(int length) {
        return new byte[] {(byte) (length >>> 8), (byte) length};
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] out = new byte[length];
        int pos = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, pos, p.length);
            pos += p.length;
        }
        return out;
    }
}
