package org.opencluster.auth.token.envelope;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.software.SoftwareToken;

/**
 * Seals a software private key and its certificate chain under a passphrase, for the server to store and hand to
 * the client, and opens it again on the client.
 *
 * <p>Argon2id (Bouncy Castle) derives 64 bytes from the passphrase: the first 32 are the AES-256-GCM key, the last
 * 32 a check value stored in the envelope so that a wrong passphrase is reported as {@link TokenError#WRONG_PASSPHRASE}
 * and damage as {@link TokenError#ENVELOPE_CORRUPT}. (The check value gives an offline guesser nothing the GCM tag
 * does not already give.) Every byte before the ciphertext, including the account identity, is GCM associated
 * data, so an envelope cannot be moved to another account. The account identity is compared byte for byte as UTF-8:
 * canonicalise it (e.g. lower-case) the same way on both sides.
 */
public final class PassphraseEnvelope {
    private final KdfParameters kdf;
    private final EnvelopePolicy policy;
    private final SecureRandom random;

    private PassphraseEnvelope(Builder b) {
        this.kdf = b.kdf;
        this.policy = b.policy;
        this.random = b.random;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Seals {@code pkcs8} and {@code chain} for {@code account}. The caller keeps ownership of (and wipes)
     * {@code passphrase} and {@code pkcs8}.
     */
    public byte[] seal(String account, char[] passphrase, byte[] pkcs8, List<X509Certificate> chain)
            throws TokenException {
        return seal(account, (salt, params) -> derive(passphrase, salt, params), pkcs8, chain);
    }

    /**
     * Seals {@code pkcs8} and {@code chain} for {@code account} under OPAQUE's {@code export_key} (credential
     * version 2, docs/PROTOCOL.md 5.5.6): the same layout as {@link #seal}, but the 64 bytes are
     * HKDF-SHA256(salt = the envelope's salt, IKM = export_key, info = {@value #EXPORT_KEY_INFO}) instead of
     * Argon2id(passphrase). The header's KDF parameters are the costs of OPAQUE's key stretching (Argon2id on the
     * OPRF output), which the client reads from the envelope before it stretches.
     */
    public byte[] sealUnderExportKey(String account, byte[] exportKey, byte[] pkcs8, List<X509Certificate> chain)
            throws TokenException {
        return seal(account, (salt, params) -> fromExportKey(exportKey, salt), pkcs8, chain);
    }

    /** How the 64 envelope bytes (AES key, check value) come from the envelope's salt and KDF parameters. */
    @FunctionalInterface
    private interface EnvelopeKeys {
        byte[] derive(byte[] salt, KdfParameters kdf) throws TokenException;
    }

    private byte[] seal(String account, EnvelopeKeys keys, byte[] pkcs8, List<X509Certificate> chain)
            throws TokenException {
        if (!kdf.atLeast(policy.floor()) || !kdf.atMost(policy.ceiling())) {
            throw new TokenException(TokenError.KDF_TOO_WEAK, kdf + " is outside the policy range "
                    + policy.floor() + " .. " + policy.ceiling());
        }
        byte[] accountBytes = accountBytes(account);
        List<byte[]> certs = new ArrayList<>();
        for (X509Certificate c : chain) {
            try {
                certs.add(c.getEncoded());
            } catch (CertificateEncodingException e) {
                throw new IllegalArgumentException("certificate cannot be encoded", e);
            }
        }
        byte[] salt = new byte[EnvelopeFormat.SALT_LENGTH];
        byte[] nonce = new byte[EnvelopeFormat.NONCE_LENGTH];
        random.nextBytes(salt);
        random.nextBytes(nonce);
        byte[] derived = keys.derive(salt, kdf);
        byte[] plaintext = EnvelopeFormat.writePlaintext(pkcs8, certs);
        try {
            byte[] header = EnvelopeFormat.writeHeader(kdf, salt, nonce, accountBytes,
                    Arrays.copyOfRange(derived, 32, 64));
            int ctLength = plaintext.length + EnvelopeFormat.TAG_LENGTH;
            Cipher gcm = gcm(Cipher.ENCRYPT_MODE, derived, nonce);
            gcm.updateAAD(EnvelopeFormat.aad(header, ctLength));
            return EnvelopeFormat.assemble(header, gcm.doFinal(plaintext));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        } finally {
            Arrays.fill(derived, (byte) 0);
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    /**
     * A well-formed version 1 envelope for {@code account} that no passphrase opens: header with {@code kdf},
     * salt, nonce, check value and a ciphertext of {@code plaintextLength} + 16 bytes, all taken from
     * {@code material} (which the server derives from a secret and the username, so the same name always gets the
     * same decoy). To anyone without the server secret it is indistinguishable from a real envelope of that size.
     *
     * @param material at least {@code 16 + 12 + 32 + plaintextLength + 16} pseudo-random bytes
     */
    public static byte[] decoy(String account, KdfParameters kdf, int plaintextLength, byte[] material) {
        if (plaintextLength < 1 || plaintextLength % EnvelopeFormat.PLAINTEXT_BLOCK != 0) {
            throw new IllegalArgumentException("a decoy plaintext length is a positive multiple of "
                    + EnvelopeFormat.PLAINTEXT_BLOCK);
        }
        int need = decoyMaterialLength(plaintextLength);
        if (material.length < need) {
            throw new IllegalArgumentException("decoy material must be at least " + need + " bytes");
        }
        java.nio.ByteBuffer m = java.nio.ByteBuffer.wrap(material);
        byte[] salt = new byte[EnvelopeFormat.SALT_LENGTH];
        byte[] nonce = new byte[EnvelopeFormat.NONCE_LENGTH];
        byte[] check = new byte[EnvelopeFormat.CHECK_LENGTH];
        byte[] ciphertext = new byte[plaintextLength + EnvelopeFormat.TAG_LENGTH];
        m.get(salt).get(nonce).get(check).get(ciphertext);
        return EnvelopeFormat.assemble(EnvelopeFormat.writeHeader(kdf, salt, nonce, accountBytes(account), check),
                ciphertext);
    }

    /** How many pseudo-random bytes {@link #decoy} consumes. */
    public static int decoyMaterialLength(int plaintextLength) {
        return EnvelopeFormat.SALT_LENGTH + EnvelopeFormat.NONCE_LENGTH + EnvelopeFormat.CHECK_LENGTH
                + plaintextLength + EnvelopeFormat.TAG_LENGTH;
    }

    /** The padded plaintext length of an envelope whose content (key and certificates) is {@code contentLength}. */
    public static int paddedPlaintextLength(int contentLength) {
        return EnvelopeFormat.paddedLength(contentLength);
    }

    /**
     * Opens an envelope sealed for {@code account}.
     *
     * @param label label of the returned token
     * @throws TokenException WRONG_ACCOUNT, KDF_TOO_WEAK, WRONG_PASSPHRASE or ENVELOPE_CORRUPT
     */
    public SoftwareToken open(String account, char[] passphrase, byte[] envelope, String label)
            throws TokenException {
        return open(account, (salt, params) -> derive(passphrase, salt, params), envelope, label);
    }

    /**
     * Opens a credential-version-2 envelope with OPAQUE's {@code export_key} ({@link #sealUnderExportKey}).
     *
     * @throws TokenException WRONG_ACCOUNT, KDF_TOO_WEAK, WRONG_PASSPHRASE (another export key) or ENVELOPE_CORRUPT
     */
    public SoftwareToken openUnderExportKey(String account, byte[] exportKey, byte[] envelope, String label)
            throws TokenException {
        return open(account, (salt, params) -> fromExportKey(exportKey, salt), envelope, label);
    }

    /**
     * The KDF parameters of an envelope sealed for {@code account}, within this opener's policy: for a version 2
     * credential, the costs of OPAQUE's key stretching.
     *
     * @throws TokenException ENVELOPE_CORRUPT, WRONG_ACCOUNT or KDF_TOO_WEAK
     */
    public KdfParameters kdfOf(String account, byte[] envelope) throws TokenException {
        return checkedHeader(account, envelope, policy).kdf();
    }

    /**
     * Re-seals the content of a version 1 envelope (opened with {@code passphrase}) under OPAQUE's
     * {@code export_key}: the migration of a person to credential version 2 (docs/PROTOCOL.md 5.5.6, 8.3). The
     * key and certificates never leave this method unencrypted.
     */
    public byte[] resealUnderExportKey(String account, char[] passphrase, byte[] envelope, byte[] exportKey)
            throws TokenException {
        byte[] plaintext = decrypt(account, (salt, params) -> derive(passphrase, salt, params), envelope);
        EnvelopeFormat.Content content = null;
        try {
            content = EnvelopeFormat.parsePlaintext(plaintext);
            return sealUnderExportKey(account, exportKey, content.pkcs8(), certificates(content.certificates()));
        } finally {
            Arrays.fill(plaintext, (byte) 0);
            if (content != null) {
                Arrays.fill(content.pkcs8(), (byte) 0);
            }
        }
    }

    /** The KDF parameters this sealer writes (for credential version 2: the costs of OPAQUE's key stretching). */
    public KdfParameters kdf() {
        return kdf;
    }

    private SoftwareToken open(String account, EnvelopeKeys keys, byte[] envelope, String label)
            throws TokenException {
        byte[] plaintext = decrypt(account, keys, envelope);
        EnvelopeFormat.Content content = null;
        try {
            content = EnvelopeFormat.parsePlaintext(plaintext);
            return SoftwareToken.fromPkcs8(label, content.pkcs8(), certificates(content.certificates()));
        } finally {
            Arrays.fill(plaintext, (byte) 0);
            if (content != null) {
                Arrays.fill(content.pkcs8(), (byte) 0);
            }
        }
    }

    /** The padded plaintext of an envelope sealed for {@code account}; the caller wipes it. */
    private byte[] decrypt(String account, EnvelopeKeys keys, byte[] envelope) throws TokenException {
        EnvelopeFormat.Header h = checkedHeader(account, envelope, policy);
        byte[] derived = keys.derive(h.salt(), h.kdf());
        byte[] plaintext = null;
        try {
            if (!MessageDigest.isEqual(Arrays.copyOfRange(derived, 32, 64), h.check())) {
                throw new TokenException(TokenError.WRONG_PASSPHRASE,
                        "the passphrase is wrong for account '" + account + "'");
            }
            Cipher gcm = gcm(Cipher.DECRYPT_MODE, derived, h.nonce());
            gcm.updateAAD(h.aad());
            plaintext = gcm.doFinal(h.ciphertext());
        } catch (AEADBadTagException e) {
            throw EnvelopeFormat.corrupt("authentication failed (modified after sealing)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        } finally {
            Arrays.fill(derived, (byte) 0);
        }
        return plaintext;
    }

    /**
     * What anyone can check without the passphrase (docs/PROTOCOL.md section 9, "Opening", steps 1-3), as a server
     * does at enrolment: the layout, that the envelope is sealed for {@code account}, that its KDF parameters lie
     * within {@code policy}, and that its plaintext is padded to a multiple of 512 bytes as writers pad it (so it
     * falls in the size class decoys imitate).
     *
     * @throws TokenException ENVELOPE_CORRUPT, WRONG_ACCOUNT or KDF_TOO_WEAK
     */
    public static void checkSealedFor(String account, byte[] envelope, EnvelopePolicy policy) throws TokenException {
        EnvelopeFormat.Header h = checkedHeader(account, envelope, policy);
        if ((h.ciphertext().length - EnvelopeFormat.TAG_LENGTH) % EnvelopeFormat.PLAINTEXT_BLOCK != 0) {
            throw EnvelopeFormat.corrupt("the plaintext is not padded to a multiple of "
                    + EnvelopeFormat.PLAINTEXT_BLOCK + " bytes");
        }
    }

    private static EnvelopeFormat.Header checkedHeader(String account, byte[] envelope, EnvelopePolicy policy)
            throws TokenException {
        EnvelopeFormat.Header h = EnvelopeFormat.parse(envelope);
        // Not secret (the server hands the envelope to whoever names the account), so a plain compare is fine.
        if (!Arrays.equals(h.account(), accountBytes(account))) {
            throw new TokenException(TokenError.WRONG_ACCOUNT,
                    "this envelope belongs to another account; ask the server for the envelope of '" + account + "'");
        }
        if (!h.kdf().atLeast(policy.floor())) {
            throw new TokenException(TokenError.KDF_TOO_WEAK, "envelope uses " + h.kdf()
                    + ", below the accepted floor " + policy.floor() + "; re-seal it with stronger parameters");
        }
        if (!h.kdf().atMost(policy.ceiling())) {
            throw EnvelopeFormat.corrupt("KDF parameters above the accepted ceiling " + policy.ceiling());
        }
        return h;
    }

    private static List<X509Certificate> certificates(List<byte[]> ders) throws TokenException {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            List<X509Certificate> out = new ArrayList<>();
            for (byte[] der : ders) {
                out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
            }
            return out;
        } catch (CertificateException e) {
            throw EnvelopeFormat.corrupt("a sealed certificate cannot be parsed");
        }
    }

    private static Cipher gcm(int mode, byte[] derived, byte[] nonce) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, new SecretKeySpec(derived, 0, 32, "AES"),
                new GCMParameterSpec(EnvelopeFormat.TAG_LENGTH * 8, nonce));
        return cipher;
    }

    /** HKDF-SHA256 info of the version 2 envelope bytes under OPAQUE's export_key. */
    public static final String EXPORT_KEY_INFO = "oca1 envelope under export_key";

    /** HKDF-SHA256(salt, IKM = export_key, info = {@value #EXPORT_KEY_INFO}), 64 output bytes. */
    static byte[] fromExportKey(byte[] exportKey, byte[] salt) {
        if (exportKey.length != 32) {
            throw new IllegalArgumentException("export_key is 32 bytes (Nh)");
        }
        org.bouncycastle.crypto.generators.HKDFBytesGenerator hkdf =
                new org.bouncycastle.crypto.generators.HKDFBytesGenerator(
                        new org.bouncycastle.crypto.digests.SHA256Digest());
        hkdf.init(new org.bouncycastle.crypto.params.HKDFParameters(exportKey, salt,
                EXPORT_KEY_INFO.getBytes(StandardCharsets.US_ASCII)));
        byte[] out = new byte[64];
        hkdf.generateBytes(out, 0, out.length);
        return out;
    }

    /** Argon2id, 64 output bytes; the UTF-8 copy of the passphrase is wiped. */
    static byte[] derive(char[] passphrase, byte[] salt, KdfParameters kdf) throws TokenException {
        if (passphrase == null || passphrase.length == 0) {
            throw new TokenException(TokenError.WRONG_PASSPHRASE, "the passphrase is empty");
        }
        byte[] secret = utf8(passphrase);
        byte[] out = new byte[64];
        try {
            Argon2BytesGenerator argon2 = new Argon2BytesGenerator();
            argon2.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                    .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                    .withMemoryAsKB(kdf.memoryKiB())
                    .withIterations(kdf.iterations())
                    .withParallelism(kdf.parallelism())
                    .withSalt(salt)
                    .build());
            argon2.generateBytes(secret, out);
            return out;
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /**
     * The passphrase as the KDFs take it: UTF-8, refused when not valid Unicode (WRONG_PASSPHRASE). The caller wipes
     * the result; OPAQUE's OPRF input is these bytes too.
     */
    public static byte[] utf8(char[] chars) throws TokenException {
        ByteBuffer buffer = null;
        try {
            buffer = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(chars));
            return Arrays.copyOf(buffer.array(), buffer.limit());
        } catch (CharacterCodingException e) {
            throw new TokenException(TokenError.WRONG_PASSPHRASE, "the passphrase is not valid Unicode");
        } finally {
            if (buffer != null) {
                Arrays.fill(buffer.array(), (byte) 0);
            }
        }
    }

    private static byte[] accountBytes(String account) {
        byte[] b = Objects.requireNonNull(account).getBytes(StandardCharsets.UTF_8);
        if (b.length < 1 || b.length > EnvelopeFormat.MAX_ACCOUNT) {
            throw new IllegalArgumentException("account identity must be 1.." + EnvelopeFormat.MAX_ACCOUNT
                    + " UTF-8 bytes");
        }
        return b;
    }

    /** Builder with the production defaults ({@link KdfParameters#DEFAULT}, {@link EnvelopePolicy#DEFAULT}). */
    public static final class Builder {
        private KdfParameters kdf = KdfParameters.DEFAULT;
        private EnvelopePolicy policy = EnvelopePolicy.DEFAULT;
        private SecureRandom random = new SecureRandom();

        public Builder kdf(KdfParameters kdf) {
            this.kdf = Objects.requireNonNull(kdf);
            return this;
        }

        public Builder policy(EnvelopePolicy policy) {
            this.policy = Objects.requireNonNull(policy);
            return this;
        }

        public Builder random(SecureRandom random) {
            this.random = Objects.requireNonNull(random);
            return this;
        }

        public PassphraseEnvelope build() {
            return new PassphraseEnvelope(this);
        }
    }
}
