package org.opencluster.auth.server.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.server.ca.ClusterCa;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.store.JdbcAccountStore;
import org.opencluster.auth.server.store.StoreException;

/**
 * The one place accounts come into being (issue 13 item 13): the key policy refuses weak or unusable keys on every
 * path before the CA signs, and the CA signs only once the store has accepted the account.
 */
class AccountEnrolmentTest {
    private static final Provider BC = new BouncyCastleProvider();
    private static final Duration YEAR = Duration.ofDays(365);

    @TempDir
    Path dir;
    private JdbcAccountStore store;
    private ClusterCa ca;
    private final AtomicInteger signatures = new AtomicInteger();

    @BeforeEach
    void open() throws Exception {
        store = JdbcAccountStore.open("jdbc:h2:file:" + dir.resolve("db").toAbsolutePath(), "sa", "");
        KeyPair caKey = generate("EC", new ECGenParameterSpec("secp256r1"));
        ContentSigner real = new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate());
        X509Certificate caCert = ClusterCa.selfSign("test", caKey.getPublic(), real, YEAR, Clock.systemUTC(),
                new SecureRandom());
        // Counts what the CA signs after bootstrap: each count is a certificate that exists.
        ContentSigner counting = new ContentSigner() {
            @Override public AlgorithmIdentifier getAlgorithmIdentifier() { return real.getAlgorithmIdentifier(); }
            @Override public OutputStream getOutputStream() { return real.getOutputStream(); }
            @Override public byte[] getSignature() {
                signatures.incrementAndGet();
                return real.getSignature();
            }
        };
        ca = new ClusterCa(caCert, counting, Clock.systemUTC(), new SecureRandom());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static KeyPair generate(String alg, java.security.spec.AlgorithmParameterSpec spec) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(alg, BC);
        g.initialize(spec, new SecureRandom());
        return g.generateKeyPair();
    }

    private static KeyPair rsa(int bits) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA", BC);
        g.initialize(bits, new SecureRandom());
        return g.generateKeyPair();
    }

    private static PKCS10CertificationRequest csr(KeyPair k, String sigAlg) throws Exception {
        return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=whoever"), k.getPublic())
                .build(new JcaContentSignerBuilder(sigAlg).setProvider(BC).build(k.getPrivate()));
    }

    @Test
    void rsa1024AndBrainpoolKeysAreRefusedOnEveryEnrolmentPathBeforeTheCaSigns() throws Exception {
        AccountEnrolment enrolment = new AccountEnrolment(ca, store);
        KeyPair rsa1024 = rsa(1024);
        KeyPair brainpool = generate("EC", new ECGenParameterSpec("brainpoolP256r1"));
        KeyPair p521 = generate("EC", new ECGenParameterSpec("secp521r1"));
        byte[] envelope = null; // a card holder: the envelope itself is checked first (EnvelopeEnrolmentTest)
        List<Runnable> paths = List.of(
                // a person whose key is on a card (with an envelope: the same request)
                () -> enrolment.enrol("p-rsa", Account.Kind.PERSON, Account.Role.USER, csr(rsa1024), envelope, YEAR),
                () -> enrolment.enrol("p-bp", Account.Kind.PERSON, Account.Role.USER, csr(brainpool), envelope, YEAR),
                () -> enrolment.enrol("c-bp", Account.Kind.PERSON, Account.Role.USER, csr(brainpool), null, YEAR),
                () -> enrolment.enrol("c-521", Account.Kind.PERSON, Account.Role.USER, csr(p521), null, YEAR),
                // a service key in its token
                () -> enrolment.enrol("s-rsa", Account.Role.USER, csr(rsa1024), YEAR),
                () -> enrolment.enrol("s-bp", Account.Role.USER, csr(brainpool), YEAR),
                // a derive-only key proven by key agreement
                () -> enrolment.enrolKeyAgreement("k-bp", Account.Kind.PERSON, Account.Role.USER,
                        brainpool.getPublic(), envelope, YEAR, java.util.Optional.empty()));
        for (Runnable path : paths) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, path::run);
            assertTrue(e.getMessage().contains("key policy refuses"), e.getMessage());
        }
        assertEquals(0, signatures.get(), "nothing was certified");
        assertEquals(List.of(), store.listAccounts());

        // RSA 2048, P-256 and P-384 enrol under the default policy.
        enrolment.enrol("rsa", Account.Role.USER, csr(rsa(2048)), YEAR);
        enrolment.enrol("p256", Account.Role.USER, csr(generate("EC", new ECGenParameterSpec("secp256r1"))), YEAR);
        enrolment.enrol("p384", Account.Role.USER, csr(generate("EC", new ECGenParameterSpec("secp384r1"))), YEAR);
        assertEquals(3, store.listAccounts().size());
    }

    private static PKCS10CertificationRequest csr(KeyPair k) {
        try {
            return csr(k, k.getPublic().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theConfiguredPolicyNarrowsWhatEnrols() throws Exception {
        KeyPolicy onlyEd25519AndStrongRsa = KeyPolicy.DEFAULT.withAllowed("Ed25519, rsa").withRsaMinBits(3072);
        AccountEnrolment enrolment = new AccountEnrolment(ca, store, onlyEd25519AndStrongRsa);
        IllegalArgumentException p256 = assertThrows(IllegalArgumentException.class, () -> enrolment.enrol("a",
                Account.Role.USER, csr(generate("EC", new ECGenParameterSpec("secp256r1"))), YEAR));
        assertTrue(p256.getMessage().contains("P-256"), p256.getMessage());
        IllegalArgumentException rsa2048 = assertThrows(IllegalArgumentException.class, () -> enrolment.enrol("b",
                Account.Role.USER, csr(rsa(2048)), YEAR));
        assertTrue(rsa2048.getMessage().contains("2048 bits"), rsa2048.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KeyPolicy.DEFAULT.withRsaMinBits(1024),
                "the configuration cannot go below RSA 2048");
        assertThrows(IllegalArgumentException.class, () -> KeyPolicy.DEFAULT.withAllowed("brainpoolP256r1"));
        assertEquals(0, signatures.get());
    }

    @Test
    void aTakenNameIsRefusedBeforeTheCaSigns() throws Exception {
        AccountEnrolment enrolment = new AccountEnrolment(ca, store);
        enrolment.enrol("alice", Account.Role.USER, csr(generate("EC", new ECGenParameterSpec("secp256r1"))), YEAR);
        assertEquals(1, signatures.get());
        StoreException taken = assertThrows(StoreException.class, () -> enrolment.enrol("alice", Account.Role.USER,
                csr(generate("EC", new ECGenParameterSpec("secp256r1"))), YEAR));
        assertTrue(taken.conflict());
        KeyPair x = generate("EC", new ECGenParameterSpec("secp256r1"));
        assertThrows(StoreException.class, () -> enrolment.enrolKeyAgreement("alice", Account.Kind.PERSON,
                Account.Role.USER, x.getPublic(), null, YEAR, java.util.Optional.empty()));
        assertEquals(1, signatures.get(), "no certificate exists for the refused enrolments");
    }

    @Test
    void aRefusedCertificationLeavesNoAccount() throws Exception {
        AccountEnrolment enrolment = new AccountEnrolment(ca, store);
        KeyPair holder = generate("EC", new ECGenParameterSpec("secp256r1"));
        KeyPair other = generate("EC", new ECGenParameterSpec("secp256r1"));
        // A request for one key signed by another: no proof of possession.
        PKCS10CertificationRequest forged = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=x"),
                holder.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(BC)
                .build(other.getPrivate()));
        assertThrows(IllegalArgumentException.class, () -> enrolment.enrol("mallory", Account.Role.USER, forged, YEAR));
        assertTrue(store.findAccount("mallory").isEmpty());
        assertEquals(0, signatures.get());
        enrolment.enrol("mallory", Account.Role.USER, csr(holder), YEAR);
        assertTrue(store.findAccount("mallory").orElseThrow().certificate().isPresent());
    }

    /**
     * Issue 15 item 8: the account-name rule holds here too, whatever entry point the name came through (the old
     * code certified and stored a name with a newline; only the login refused it).
     */
    @Test
    void aNameTheRuleRefusesGetsNoCertificateAndNoAccount() throws Exception {
        AccountEnrolment enrolment = new AccountEnrolment(ca, store);
        KeyPair k = generate("EC", new ECGenParameterSpec("secp256r1"));
        for (String bad : new String[] {"svc\nevent=forged", "svc\u202e", "Jo\u0065\u0301l"}) {
            assertThrows(IllegalArgumentException.class, () -> enrolment.enrol(bad, Account.Role.USER,
                    csr(k, "SHA256withECDSA"), YEAR));
            assertTrue(store.findAccount(bad).isEmpty());
        }
        assertEquals(0, signatures.get(), "the CA signed nothing");
    }
}
