package org.opencluster.auth.token.pkcs11;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.AuthProvider;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.ProviderException;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import javax.security.auth.login.LoginException;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.PinSource;
import org.opencluster.auth.token.PinStatus;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;

/**
 * A logged-in PKCS#11 token: one SunPKCS11 provider bound to one slot. Gives out {@link Pkcs11Token}s for its keys,
 * generates key pairs on the token and stores issued certificates next to them.
 *
 * <p>SunPKCS11 only addresses private keys that have a certificate with the same CKA_ID (its KeyStore skips
 * others), so generated keys get a self-signed placeholder certificate until {@link #storeCertificateChain}
 * replaces it. PKCS#11 login state is per process and token: every connection to the same token in this JVM
 * shares it, and {@link #close()} logs that token out.
 */
public final class Pkcs11Connection implements AutoCloseable {
    private final Path module;
    private final CryptokiSlots slots;
    private final CryptokiTokenInfo info;
    private final Provider provider;
    private final KeyStore keyStore;
    private volatile boolean closed;
    private volatile boolean removed;

    private Pkcs11Connection(Path module, CryptokiSlots slots, CryptokiTokenInfo info, Provider provider,
                             KeyStore keyStore) {
        this.module = module;
        this.slots = slots;
        this.info = info;
        this.provider = provider;
        this.keyStore = keyStore;
    }

    static Pkcs11Connection login(Path module, CryptokiSlots slots, CryptokiTokenInfo info, PinSource pins)
            throws TokenException {
        if (info.has(CryptokiTokenInfo.CKF_USER_PIN_LOCKED)) {
            throw new TokenException(TokenError.PIN_LOCKED, "the user PIN of " + info.describe()
                    + " is locked; unblock it with the SO PIN/PUK", info.pinStatus(), null);
        }
        Provider provider;
        try {
            provider = Security.getProvider("SunPKCS11").configure(SunPkcs11Config.forSlot(module, info.slotId()));
        } catch (ProviderException | IllegalArgumentException e) {
            throw new TokenException(TokenError.DEVICE_ERROR, "SunPKCS11 cannot use " + info.describe() + " of "
                    + module + ": " + Pkcs11Errors.find(e).orElse(e.getClass().getSimpleName()), e);
        }
        char[] pin = pins.readPin();
        try {
            KeyStore ks = KeyStore.getInstance("PKCS11", provider);
            ks.load(null, pin);
            return new Pkcs11Connection(module, slots, info, provider, ks);
        } catch (IOException e) {
            throw loginFailure(slots, info, e);
        } catch (GeneralSecurityException | ProviderException e) {
            throw new TokenException(TokenError.DEVICE_ERROR, "cannot open the key store of " + info.describe()
                    + ": " + Pkcs11Errors.find(e).orElse(e.getClass().getSimpleName()), e);
        } finally {
            Arrays.fill(pin, '\0');
        }
    }

    private static TokenException loginFailure(CryptokiSlots slots, CryptokiTokenInfo info, IOException e) {
        String code = Pkcs11Errors.find(e).orElse("");
        PinStatus status = slots.token(info.slotId()).map(CryptokiTokenInfo::pinStatus).orElse(PinStatus.UNKNOWN);
        if (code.equals("CKR_PIN_LOCKED") || status.locked()) {
            return new TokenException(TokenError.PIN_LOCKED, "the user PIN of " + info.describe()
                    + " is now locked; unblock it with the SO PIN/PUK", status, null);
        }
        if (code.equals("CKR_PIN_INCORRECT") || code.equals("CKR_PIN_LEN_RANGE")
                || (e.getCause() instanceof LoginException && code.isEmpty())) {
            return new TokenException(TokenError.WRONG_PIN, "wrong PIN for " + info.describe() + " ("
                    + status.describe() + ")", status, null);
        }
        if (Pkcs11Errors.GONE.contains(code)) {
            return new TokenException(TokenError.TOKEN_REMOVED, info.describe() + " went away during login ("
                    + code + ")", e);
        }
        return new TokenException(TokenError.DEVICE_ERROR, "login to " + info.describe() + " failed ("
                + (code.isEmpty() ? e.getClass().getSimpleName() : code) + ")", e);
    }

