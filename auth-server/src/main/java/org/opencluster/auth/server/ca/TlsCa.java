package org.opencluster.auth.server.ca;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.util.IPAddress;

/**
 * The HTTPS listener's certificates, apart from the cluster CA (which certifies people's and services' keys, has no
 * name constraints, and must never be imported into a browser). Three certificates:
 * <ul>
 * <li>the <b>TLS root</b>, the one certificate a browser is asked to trust: self-signed, with X.509 name
 *     constraints permitting exactly the configured names; its key is generated for it and thrown away once it
 *     has signed the TLS CA, so it signs nothing else, ever;</li>
 * <li>the <b>TLS CA</b>, issued by the root with the same name constraints, whose key (in the data directory)
 *     issues the HTTPS certificate. Constraints in a CA certificate below the trust anchor are what every PKIX
 *     validator applies (RFC 5280 section 6.1; the JDK's ignores them in a trust anchor), so whoever copies this
 *     key still cannot make a certificate that verifies for another name, say {@code www.bank.example};</li>
 * <li>the <b>HTTPS certificate</b>: the server key, subjectAltName = the names, serverAuth.</li>
 * </ul>
 */
public final class TlsCa {
    private TlsCa() {
    }

    /** The TLS root and the TLS CA below it, for {@code tlsCaKey}. */
    public record Authorities(X509Certificate root, X509Certificate tlsCa) {
    }

