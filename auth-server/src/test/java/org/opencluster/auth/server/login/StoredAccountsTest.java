package org.opencluster.auth.server.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.server.AuthServer;
import org.opencluster.auth.server.store.Account;

/**
 * Issue 13 item 2, the mechanism (counted, not timed): a name the store does not know costs the same steps as a
 * known one, the stored key decoded and the stored certificate parsed, on a decoy account of the default kind.
 */
class StoredAccountsTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void anUnknownNameDecodesAKeyAndParsesACertificateAsAKnownNameDoes() {
        Account alice = StoredAccounts.decoyAccount(RANDOM);
        Account decoy = StoredAccounts.decoyAccount(RANDOM);
        List<Account> viewed = new ArrayList<>();
        StoredAccounts directory = new StoredAccounts(name -> name.equals("alice") ? Optional.of(alice)
                : Optional.empty(), a -> {
                    viewed.add(a);
                    return AuthServer.loginView(a);
                }, decoy);

        assertTrue(directory.find("alice").isPresent());
        assertEquals(List.of(alice), viewed, "a known name: its own account is viewed once");
        viewed.clear();
        assertTrue(directory.find("alicf").isEmpty());
        assertEquals(1, viewed.size(), "an unknown name: one view as well");
        assertSame(decoy, viewed.get(0), "on the decoy account");
    }

    @Test
    void theDecoyHasWhatARealPersonHasSoItsViewDoesTheSameWork() throws Exception {
        Account decoy = StoredAccounts.decoyAccount(RANDOM);
        assertTrue(decoy.hasPublicKey() && decoy.certificate().isPresent() && decoy.envelope().isPresent());
        LoginAccount view = AuthServer.loginView(decoy);
        assertEquals("EC", view.key().getAlgorithm(), "a P-256 key, the default kind of person");
        assertTrue(view.keySigns(), "its certificate was parsed: the person key usage allows signing");
        java.security.cert.X509Certificate cert = (java.security.cert.X509Certificate)
                java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(
                        new java.io.ByteArrayInputStream(decoy.certificate().orElseThrow()));
        assertTrue(cert.getSubjectX500Principal().getName().contains("OU=person"), cert.getSubjectX500Principal()
                .getName());
    }
}
