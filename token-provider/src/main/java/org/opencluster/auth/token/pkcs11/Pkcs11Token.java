package org.opencluster.auth.token.pkcs11;

import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.ProviderException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;

import org.opencluster.auth.token.EncryptionScheme;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;

/**
 * A key on a PKCS#11 token, used through the connection's SunPKCS11 provider. The private key is a handle to a token
 * object and is never returned; operations are serialised per token object.
 *
 * <p>RSA-OAEP: SunPKCS11 has no OAEP cipher, so the token performs the raw RSA private-key operation
 * (CKM_RSA_X_509) and {@link OaepDecoder} removes the padding in constant time. Tokens that forbid raw RSA report
 * {@link TokenError#MECHANISM_UNSUPPORTED}.
 */
public final class Pkcs11Token implements Token {
    private final Pkcs11Connection connection;
    private final String label;
    private final PrivateKey privateKey;
    private final List<X509Certificate> chain;
    private final PublicKey publicKey;
    private final KeyType keyType;
    private final boolean ownsConnection;
    private final Map<SignatureScheme, Signature> signers = new EnumMap<>(SignatureScheme.class);
    private boolean closed;

    Pkcs11Token(Pkcs11Connection connection, String label, PrivateKey privateKey, List<X509Certificate> chain,
                boolean ownsConnection) throws TokenException {
        this.connection = connection;
        this.label = label;
        this.privateKey = privateKey;
        this.chain = List.copyOf(chain);
        this.publicKey = chain.get(0).getPublicKey();
        this.keyType = keyTypeOf(publicKey);
        this.ownsConnection = ownsConnection;
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public List<X509Certificate> certificateChain() {
        return chain;
    }

    @Override
    public PublicKey publicKey() {
        return publicKey;
    }

    @Override
    public KeyType keyType() {
        return keyType;
    }

    @Override
    public synchronized byte[] sign(SignatureScheme scheme, byte[] message) throws TokenException {
        ensureOpen();
        if (scheme.keyType() != keyType) {
            throw new TokenException(TokenError.MECHANISM_UNSUPPORTED, "'" + label + "' holds a " + keyType
                    + " key and cannot sign with " + scheme);
        }
        try {
            Signature signer = signers.get(scheme);
            if (signer == null) {
                signer = Signature.getInstance(scheme.jcaAlgorithm(), connection.provider());
                if (scheme.jcaParameters().isPresent()) {
                    signer.setParameter(scheme.jcaParameters().get());
                }
                signer.initSign(privateKey);
                signers.put(scheme, signer);
            }
            signer.update(message);
            return signer.sign(); // leaves the Signature initialised for the next message
        } catch (GeneralSecurityException | ProviderException e) {
            signers.remove(scheme);
            throw connection.failure("sign with '" + label + "'", e);
        }
    }

    @Override
    public synchronized byte[] agree(PublicKey peerPublicKey) throws TokenException {
        ensureOpen();
        if (keyType != KeyType.EC_P256 && keyType != KeyType.EC_P384) {
            throw new TokenException(TokenError.MECHANISM_UNSUPPORTED, "'" + label + "' holds a " + keyType
                    + " key, which cannot do key agreement");
        }
        if (!(peerPublicKey instanceof ECPublicKey) || keyTypeOf(peerPublicKey) != keyType) {
            throw new TokenException(TokenError.INVALID_PEER_KEY, "the peer key is not a " + keyType + " key");
        }
        try {
            KeyAgreement agreement = KeyAgreement.getInstance("ECDH", connection.provider());
            agreement.init(privateKey);
            agreement.doPhase(peerPublicKey, true);
            byte[] secret = agreement.generateSecret();
            int size = keyType == KeyType.EC_P256 ? 32 : 48;
            if (secret.length == size) {
                return secret;
            }
            // Some modules strip leading zero bytes of the x-coordinate; restore the fixed-length encoding.
            byte[] padded = new byte[size];
            System.arraycopy(secret, 0, padded, size - secret.length, secret.length);
            Arrays.fill(secret, (byte) 0);
            return padded;
        } catch (GeneralSecurityException | ProviderException e) {
            throw connection.failure("do ECDH with '" + label + "'", e);
        }
    }

    @Override
    public synchronized byte[] decrypt(EncryptionScheme scheme, byte[] ciphertext) throws TokenException {
        ensureOpen();
        if (keyType != KeyType.RSA_3072 || scheme != EncryptionScheme.RSA_OAEP_SHA256) {
            throw new TokenException(TokenError.MECHANISM_UNSUPPORTED, "'" + label + "' holds a " + keyType
                    + " key and cannot decrypt " + scheme);
        }
        int k = (((RSAPublicKey) publicKey).getModulus().bitLength() + 7) / 8;
        if (ciphertext.length != k) {
            throw new TokenException(TokenError.DECRYPTION_FAILED, "the ciphertext cannot be decrypted with '"
                    + label + "'");
        }
        byte[] raw;
        try {
            Cipher rsa = Cipher.getInstance("RSA/ECB/NoPadding", connection.provider());
            rsa.init(Cipher.DECRYPT_MODE, privateKey);
            raw = rsa.doFinal(ciphertext);
        } catch (javax.crypto.BadPaddingException | javax.crypto.IllegalBlockSizeException e) {
            throw new TokenException(TokenError.DECRYPTION_FAILED, "the ciphertext cannot be decrypted with '"
                    + label + "'");
        } catch (GeneralSecurityException | ProviderException e) {
            TokenException t = connection.failure("decrypt with '" + label + "'", e);
            if (t.error() == TokenError.DEVICE_ERROR) {
                // e.g. CKR_ENCRYPTED_DATA_INVALID for a value >= n: same answer as any bad ciphertext
                throw new TokenException(TokenError.DECRYPTION_FAILED, "the ciphertext cannot be decrypted with '"
                        + label + "'");
            }
            throw t;
        }
        byte[] em = new byte[k];
        System.arraycopy(raw, Math.max(0, raw.length - k), em, Math.max(0, k - raw.length), Math.min(k, raw.length));
        Arrays.fill(raw, (byte) 0);
        byte[] message = OaepDecoder.decode(em);
        Arrays.fill(em, (byte) 0);
        if (message == null) {
            throw new TokenException(TokenError.DECRYPTION_FAILED, "the ciphertext cannot be decrypted with '"
                    + label + "'");
        }
        return message;
    }

    private void ensureOpen() throws TokenException {
        if (closed) {
            throw new TokenException(TokenError.TOKEN_CLOSED, "'" + label + "' has been closed");
        }
        connection.ensureOpen();
    }

    /** Closes the token, and the connection too when the token was opened directly from a URI. */
    @Override
    public synchronized void close() {
        closed = true;
        signers.clear();
        if (ownsConnection) {
            connection.close();
        }
    }

    static KeyType keyTypeOf(PublicKey key) throws TokenException {
        if (key instanceof RSAPublicKey && ((RSAPublicKey) key).getModulus().bitLength() == 3072) {
            return KeyType.RSA_3072;
        }
        if (key instanceof ECPublicKey) {
            ECParameterSpec params = ((ECPublicKey) key).getParams();
            for (KeyType t : new KeyType[] {KeyType.EC_P256, KeyType.EC_P384}) {
                ECParameterSpec named = curve(t == KeyType.EC_P256 ? "secp256r1" : "secp384r1");
                if (named.getOrder().equals(params.getOrder()) && named.getGenerator().equals(params.getGenerator())
                        && named.getCurve().equals(params.getCurve())) {
                    return t;
                }
            }
        }
        throw new TokenException(TokenError.MECHANISM_UNSUPPORTED, "unsupported key " + key.getAlgorithm()
                + "; PKCS#11 tokens must hold EC P-256/P-384 or RSA 3072 keys");
    }

    private static ECParameterSpec curve(String name) throws TokenException {
        try {
            AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
            p.init(new ECGenParameterSpec(name));
            return p.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new TokenException(TokenError.MECHANISM_UNSUPPORTED, "the JDK lacks curve " + name, e);
        }
    }

    @Override
    public String toString() {
        return "Pkcs11Token[" + label + ", " + keyType + "]";
    }
}
