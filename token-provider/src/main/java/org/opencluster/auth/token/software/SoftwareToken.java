package org.opencluster.auth.token.software;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.util.List;
import java.util.Objects;

import org.bouncycastle.crypto.AsymmetricBlockCipher;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.agreement.ECDHBasicAgreement;
import org.bouncycastle.crypto.agreement.X25519Agreement;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.encodings.OAEPEncoding;
import org.bouncycastle.crypto.engines.RSABlindedEngine;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.params.RSAPrivateCrtKeyParameters;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.crypto.signers.PSSSigner;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.util.BigIntegers;
import org.opencluster.auth.token.EncryptionScheme;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.TokenOperation;

/**
 * A token whose private key lives in this process (unlocked from a passphrase envelope or freshly generated).
 *
 * <p>All operations use Bouncy Castle's lightweight API, chosen by measurement (see README): ECDSA is deterministic
 * (RFC 6979) so signing never depends on the quality of the platform RNG. The key is held as Bouncy Castle
 * parameters; {@link #close()} drops them. BigInteger-based keys (EC, RSA) cannot be overwritten in place, which is
 * why callers should close the token as soon as the login is done.
 */
public final class SoftwareToken implements Token {
    private final String label;
    private final KeyType keyType;
    private final PublicKey publicKey;
    private final List<X509Certificate> chain;
    private AsymmetricKeyParameter privateKey;

    private SoftwareToken(String label, KeyType keyType, AsymmetricKeyParameter privateKey, PublicKey publicKey,
                          List<X509Certificate> chain) {
        this.label = label;
        this.keyType = keyType;
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.chain = List.copyOf(chain);
    }

    /**
     * Builds a token from a PKCS#8 {@code PrivateKeyInfo}. The caller keeps ownership of {@code pkcs8} (wipe it).
     *
     * @param chain certificate chain, leaf first (may be empty); its leaf must carry this key's public key
     */
    public static SoftwareToken fromPkcs8(String label, byte[] pkcs8, List<X509Certificate> chain)
            throws TokenException {
        Objects.requireNonNull(label);
        AsymmetricKeyParameter key;
        try {
            key = PrivateKeyFactory.createKey(pkcs8);
        } catch (IOException | RuntimeException e) {
            throw new TokenException(TokenError.KEY_NOT_FOUND, "the private key is not a valid PKCS#8 key");
        }
        KeyType type = keyTypeOf(key);
        PublicKey publicKey = toJcaPublicKey(publicOf(key));
        if (!chain.isEmpty() && !chain.get(0).getPublicKey().equals(publicKey)) {
            throw new TokenException(TokenError.CERTIFICATE_NOT_FOUND,
                    "the certificate of '" + label + "' does not belong to its private key");
        }
        return new SoftwareToken(label, type, key, publicKey, chain);
    }

    /** Arithmetic in this process's memory: nothing to wait for. */
    @Override
    public boolean operationsMayBlock() {
        return false;
    }