    /**
     * Makes a TLS root (with a key that exists only during this call) and the TLS CA for {@code tlsCaKey} below
     * it, both constrained to {@code names}.
     */
    public static Authorities create(List<String> names, PublicKey tlsCaKey, Duration validity, Clock clock,
            SecureRandom random) {
        X500Name rootName = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "OpenCluster")
                .addRDN(BCStyle.CN, "OpenCluster TLS root " + ClusterCa.serial(random).toString(16)).build();
        X500Name caName = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "OpenCluster")
                .addRDN(BCStyle.CN, "OpenCluster TLS CA").build();
        byte[] rootPkcs8 = org.opencluster.auth.token.software.SoftwareKeys.generatePkcs8(
                org.opencluster.auth.token.KeyType.EC_P256, random);
        try (org.opencluster.auth.token.software.SoftwareToken rootKey = org.opencluster.auth.token.software
                .SoftwareToken.fromPkcs8("tls-root", rootPkcs8, List.of())) {
            ContentSigner rootSigner = new org.opencluster.auth.token.enrol.TokenContentSigner(rootKey,
                    org.opencluster.auth.token.SignatureScheme.ECDSA_P256_SHA256);
            SubjectPublicKeyInfo rootSpki = SubjectPublicKeyInfo.getInstance(rootKey.publicKey().getEncoded());
            X509Certificate root = ca(rootName, rootName, rootSpki, null, 1, names, validity, clock, random,
                    rootSigner);
            X509Certificate tlsCa = ca(rootName, caName, SubjectPublicKeyInfo.getInstance(tlsCaKey.getEncoded()), root,
                    0, names, validity, clock, random, rootSigner);
            return new Authorities(root, tlsCa);
        } catch (org.opencluster.auth.token.TokenException e) {
            throw new IllegalStateException("cannot make the TLS root key", e);
        } finally {
            Arrays.fill(rootPkcs8, (byte) 0);
        }
    }

    private static X509Certificate ca(X500Name issuer, X500Name subject, SubjectPublicKeyInfo spki,
            X509Certificate issuerCert, int pathLength, List<String> names, Duration validity, Clock clock,
            SecureRandom random, ContentSigner signer) {
        Instant now = clock.instant();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new X509v3CertificateBuilder(issuer, ClusterCa.serial(random),
                    Date.from(now.minusSeconds(300)), Date.from(now.plus(validity)), subject, spki)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLength))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.nameConstraints, true, constraints(names))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(spki));
            if (issuerCert != null) {
                b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuerCert));
            }
            return ClusterCa.convert(b.build(signer));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot build a TLS CA certificate", e);
        }
    }

    private static NameConstraints constraints(List<String> names) {
        List<GeneralSubtree> permitted = new ArrayList<>();
        for (String n : names) {
            permitted.add(new GeneralSubtree(subtreeName(n)));
        }
        return new NameConstraints(permitted.toArray(new GeneralSubtree[0]), null);
    }

    /**
     * True when {@code ca} (a TLS root or CA that {@link #create} made) is constrained to exactly {@code names}:
     * then it can vouch for an HTTPS certificate for them, whichever node's data directory it was made in.
     */
    public static boolean constrainedTo(X509Certificate ca, List<String> names) {
        byte[] value = ca.getExtensionValue(Extension.nameConstraints.getId());
        if (value == null) {
            return false;
        }
        try {
            return Arrays.equals(constraints(names).getEncoded(),
                    ASN1OctetString.getInstance(value).getOctets());
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The HTTPS listener's certificate: {@code serverKey} for {@code names} (subjectAltName), serverAuth only. */
    public static X509Certificate issueHttps(X509Certificate tlsCa, ContentSigner signer, PublicKey serverKey,
            List<String> names, Duration validity, Clock clock, SecureRandom random) {
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(serverKey.getEncoded());
        X500Name issuer = X500Name.getInstance(tlsCa.getSubjectX500Principal().getEncoded());
        X500Name dn = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "OpenCluster")
                .addRDN(BCStyle.OU, "https").addRDN(BCStyle.CN, names.get(0)).build();
        GeneralName[] alt = names.stream().map(TlsCa::altName).toArray(GeneralName[]::new);
        Instant now = clock.instant();
        Instant notAfter = now.plus(validity);
        if (notAfter.isAfter(tlsCa.getNotAfter().toInstant())) {
            notAfter = tlsCa.getNotAfter().toInstant();
        }
        String oid = spki.getAlgorithm().getAlgorithm().getId();
        int usage = oid.equals("1.2.840.113549.1.1.1") ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment
                : KeyUsage.digitalSignature;
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new X509v3CertificateBuilder(issuer, ClusterCa.serial(random),
                    Date.from(now.minusSeconds(300)), Date.from(notAfter), dn, spki)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(usage))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                            KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alt))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(spki))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(tlsCa));
            return ClusterCa.convert(b.build(signer));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot issue the HTTPS certificate", e);
        }
    }

    /** The DNS names and IP addresses in a certificate's subjectAltName, in the form of {@code https.names}. */
    public static List<String> altNames(X509Certificate cert) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> alt = cert.getSubjectAlternativeNames();
            if (alt != null) {
                for (List<?> entry : alt) {
                    int type = (Integer) entry.get(0);
                    if (type == GeneralName.dNSName || type == GeneralName.iPAddress) {
                        out.add(canonical((String) entry.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return List.of();
        }
        return out;
    }

    private static GeneralName altName(String name) {
        return IPAddress.isValid(name) ? new GeneralName(GeneralName.iPAddress, new DEROctetString(address(name)))
                : new GeneralName(GeneralName.dNSName, name);
    }

    /** A name constraint subtree: a DNS name (and its subdomains, RFC 5280) or one IP address (all-ones mask). */
    private static GeneralName subtreeName(String name) {
        if (!IPAddress.isValid(name)) {
            return new GeneralName(GeneralName.dNSName, name);
        }
        byte[] a = address(name);
        byte[] addressAndMask = Arrays.copyOf(a, 2 * a.length);
        Arrays.fill(addressAndMask, a.length, addressAndMask.length, (byte) 0xff);
        return new GeneralName(GeneralName.iPAddress, new DEROctetString(addressAndMask));
    }

    private static byte[] address(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress(); // a literal (checked by the caller): no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + literal, e);
        }
    }

    private static String canonical(String name) {
        return IPAddress.isValid(name) ? addressText(name) : name.toLowerCase(java.util.Locale.ROOT);
    }

    private static String addressText(String literal) {
        try {
            return InetAddress.getByName(literal).getHostAddress();
        } catch (UnknownHostException e) {
            return literal;
        }
    }
}
