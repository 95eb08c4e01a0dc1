package org.opencluster.auth.token;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.opencluster.auth.token.enrol.TokenContentSigner;

/** Certificates for tests, signed through a token (so the ContentSigner path is exercised too). */
public final class TestCertificates {
    private TestCertificates() {
    }

    /** A certificate for {@code subjectKeyToken}'s key, issued (signed) by {@code issuer}. */
    public static X509Certificate issue(Token issuer, SignatureScheme scheme, String subjectCn,
                                        java.security.PublicKey subjectKey) throws Exception {
        long now = System.currentTimeMillis();
        X500Name issuerName = new X500Name("CN=" + issuer.label().replace('/', '-'));
        X509CertificateHolder holder = new JcaX509v3CertificateBuilder(issuerName, BigInteger.valueOf(now),
                new Date(now - 60_000), new Date(now + 86_400_000L), new X500Name("CN=" + subjectCn), subjectKey)
                .build(new TokenContentSigner(issuer, scheme));
        return new JcaX509CertificateConverter().getCertificate(holder);
    }
}
