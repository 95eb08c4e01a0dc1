package org.opencluster.auth.token.enrol;

import java.security.cert.X509Certificate;
import java.util.Objects;

import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.operator.RuntimeOperatorException;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;

/** Builds PKCS#10 certificate requests signed by a token's key (proof of possession without exporting it). */
public final class Enrolment {
    private Enrolment() {
    }

    /** A CSR for {@code token}'s public key, signed on the token with {@code scheme}. */
    public static PKCS10CertificationRequest csr(Token token, X500Name subject, SignatureScheme scheme)
            throws TokenException {
        return csr(token, subject, scheme, null);
    }

    /**
     * A CSR as above whose signed PKCS#9 challengePassword attribute is {@code challenge} (when not null): the
     * signature then binds the key to that value, such as a session's rekey binding.
     */
    public static PKCS10CertificationRequest csr(Token token, X500Name subject, SignatureScheme scheme,
            String challenge) throws TokenException {
        Objects.requireNonNull(subject);
        if (!token.signatureSchemes().contains(scheme)) {
            throw new TokenException(TokenError.MECHANISM_UNSUPPORTED,
                    "'" + token.label() + "' cannot sign with " + scheme + "; it supports " + token.signatureSchemes());
        }
        try {
            JcaPKCS10CertificationRequestBuilder b = new JcaPKCS10CertificationRequestBuilder(subject,
                    token.publicKey());
            if (challenge != null) {
                b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_challengePassword, new DERUTF8String(challenge));
            }
            return b.build(new TokenContentSigner(token, scheme));
        } catch (RuntimeOperatorException e) {
            if (e.getCause() instanceof TokenException) {
                throw (TokenException) e.getCause();
            }
            throw e;
        }
    }

    /** True when {@code certificate} certifies {@code token}'s public key. */
    public static boolean matches(Token token, X509Certificate certificate) {
        return SubjectPublicKeyInfo.getInstance(certificate.getPublicKey().getEncoded())
                .equals(SubjectPublicKeyInfo.getInstance(token.publicKey().getEncoded()));
    }
}
