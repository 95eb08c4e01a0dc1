package org.opencluster.auth.protocol.suite;

import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMExtractor;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMGenerator;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMKeyGenerationParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMKeyPairGenerator;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPrivateKeyParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPublicKeyParameters;

/**
 * The hybrid group X25519MLKEM768 of draft-ietf-tls-ecdhe-mlkem-04, section 3 (the ML-KEM part first in every
 * encoding): ML-KEM-768 (FIPS 203, Bouncy Castle's implementation) beside X25519 ({@link X25519KeyExchange}). The
 * session stays confidential as long as either holds.
 * <pre>
 *   initiator share = ek (1184)  || X25519 public (32)          sent by the server in SERVER_HELLO
 *   responder share = ct (1088)  || X25519 public (32)          sent by the client in CLIENT_CHOICE
 *   shared secret   = ML-KEM ss (32) || X25519 shared secret (32)
 * </pre>
 * In TLS the client sends the encapsulation key; here the server's share comes first (the handshake has one round
 * trip before the keys), so the server is the initiator. The construction is the same.
 *
 * <p>Checks: an encapsulation key must pass FIPS 203's modulus check (section 7.2: every 12-bit coefficient of
 * ByteDecode12 is below q = 3329, i.e. ek re-encodes to itself), the X25519 part is checked as
 * {@link X25519KeyExchange} does, lengths are exact. Decapsulation needs no check beyond the ciphertext length
 * (FIPS 203 section 7.3; a wrong ciphertext yields ML-KEM's implicit-rejection secret, and the handshake fails at
 * the first frame).
 */
final class X25519MlKem768KeyExchange implements KeyExchange {
    static final int ENCAPSULATION_KEY_LENGTH = 1184;
    static final int CIPHERTEXT_LENGTH = 1088;
    static final int MLKEM_SECRET_LENGTH = 32;
    private static final int X25519_LENGTH = 32;
    /** 384 * k bytes of ByteEncode12(t) in front of the 32-byte rho (k = 3 for ML-KEM-768). */
    private static final int ENCODED_T_LENGTH = 384 * 3;
    private static final int Q = 3329;
    private static final MLKEMParameters PARAMETERS = MLKEMParameters.ml_kem_768;

    private final X25519KeyExchange x25519 = new X25519KeyExchange();

    @Override
    public KeyExchangeGroup group() {
        return KeyExchangeGroup.X25519MLKEM768;
    }

    @Override
    public EphemeralKeyPair generate(SecureRandom random) {
        MLKEMKeyPairGenerator generator = new MLKEMKeyPairGenerator();
        generator.init(new MLKEMKeyGenerationParameters(random, PARAMETERS));
        AsymmetricCipherKeyPair mlkem = generator.generateKeyPair();
        return new Pair((MLKEMPrivateKeyParameters) mlkem.getPrivate(), x25519.generate(random));
    }

    /** A pair from fixed seeds (d || z of FIPS 203 and an X25519 private key): known answers and examples only. */
    static EphemeralKeyPair fromSeeds(byte[] mlkemSeed, byte[] x25519Private) {
        return new Pair(new MLKEMPrivateKeyParameters(PARAMETERS, mlkemSeed.clone()),
                X25519KeyExchange.fromPrivateKey(x25519Private));
    }

    @Override
    public Response respond(byte[] initiatorShare, SecureRandom random) throws SuiteException {
        validatePublicKey(initiatorShare);
        SecretWithEncapsulation encapsulated = new MLKEMGenerator(random).generateEncapsulated(encapsulationKey(
                initiatorShare));
        try (EphemeralKeyPair mine = x25519.generate(random)) {
            return combine(encapsulated, mine, initiatorShare);
        }
    }

    /** {@link #respond} with fixed randomness (the message m of FIPS 203 and an X25519 private key): examples only. */
    static Response respondWith(byte[] initiatorShare, byte[] mlkemMessage, byte[] x25519Private)
            throws SuiteException {
        X25519MlKem768KeyExchange kx = new X25519MlKem768KeyExchange();
        kx.validatePublicKey(initiatorShare);
        SecretWithEncapsulation encapsulated = new MLKEMGenerator(new SecureRandom())
                .internalGenerateEncapsulated(encapsulationKey(initiatorShare), mlkemMessage.clone());
        try (EphemeralKeyPair mine = X25519KeyExchange.fromPrivateKey(x25519Private)) {
            return combine(encapsulated, mine, initiatorShare);
        }
    }

