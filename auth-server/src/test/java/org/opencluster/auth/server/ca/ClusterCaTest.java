package org.opencluster.auth.server.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;

class ClusterCaTest {
    private static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static ClusterCa newCa() throws Exception {
        KeyPair caKeys = ec();
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate());
        SecureRandom random = new SecureRandom();
        X509Certificate caCert = ClusterCa.selfSign("test", caKeys.getPublic(), signer, Duration.ofDays(3650),
                Clock.systemUTC(), random);
        return new ClusterCa(caCert, signer, Clock.systemUTC(), random);
    }

    @Test
    void issuesVerifiableAccountCertificates() throws Exception {
        ClusterCa ca = newCa();
        KeyPair alice = ec();
        X509Certificate cert = ca.issue("alice", ClusterCa.Subject.PERSON, alice.getPublic(), Duration.ofDays(365));
        assertTrue(ca.verify(cert));
        assertEquals(alice.getPublic(), cert.getPublicKey());
        assertTrue(cert.getSubjectX500Principal().getName().contains("CN=alice"));
        assertTrue(cert.getSubjectX500Principal().getName().contains("OU=person"));
        assertEquals(-1, cert.getBasicConstraints());
        assertTrue(cert.getKeyUsage()[0] && cert.getKeyUsage()[4], "digitalSignature and keyAgreement");
        assertFalse(newCa().verify(cert), "another CA's certificate does not verify");
    }

    @Test
    void csrSignatureIsCheckedAndTheServerChoosesTheSubject() throws Exception {
        ClusterCa ca = newCa();
        KeyPair svc = ec();
        PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=admin"),
                svc.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(svc.getPrivate()));
        X509Certificate cert = ca.issue("svc-a", ClusterCa.Subject.SERVICE, csr, Duration.ofDays(30));
        assertTrue(cert.getSubjectX500Principal().getName().contains("CN=svc-a"));
        assertTrue(ca.verify(cert));

        KeyPair other = ec();
        PKCS10CertificationRequest forged = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=x"),
                svc.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(other.getPrivate()));
        assertThrows(IllegalArgumentException.class,
                () -> ca.issue("svc-a", ClusterCa.Subject.SERVICE, forged, Duration.ofDays(30)));
    }
}
