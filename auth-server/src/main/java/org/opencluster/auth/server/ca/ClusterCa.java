package org.opencluster.auth.server.ca;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;

/**
 * The cluster's small internal CA: certifies account public keys (people's envelope keys, services' token keys,
 * cards' keys) with the server's CA key. The key stays wherever it lives: signing goes through a Bouncy Castle
 * {@link ContentSigner}, which a PKCS#11 token implements without exporting anything.
 */
public final class ClusterCa {
    /** What an issued certificate is for; it fixes the organisational unit and the key usage. */
    public enum Subject { PERSON, SERVICE, SERVER }

    /** Used as an object, never registered globally: it knows every key algorithm a CSR may carry. */
    private static final java.security.Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    private final X509Certificate caCertificate;
    private final ContentSigner signer;
    private final Clock clock;
    private final SecureRandom random;

    public ClusterCa(X509Certificate caCertificate, ContentSigner signer, Clock clock, SecureRandom random) {
        this.caCertificate = Objects.requireNonNull(caCertificate, "caCertificate");
        this.signer = Objects.requireNonNull(signer, "signer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    public X509Certificate certificate() {
        return caCertificate;
    }

    /** A self-signed CA certificate for {@code signer}'s key (bootstrap of a new cluster). */
    public static X509Certificate selfSign(String clusterName, PublicKey caKey, ContentSigner signer,
            Duration validity, Clock clock, SecureRandom random) {
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "OpenCluster")
                .addRDN(BCStyle.CN, clusterName + " CA").build();
        Instant now = clock.instant();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(caKey.getEncoded());
            X509v3CertificateBuilder b = new X509v3CertificateBuilder(name, serial(random),
                    Date.from(now.minusSeconds(300)), Date.from(now.plus(validity)), name, spki)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(spki));
            return convert(b.build(signer));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot build the CA certificate", e);
        }
    }

    /** Certifies {@code key} for {@code name}. */
    public X509Certificate issue(String name, Subject subject, PublicKey key, Duration validity) {
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(key.getEncoded());
        return issue(name, subject, spki, keyUsageFor(spki), validity);
    }

    /**
     * Certifies the key of a PKCS#10 request after checking its signature (proof that the requester holds the
     * private key, which never left its token). The subject is the one the server decides, not the request's.
     */
    public X509Certificate issue(String name, Subject subject, PKCS10CertificationRequest csr, Duration validity) {
        try {
            ContentVerifierProvider verifier = new JcaContentVerifierProviderBuilder().setProvider(BC)
                    .build(csr.getSubjectPublicKeyInfo());
            if (!csr.isSignatureValid(verifier)) {
                throw new IllegalArgumentException("the certification request's signature does not verify");
            }
        } catch (OperatorCreationException | PKCSException e) {
            // A fixed text (it reaches the enrolling client): the library's message, which may name its classes,
            // stays with the cause.
            throw new IllegalArgumentException("the certification request cannot be verified (its key or signature"
                    + " algorithm is not supported, or it is malformed)", e);
        }
        return issue(name, subject, csr.getSubjectPublicKeyInfo(), keyUsageFor(csr.getSubjectPublicKeyInfo()),
                validity);
    }

    /**
     * Certifies a derive-only key (its possession proven by key agreement, not by a signature) with key usage
     * keyAgreement alone, so the server asks its holder for the key-agreement proof at every login.
     */
    public X509Certificate issueForKeyAgreement(String name, Subject subject, PublicKey key, Duration validity) {
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(key.getEncoded());
        String oid = spki.getAlgorithm().getAlgorithm().getId();
        if (!oid.equals("1.2.840.10045.2.1") && !oid.equals("1.3.101.110")) {
            throw new IllegalArgumentException("only EC and X25519 keys do key agreement");
        }
        return issue(name, subject, spki, KeyUsage.keyAgreement, validity);
    }

    private X509Certificate issue(String name, Subject subject, SubjectPublicKeyInfo spki, int keyUsage,
            Duration validity) {
        if (name == null || name.isEmpty() || name.length() > 255) {
            throw new IllegalArgumentException("a certificate name is 1-255 characters");
        }
        X500Name issuer = X500Name.getInstance(caCertificate.getSubjectX500Principal().getEncoded());
        X500Name dn = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "OpenCluster")
                .addRDN(BCStyle.OU, subject.name().toLowerCase(java.util.Locale.ROOT)).addRDN(BCStyle.CN, name)
                .build();
        Instant now = clock.instant();
        Instant notAfter = now.plus(validity);
        if (notAfter.isAfter(caCertificate.getNotAfter().toInstant())) {
            notAfter = caCertificate.getNotAfter().toInstant();
        }
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new X509v3CertificateBuilder(issuer, serial(random),
                    Date.from(now.minusSeconds(300)), Date.from(notAfter), dn, spki)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                            subject == Subject.SERVER ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(spki))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(caCertificate));
            return convert(b.build(signer));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot issue a certificate for " + name, e);
        }
    }

    /** Signature keys sign, X25519 only agrees, EC and RSA keys may do both proofs of the handshake. */
    private static int keyUsageFor(SubjectPublicKeyInfo spki) {
        String oid = spki.getAlgorithm().getAlgorithm().getId();
        switch (oid) {
            case "1.3.101.112": // Ed25519
                return KeyUsage.digitalSignature;
            case "1.3.101.110": // X25519
                return KeyUsage.keyAgreement;
            case "1.2.840.113549.1.1.1": // RSA
                return KeyUsage.digitalSignature | KeyUsage.keyEncipherment;
            default: // EC
                return KeyUsage.digitalSignature | KeyUsage.keyAgreement;
        }
    }

    /** True when this CA's key signed {@code cert} and names this CA as its issuer (validity dates not checked). */
    public boolean issued(X509Certificate cert) {
        try {
            cert.verify(caCertificate.getPublicKey());
            return cert.getIssuerX500Principal().equals(caCertificate.getSubjectX500Principal());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** True when {@code cert} was issued by this CA and is valid now. */
    public boolean verify(X509Certificate cert) {
        try {
            cert.checkValidity(Date.from(clock.instant()));
        } catch (GeneralSecurityException e) {
            return false;
        }
        return issued(cert);
    }

    static BigInteger serial(SecureRandom random) {
        byte[] b = new byte[16];
        random.nextBytes(b);
        b[0] &= 0x7f; // positive, 127 random bits (RFC 5280 allows up to 20 octets)
        return new BigInteger(1, b).setBit(120);
    }

    static X509Certificate convert(X509CertificateHolder holder) throws CertificateException {
        return new JcaX509CertificateConverter().getCertificate(holder);
    }
}