    @Override
    public KeyType keyType() {
        return keyType;
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
    public synchronized byte[] sign(SignatureScheme scheme, byte[] message) throws TokenException {
        AsymmetricKeyParameter key = open();
        if (!scheme.supports(keyType)) {
            throw new TokenException(TokenError.MECHANISM_UNSUPPORTED,
                    "'" + label + "' holds a " + keyType + " key and cannot sign with " + scheme);
        }
        try {
            switch (scheme) {
                case ECDSA_P256_SHA256:
                    return ecdsa(key, new SHA256Digest(), message);
                case ECDSA_P384_SHA384:
                    return ecdsa(key, new SHA384Digest(), message);
                case ED25519:
                    Ed25519Signer ed = new Ed25519Signer();
                    ed.init(true, key);
                    ed.update(message, 0, message.length);
                    return ed.generateSignature();
                case RSA_PSS_SHA256:
                    return pss(key, new SHA256Digest(), message);
                case RSA_PSS_SHA384:
                    return pss(key, new SHA384Digest(), message);
                default:
                    throw new TokenException(TokenError.MECHANISM_UNSUPPORTED, scheme + " is not implemented");
            }
        } catch (CryptoException | RuntimeException e) {
            throw new TokenException(TokenError.DEVICE_ERROR, "signing with '" + label + "' failed", e);
        }
    }

    @Override
    public synchronized byte[] agree(PublicKey peerPublicKey) throws TokenException {
        AsymmetricKeyParameter key = open();
        if (!keyType.operations().contains(TokenOperation.KEY_AGREEMENT)) {
            throw new TokenException(TokenError.MECHANISM_UNSUPPORTED,
                    "'" + label + "' holds a " + keyType + " key, which cannot do key agreement");
        }
        AsymmetricKeyParameter peer;
        try {
            peer = PublicKeyFactory.createKey(peerPublicKey.getEncoded());
        } catch (IOException | RuntimeException e) {
            throw new TokenException(TokenError.INVALID_PEER_KEY, "the peer public key cannot be decoded");
        }
        if (keyType == KeyType.X25519) {
            if (!(peer instanceof X25519PublicKeyParameters)) {
                throw new TokenException(TokenError.INVALID_PEER_KEY, "the peer key is not an X25519 key");
            }
            X25519Agreement agreement = new X25519Agreement();
            agreement.init(key);
            byte[] secret = new byte[agreement.getAgreementSize()];
            try {
                agreement.calculateAgreement(peer, secret, 0);
            } catch (IllegalStateException e) {
                // all-zero output: the peer sent a low-order point
                throw new TokenException(TokenError.INVALID_PEER_KEY, "the peer X25519 key is a low-order point");
            }
            return secret;
        }
        ECPrivateKeyParameters ec = (ECPrivateKeyParameters) key;
        if (!(peer instanceof ECPublicKeyParameters)
                || SoftwareKeys.ecKeyType(((ECPublicKeyParameters) peer).getParameters()) != keyType) {
            throw new TokenException(TokenError.INVALID_PEER_KEY, "the peer key is not a " + keyType + " key");
        }
        ECDHBasicAgreement agreement = new ECDHBasicAgreement();
        agreement.init(ec);
        BigInteger x = agreement.calculateAgreement(peer);
        return BigIntegers.asUnsignedByteArray(agreement.getFieldSize(), x);
    }

    @Override
    public synchronized byte[] decrypt(EncryptionScheme scheme, byte[] ciphertext) throws TokenException {
        AsymmetricKeyParameter key = open();
        if (!keyType.isRsa() || scheme != EncryptionScheme.RSA_OAEP_SHA256) {
            throw new TokenException(TokenError.MECHANISM_UNSUPPORTED,
                    "'" + label + "' holds a " + keyType + " key and cannot decrypt " + scheme);
        }
        AsymmetricBlockCipher oaep = new OAEPEncoding(new RSABlindedEngine(), new SHA256Digest(),
                new SHA256Digest(), null);
        oaep.init(false, key);
        try {
            return oaep.processBlock(ciphertext, 0, ciphertext.length);
        } catch (InvalidCipherTextException | RuntimeException e) {
            throw new TokenException(TokenError.DECRYPTION_FAILED,
                    "the ciphertext cannot be decrypted with '" + label + "'");
        }
    }

    @Override
    public synchronized void close() {
        privateKey = null;
    }

    private AsymmetricKeyParameter open() throws TokenException {
        if (privateKey == null) {
            throw new TokenException(TokenError.TOKEN_CLOSED, "'" + label + "' has been closed");
        }
        return privateKey;
    }

    private static byte[] ecdsa(AsymmetricKeyParameter key, Digest digest, byte[] message) throws CryptoException {
        byte[] hash = new byte[digest.getDigestSize()];
        digest.update(message, 0, message.length);
        digest.doFinal(hash, 0);
        ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(digest));
        signer.init(true, key);
        BigInteger[] rs = signer.generateSignature(hash);
        try {
            return StandardDSAEncoding.INSTANCE.encode(((ECPrivateKeyParameters) key).getParameters().getN(),
                    rs[0], rs[1]);
        } catch (IOException e) {
            throw new CryptoException("cannot encode ECDSA signature", e);
        }
    }

    private static byte[] pss(AsymmetricKeyParameter key, Digest digest, byte[] message) throws CryptoException {
        PSSSigner signer = new PSSSigner(new RSABlindedEngine(), digest, digest.getDigestSize());
        signer.init(true, key);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    private static KeyType keyTypeOf(AsymmetricKeyParameter key) throws TokenException {
        if (key instanceof ECPrivateKeyParameters) {
            KeyType t = SoftwareKeys.ecKeyType(((ECPrivateKeyParameters) key).getParameters());
            if (t != null) {
                return t;
            }
        } else if (key instanceof Ed25519PrivateKeyParameters) {
            return KeyType.ED25519;
        } else if (key instanceof X25519PrivateKeyParameters) {
            return KeyType.X25519;
        } else if (key instanceof RSAPrivateCrtKeyParameters
                && KeyType.rsa(((RSAKeyParameters) key).getModulus().bitLength()).isPresent()) {
            return KeyType.rsa(((RSAKeyParameters) key).getModulus().bitLength()).get();
        }
        throw new TokenException(TokenError.MECHANISM_UNSUPPORTED,
                "unsupported private key type; use EC P-256/P-384, Ed25519, X25519 or RSA 2048/3072");
    }

    private static AsymmetricKeyParameter publicOf(AsymmetricKeyParameter key) {
        if (key instanceof ECPrivateKeyParameters) {
            ECPrivateKeyParameters ec = (ECPrivateKeyParameters) key;
            return new ECPublicKeyParameters(
                    ec.getParameters().getG().multiply(ec.getD()).normalize(), ec.getParameters());
        }
        if (key instanceof Ed25519PrivateKeyParameters) {
            return ((Ed25519PrivateKeyParameters) key).generatePublicKey();
        }
        if (key instanceof X25519PrivateKeyParameters) {
            return ((X25519PrivateKeyParameters) key).generatePublicKey();
        }
        RSAPrivateCrtKeyParameters rsa = (RSAPrivateCrtKeyParameters) key;
        return new RSAKeyParameters(false, rsa.getModulus(), rsa.getPublicExponent());
    }

    private static PublicKey toJcaPublicKey(AsymmetricKeyParameter publicKey) throws TokenException {
        try {
            byte[] spki = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(publicKey).getEncoded("DER");
            String algorithm = publicKey instanceof ECPublicKeyParameters ? "EC"
                    : publicKey instanceof RSAKeyParameters ? "RSA"
                    : publicKey instanceof X25519PublicKeyParameters ? "X25519" : "Ed25519";
            return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(spki));
        } catch (IOException | GeneralSecurityException e) {
            throw new TokenException(TokenError.DEVICE_ERROR, "cannot encode the public key", e);
        }
    }

    @Override
    public String toString() {
        return "SoftwareToken[" + label + ", " + keyType + "]";
    }
}
