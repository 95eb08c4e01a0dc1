package org.opencluster.auth.token.piv;

import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import org.bouncycastle.crypto.AsymmetricBlockCipher;
import org.bouncycastle.crypto.CipherParameters;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.encodings.OAEPEncoding;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.signers.PSSSigner;
import org.opencluster.auth.token.EncryptionScheme;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;

/**
 * RSA with the private key on a PIV card: the card only does the raw operation on one modulus-sized block, so the
 * encodings (EMSA-PSS for signatures, EME-OAEP for decryption, RFC 8017) run here, with Bouncy Castle's encoders
 * driving {@link RawOperation} as their "engine".
 */
final class CardRsa {
    /** The card's raw private-key operation on one block. */
    @FunctionalInterface
    interface RawOperation {
        byte[] apply(byte[] block) throws TokenException;
    }

    private CardRsa() {
    }

    /** An RSASSA-PSS signature of {@code message} (salt length = hash length, as {@link SignatureScheme} says). */
    static byte[] signPss(RSAPublicKey key, SignatureScheme scheme, byte[] message, SecureRandom random,
            RawOperation card) throws TokenException {
        boolean sha384 = scheme == SignatureScheme.RSA_PSS_SHA384;
        PSSSigner signer = new PSSSigner(new Engine(key, card), sha384 ? new SHA384Digest() : new SHA256Digest(),
                sha384 ? 48 : 32);
        signer.init(true, new ParametersWithRandom(privateView(key), random));
        signer.update(message, 0, message.length);
        try {
            return signer.generateSignature();
        } catch (CryptoException | CardFailure e) {
            throw unwrap(e, "an RSA-PSS signature");
        }
    }

    /** RSAES-OAEP decryption of {@code ciphertext}. */
    static byte[] decryptOaep(RSAPublicKey key, EncryptionScheme scheme, byte[] ciphertext, RawOperation card)
            throws TokenException {
        if (scheme != EncryptionScheme.RSA_OAEP_SHA256) {
            throw new TokenException(TokenError.MECHANISM_UNSUPPORTED, "unsupported scheme " + scheme);
        }
        OAEPEncoding oaep = new OAEPEncoding(new Engine(key, card), new SHA256Digest(), new SHA256Digest(), null);
        oaep.init(false, privateView(key));
        try {
            return oaep.processBlock(ciphertext, 0, ciphertext.length);
        } catch (InvalidCipherTextException | CardFailure e) {
            throw unwrap(e, "an RSA-OAEP decryption");
        }
    }

    /** The encoders only read the modulus (and the private flag) from the parameters. */
    private static RSAKeyParameters privateView(RSAPublicKey key) {
        return new RSAKeyParameters(true, key.getModulus(), key.getPublicExponent());
    }

    private static TokenException unwrap(Exception e, String what) {
        if (e instanceof CardFailure) {
            return ((CardFailure) e).failure;
        }
        return new TokenException(TokenError.DEVICE_ERROR, what + " failed: " + e.getMessage(), e);
    }

    /** Carries the card's TokenException through Bouncy Castle's unchecked call path. */
    private static final class CardFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient TokenException failure;

        CardFailure(TokenException failure) {
            super(failure.getMessage(), null, false, false);
            this.failure = failure;
        }
    }

    /**
     * Behaves like Bouncy Castle's own RSA engine, which the encoders expect: in the private "decryption" direction
     * a result's leading zero byte is dropped (OAEP decodes k - 1 bytes); signing returns all k bytes.
     */
    private static final class Engine implements AsymmetricBlockCipher {
        private final int bytes;
        private final RawOperation card;
        private boolean forEncryption;

        Engine(RSAPublicKey key, RawOperation card) {
            this.bytes = (key.getModulus().bitLength() + 7) / 8;
            this.card = card;
        }

        @Override
        public void init(boolean forEncryption, CipherParameters param) {
            this.forEncryption = forEncryption; // the key itself stays on the card
        }

        @Override
        public int getInputBlockSize() {
            return bytes;
        }

        @Override
        public int getOutputBlockSize() {
            return forEncryption ? bytes : bytes - 1;
        }

        @Override
        public byte[] processBlock(byte[] in, int inOff, int len) {
            if (len > bytes) {
                throw new IllegalArgumentException("an RSA block of " + len + " bytes for a " + bytes + "-byte key");
            }
            byte[] block = new byte[bytes];
            System.arraycopy(in, inOff, block, bytes - len, len);
            try {
                byte[] result = card.apply(block);
                if (!forEncryption && result.length == bytes && result[0] == 0) {
                    byte[] shorter = java.util.Arrays.copyOfRange(result, 1, bytes);
                    java.util.Arrays.fill(result, (byte) 0);
                    return shorter;
                }
                return result;
            } catch (TokenException e) {
                throw new CardFailure(e);
            } finally {
                java.util.Arrays.fill(block, (byte) 0);
            }
        }
    }
}