    private static Response combine(SecretWithEncapsulation encapsulated, EphemeralKeyPair x25519Pair,
            byte[] initiatorShare) throws SuiteException {
        byte[] mlkemSecret = encapsulated.getSecret();
        byte[] x25519Secret = null;
        try {
            x25519Secret = x25519Pair.agree(Arrays.copyOfRange(initiatorShare, ENCAPSULATION_KEY_LENGTH,
                    initiatorShare.length));
            return new Response(concat(encapsulated.getEncapsulation(), x25519Pair.publicKey()),
                    concat(mlkemSecret, x25519Secret));
        } finally {
            Arrays.fill(mlkemSecret, (byte) 0);
            if (x25519Secret != null) {
                Arrays.fill(x25519Secret, (byte) 0);
            }
            try {
                encapsulated.destroy();
            } catch (javax.security.auth.DestroyFailedException ignored) {
                // BC's holder wipes its copy; a failure leaves only what the garbage collector reclaims
            }
        }
    }

    @Override
    public void validatePublicKey(byte[] share) throws SuiteException {
        int expected = ENCAPSULATION_KEY_LENGTH + X25519_LENGTH;
        if (share == null || share.length != expected) {
            throw new SuiteException(SuiteError.INVALID_PUBLIC_KEY, "an X25519MLKEM768 initiator share is "
                    + expected + " bytes, got " + (share == null ? "none" : share.length + " bytes"));
        }
        if (!passesModulusCheck(share)) {
            throw new SuiteException(SuiteError.INVALID_PUBLIC_KEY,
                    "the ML-KEM-768 encapsulation key fails the FIPS 203 modulus check (a coefficient >= 3329)");
        }
        x25519.validatePublicKey(Arrays.copyOfRange(share, ENCAPSULATION_KEY_LENGTH, expected));
    }

    /**
     * FIPS 203 section 7.2, check 2: ByteEncode12(ByteDecode12(ek[0:384k])) == ek[0:384k], i.e. no 12-bit value
     * is q or more. Public data, so no need for constant time.
     */
    static boolean passesModulusCheck(byte[] ek) {
        for (int i = 0; i < ENCODED_T_LENGTH; i += 3) {
            int b0 = ek[i] & 0xff;
            int b1 = ek[i + 1] & 0xff;
            int b2 = ek[i + 2] & 0xff;
            if ((b0 | (b1 & 0x0f) << 8) >= Q || (b1 >>> 4 | b2 << 4) >= Q) {
                return false;
            }
        }
        return true;
    }

    private static MLKEMPublicKeyParameters encapsulationKey(byte[] initiatorShare) {
        return new MLKEMPublicKeyParameters(PARAMETERS, Arrays.copyOf(initiatorShare, ENCAPSULATION_KEY_LENGTH));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * The initiator's key pair. Bouncy Castle keeps the ML-KEM decapsulation key in arrays of its own, out of
     * reach: {@link #close()} wipes the X25519 private key and drops the reference to the ML-KEM one.
     */
    private static final class Pair implements EphemeralKeyPair {
        private MLKEMPrivateKeyParameters mlkem;
        private final EphemeralKeyPair x25519;
        private final byte[] publicKey;

        Pair(MLKEMPrivateKeyParameters mlkem, EphemeralKeyPair x25519) {
            this.mlkem = mlkem;
            this.x25519 = x25519;
            this.publicKey = concat(mlkem.getPublicKey(), x25519.publicKey());
        }

        @Override
        public KeyExchangeGroup group() {
            return KeyExchangeGroup.X25519MLKEM768;
        }

        @Override
        public byte[] publicKey() {
            return publicKey.clone();
        }

        @Override
        public byte[] agree(byte[] responderShare) throws SuiteException {
            if (mlkem == null) {
                throw new IllegalStateException("ephemeral key pair already closed");
            }
            int expected = CIPHERTEXT_LENGTH + X25519_LENGTH;
            if (responderShare == null || responderShare.length != expected) {
                throw new SuiteException(SuiteError.INVALID_PUBLIC_KEY, "an X25519MLKEM768 responder share is "
                        + expected + " bytes, got " + (responderShare == null ? "none" : responderShare.length
                        + " bytes"));
            }
            byte[] x25519Secret = x25519.agree(Arrays.copyOfRange(responderShare, CIPHERTEXT_LENGTH, expected));
            byte[] mlkemSecret = new MLKEMExtractor(mlkem).extractSecret(Arrays.copyOf(responderShare,
                    CIPHERTEXT_LENGTH));
            try {
                return concat(mlkemSecret, x25519Secret);
            } finally {
                Arrays.fill(mlkemSecret, (byte) 0);
                Arrays.fill(x25519Secret, (byte) 0);
            }
        }

        @Override
        public void close() {
            mlkem = null;
            x25519.close();
        }
    }
}