    /** The token's label. */
    public String tokenLabel() {
        return info.label();
    }

    /** The token's serial number. */
    public String tokenSerial() {
        return info.serial();
    }

    /**
     * Labels of the private keys (with certificates) on the token: not its secret keys (such as
     * {@link #SECRET_WRAP_LABEL}), which no URI without an object may pick as "the only key".
     */
    public synchronized List<String> keyLabels() throws TokenException {
        ensureOpen();
        try {
            List<String> out = new ArrayList<>();
            for (String alias : Collections.list(keyStore.aliases())) {
                if (keyStore.entryInstanceOf(alias, KeyStore.PrivateKeyEntry.class)) {
                    out.add(label(alias));
                }
            }
            Collections.sort(out);
            return out;
        } catch (GeneralSecurityException | ProviderException e) {
            throw failure("list keys", e);
        }
    }

    /** A token for the key labelled {@code keyLabel}; closing it leaves this connection open. */
    public Pkcs11Token token(String keyLabel) throws TokenException {
        return token(keyLabel, null, false);
    }

    /** A token for the key {@code uri} names (its object and id), on this connection's token. */
    public Pkcs11Token tokenFor(Pkcs11Uri uri) throws TokenException {
        return token(uri.object().orElse(null), uri.id().orElse(null), false);
    }

