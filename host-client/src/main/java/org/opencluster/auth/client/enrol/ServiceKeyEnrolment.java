package org.opencluster.auth.client.enrol;

import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.enrol.Enrolment;
import org.opencluster.auth.token.pkcs11.Pkcs11Connection;
import org.opencluster.auth.token.pkcs11.Pkcs11Token;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;

/**
 * Client side of service provisioning, on the service's host: the key is generated inside the service's PKCS#11
 * token (sensitive, never extractable), the certification request is signed there, and the chain the server's CA
 * issues is written back next to the key. Two steps, because the request travels to the server in between.
 */
public final class ServiceKeyEnrolment {
    private ServiceKeyEnrolment() {
    }

    /**
     * Generates a key pair labelled {@code keyLabel} on the token {@code tokenUri} selects and returns a CSR for it,
     * signed on the token, with subject {@code CN=serviceName} (the CA sets the final subject).
     */
    public static PKCS10CertificationRequest generate(Pkcs11Tokens tokens, String tokenUri, String keyLabel,
            KeyType type, String serviceName) throws TokenException {
        try (Pkcs11Connection connection = tokens.connect(tokenUri)) {
            Pkcs11Token key = connection.generateKeyPair(type, keyLabel);
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, serviceName).build();
            return Enrolment.csr(key, subject, key.signatureSchemes().iterator().next());
        }
    }

    /** Stores the issued chain (leaf first) as the certificate of {@code keyLabel}; the leaf must certify the key. */
    public static void install(Pkcs11Tokens tokens, String tokenUri, String keyLabel, List<X509Certificate> chain)
            throws TokenException {
        try (Pkcs11Connection connection = tokens.connect(tokenUri)) {
            connection.storeCertificateChain(keyLabel, chain);
        }
    }
}