    /**
     * SunPKCS11 turns each byte of a CKA_LABEL into one char (Latin-1) for the key store alias, and each char back
     * into one byte when it writes a label; labels are UTF-8 (PKCS#11, p11tool, p11-kit). So the alias of a label
     * is its UTF-8 bytes read as Latin-1: a non-ASCII label then matches the key p11tool names, byte for byte.
     */
    static String alias(String label) {
        return new String(label.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /** The label behind a key store alias (the alias itself when its bytes are not UTF-8). */
    static String label(String alias) {
        byte[] raw = alias.getBytes(StandardCharsets.ISO_8859_1);
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(raw)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return alias;
        }
    }

    synchronized Pkcs11Token token(String keyLabel, byte[] id, boolean ownsConnection) throws TokenException {
        ensureOpen();
        String alias;
        if (id != null) {
            alias = aliasById(keyLabel, id);
        } else if (keyLabel != null) {
            alias = alias(keyLabel);
        } else {
            List<String> labels = keyLabels();
            if (labels.size() != 1) {
                throw new TokenException(TokenError.KEY_NOT_FOUND, "token " + info.describe() + " holds "
                        + labels.size() + " keys " + labels + "; add object=<label> to the URI");
            }
            alias = alias(labels.get(0));
        }
        try {
            if (!keyStore.isKeyEntry(alias)) {
                throw new TokenException(TokenError.KEY_NOT_FOUND, "no private key labelled '" + label(alias) + "' with a"
                        + " certificate on " + info.describe() + "; keys: " + keyLabels() + " (SunPKCS11 only sees"
                        + " keys that have a certificate with the same CKA_ID: enrol the key or write its"
                        + " certificate)");
            }
            PrivateKey key = (PrivateKey) keyStore.getKey(alias, null);
            List<X509Certificate> chain = chain(alias);
            if (chain.isEmpty()) {
                throw new TokenException(TokenError.CERTIFICATE_NOT_FOUND, "key '" + alias + "' on "
                        + info.describe() + " has no certificate");
            }
            return new Pkcs11Token(this, info.label() + "/" + label(alias), key, chain, ownsConnection);
        } catch (GeneralSecurityException | ProviderException e) {
            throw failure("read key '" + alias + "'", e);
        }
    }

    /**
     * The alias of the one private key with CKA_ID {@code id} (and CKA_LABEL {@code label}, if given), found
     * through PKCS#11 itself: SunPKCS11 cannot select by CKA_ID. Refused when none or several match.
     */
    private String aliasById(String label, byte[] id) throws TokenException {
        List<byte[]> labels = slots.privateKeyLabels(info.slotId(), id,
                label == null ? null : label.getBytes(StandardCharsets.UTF_8));
        String what = (label == null ? "" : "object=" + label + " ") + "id=" + java.util.HexFormat.of().formatHex(id);
        if (labels.size() != 1) {
            throw new TokenException(TokenError.KEY_NOT_FOUND, (labels.isEmpty() ? "no private key" : labels.size()
                    + " private keys") + " with " + what + " on " + info.describe() + "; keys: " + keyLabels());
        }
        return new String(labels.get(0), StandardCharsets.ISO_8859_1);
    }

    /**
     * Generates a non-extractable, sensitive key pair on the token labelled {@code keyLabel}, with a self-signed
     * placeholder certificate (SunPKCS11 needs one to find the key again). Build the CSR with
     * {@link org.opencluster.auth.token.enrol.Enrolment#csr} and store the issued chain with
     * {@link #storeCertificateChain}.
     */
    public synchronized Pkcs11Token generateKeyPair(KeyType type, String keyLabel) throws TokenException {
        ensureOpen();
        if (keyLabel == null || keyLabel.isEmpty() || keyLabel.length() > 64) {
            throw new IllegalArgumentException("key label must have 1..64 characters");
        }
        try {
            if (keyStore.containsAlias(alias(keyLabel))) {
                throw new TokenException(TokenError.DEVICE_ERROR, "a key labelled '" + keyLabel + "' already exists on "
                        + info.describe() + "; choose another label");
            }
            KeyPairGenerator generator;
            String signature;
            switch (type) {
                case EC_P256:
                case EC_P384:
                    generator = KeyPairGenerator.getInstance("EC", provider);
                    generator.initialize(new ECGenParameterSpec(type == KeyType.EC_P256 ? "secp256r1" : "secp384r1"));
                    signature = type == KeyType.EC_P256 ? "SHA256withECDSA" : "SHA384withECDSA";
                    break;
                case RSA_2048:
                case RSA_3072:
                    generator = KeyPairGenerator.getInstance("RSA", provider);
                    generator.initialize(type == KeyType.RSA_2048 ? 2048 : 3072);
                    signature = "SHA256withRSA";
                    break;
                default:
                    throw new TokenException(TokenError.MECHANISM_UNSUPPORTED, type
                            + " keys cannot be generated through SunPKCS11; use EC_P256, EC_P384 or RSA_3072");
            }
            KeyPair pair = generator.generateKeyPair();
            X509Certificate placeholder = selfSigned(pair, keyLabel, signature);
            keyStore.setKeyEntry(alias(keyLabel), pair.getPrivate(), null, new Certificate[] {placeholder});
            return token(keyLabel, null, false);
        } catch (GeneralSecurityException | ProviderException | OperatorCreationException e) {
            throw failure("generate a " + type + " key pair", e);
        }
    }

    /** Label of the token's AES-256 key that seals server secrets ({@link #sealSecret}). */
    public static final String SECRET_WRAP_LABEL = "oca-secret-wrap";
    /** GCM nonce and tag lengths of {@link #sealSecret}. */
    public static final int SEAL_NONCE_BYTES = 12;
    public static final int SEAL_TAG_BYTES = 16;
    private static final int MAX_SEALED_SECRET = 4096;

    /**
     * Seals {@code plaintext} with AES-256-GCM under the token's key {@link #SECRET_WRAP_LABEL}, made on first use
     * inside the token as a private, sensitive, never extractable token object: the result is only ever opened by
     * this token. Returns nonce (12 random bytes) || ciphertext || tag (16); {@code aad} is authenticated, not
     * stored.
     */
    public synchronized byte[] sealSecret(byte[] plaintext, byte[] aad, java.security.SecureRandom random)
            throws TokenException {
        ensureOpen();
        if (plaintext.length == 0 || plaintext.length > MAX_SEALED_SECRET) {
            throw new IllegalArgumentException("a sealed secret has 1.." + MAX_SEALED_SECRET + " bytes");
        }
        javax.crypto.SecretKey key = wrapKey(true).orElseThrow();
        byte[] nonce = new byte[SEAL_NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            javax.crypto.Cipher gcm = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding", provider);
            gcm.init(javax.crypto.Cipher.ENCRYPT_MODE, key,
                    new javax.crypto.spec.GCMParameterSpec(SEAL_TAG_BYTES * 8, nonce));
            gcm.updateAAD(aad);
            byte[] sealed = gcm.doFinal(plaintext);
            byte[] out = new byte[nonce.length + sealed.length];
            System.arraycopy(nonce, 0, out, 0, nonce.length);
            System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
            return out;
        } catch (GeneralSecurityException | ProviderException e) {
            throw failure("seal a secret with '" + SECRET_WRAP_LABEL + "'", e);
        }
    }

    /**
     * Opens what {@link #sealSecret} made with the same {@code aad}. Refused (never a partial result) when this token
     * has no {@link #SECRET_WRAP_LABEL} key, or the bytes were sealed by another token's key or changed.
     */
    public synchronized byte[] openSecret(byte[] sealed, byte[] aad) throws TokenException {
        ensureOpen();
        if (sealed.length < SEAL_NONCE_BYTES + SEAL_TAG_BYTES + 1
                || sealed.length > SEAL_NONCE_BYTES + SEAL_TAG_BYTES + MAX_SEALED_SECRET) {
            throw new TokenException(TokenError.DEVICE_ERROR, "a sealed secret of " + sealed.length
                    + " bytes is malformed");
        }
        javax.crypto.SecretKey key = wrapKey(false).orElseThrow(() -> new TokenException(TokenError.KEY_NOT_FOUND,
                info.describe() + " has no key '" + SECRET_WRAP_LABEL + "': the secret was sealed by another token"));
        try {
            javax.crypto.Cipher gcm = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding", provider);
            gcm.init(javax.crypto.Cipher.DECRYPT_MODE, key, new javax.crypto.spec.GCMParameterSpec(SEAL_TAG_BYTES * 8,
                    sealed, 0, SEAL_NONCE_BYTES));
            gcm.updateAAD(aad);
            return gcm.doFinal(sealed, SEAL_NONCE_BYTES, sealed.length - SEAL_NONCE_BYTES);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new TokenException(TokenError.DEVICE_ERROR, "the sealed secret does not open with the key '"
                    + SECRET_WRAP_LABEL + "' of " + info.describe() + ": sealed by another token's key, or changed");
        } catch (GeneralSecurityException | ProviderException e) {
            throw failure("open a secret with '" + SECRET_WRAP_LABEL + "'", e);
        }
    }

    /** The token's wrap key; when {@code create}, generated inside the token (never extractable) if missing. */
    private Optional<javax.crypto.SecretKey> wrapKey(boolean create) throws TokenException {
        String alias = alias(SECRET_WRAP_LABEL);
        try {
            if (keyStore.entryInstanceOf(alias, KeyStore.SecretKeyEntry.class)) {
                return Optional.of((javax.crypto.SecretKey) keyStore.getKey(alias, null));
            }
            if (keyStore.containsAlias(alias) || !create) {
                return Optional.empty();
            }
            // A session key with the provider's AES template (sensitive, not extractable), which the key store
            // copies into a labelled token object (C_CopyObject keeps those attributes; the key never leaves).
            javax.crypto.KeyGenerator generator = javax.crypto.KeyGenerator.getInstance("AES", provider);
            generator.init(256);
            keyStore.setEntry(alias, new KeyStore.SecretKeyEntry(generator.generateKey()), null);
            return Optional.of((javax.crypto.SecretKey) keyStore.getKey(alias, null));
        } catch (GeneralSecurityException | ProviderException e) {
            throw failure("find or make the key '" + SECRET_WRAP_LABEL + "'", e);
        }
    }

    private X509Certificate selfSigned(KeyPair pair, String label, String signature)
            throws OperatorCreationException, GeneralSecurityException {
        long now = System.currentTimeMillis();
        X500Name name = new X500Name("CN=" + label.replaceAll("[,+=\"\\\\<>;#]", "_") + ",OU=not enrolled");
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                BigInteger.valueOf(now), new Date(now - 60_000), new Date(now + 365L * 86_400_000L), name,
                pair.getPublic()).build(new JcaContentSignerBuilder(signature).setProvider(provider)
                .build(pair.getPrivate())));
    }

    /** Stores {@code chain} (leaf first; the leaf must certify the key) as the certificate of {@code keyLabel}. */
    public synchronized void storeCertificateChain(String keyLabel, List<X509Certificate> chain)
            throws TokenException {
        ensureOpen();
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("empty certificate chain");
        }
        try {
            String alias = alias(keyLabel);
            if (!keyStore.isKeyEntry(alias)) {
                throw new TokenException(TokenError.KEY_NOT_FOUND, "no key labelled '" + keyLabel + "' on "
                        + info.describe());
            }
            Certificate current = keyStore.getCertificate(alias);
            if (!Arrays.equals(current.getPublicKey().getEncoded(), chain.get(0).getPublicKey().getEncoded())) {
                throw new TokenException(TokenError.CERTIFICATE_NOT_FOUND, "the certificate is not for key '"
                        + keyLabel + "' on " + info.describe());
            }
            keyStore.setKeyEntry(alias, keyStore.getKey(alias, null), null, chain.toArray(new Certificate[0]));
        } catch (GeneralSecurityException | ProviderException e) {
            throw failure("store the certificate of '" + keyLabel + "'", e);
        }
    }

    synchronized List<X509Certificate> chain(String alias) throws GeneralSecurityException {
        Certificate[] certs = keyStore.getCertificateChain(alias);
        List<X509Certificate> out = new ArrayList<>();
        if (certs != null) {
            for (Certificate c : certs) {
                out.add((X509Certificate) c);
            }
        }
        return out;
    }

    Provider provider() {
        return provider;
    }

    String describe() {
        return info.describe();
    }

    void ensureOpen() throws TokenException {
        if (closed) {
            throw new TokenException(TokenError.TOKEN_CLOSED, "the connection to " + info.describe() + " is closed");
        }
        if (removed) {
            throw new TokenException(TokenError.TOKEN_REMOVED, info.describe() + " was removed or reset; close it"
                    + " and open the URI again");
        }
    }

    /**
     * Classifies a failure: when SunPKCS11 or the token says the token or session is gone, or the slot no longer
     * shows the same token, this connection is marked removed (reopen to recover).
     */
    TokenException failure(String what, Throwable e) {
        String code = Pkcs11Errors.find(e).orElse("");
        Optional<CryptokiTokenInfo> now = slots.token(info.slotId());
        boolean gone = now.isEmpty() || !now.get().serial().equals(info.serial())
                || Pkcs11Errors.saysRemoved(e) || Pkcs11Errors.GONE.contains(code);
        if (gone) {
            removed = true;
            return new TokenException(TokenError.TOKEN_REMOVED, "cannot " + what + ": " + info.describe()
                    + " was removed or reset" + (code.isEmpty() ? "" : " (" + code + ")")
                    + "; close it and open the URI again", e);
        }
        if (Pkcs11Errors.UNSUPPORTED.contains(code) || e instanceof java.security.NoSuchAlgorithmException) {
            return new TokenException(TokenError.MECHANISM_UNSUPPORTED, "cannot " + what + ": " + info.describe()
                    + " does not support it" + (code.isEmpty() ? "" : " (" + code + ")"), e);
        }
        return new TokenException(TokenError.DEVICE_ERROR, "cannot " + what + " on " + info.describe() + " ("
                + (code.isEmpty() ? e.getClass().getSimpleName() : code) + ")", e);
    }

    /** Logs the token out (for every connection to it in this JVM) and drops the provider. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            ((AuthProvider) provider).logout();
        } catch (LoginException | ProviderException e) {
            // The token may already be gone; nothing is left to release on our side.
        }
    }

    @Override
    public String toString() {
        return "Pkcs11Connection[" + info.describe() + ", " + module + "]";
    }
}
