package org.opencluster.auth.server.e2e;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.server.ca.ClusterCa;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;

/**
 * Person accounts whose key the test keeps, so one key can be provisioned on two clusters (relay tests) and logins
 * can skip the envelope's KDF (load tests: the KDF is not what they measure).
 */
final class Accounts {
    private final Map<String, byte[]> keys = new ConcurrentHashMap<>();

    /** Provisions {@code name} on each cluster with one key, certified by each cluster's own CA. */
    void person(String name, char[] passphrase, KeyType type, TestCluster... clusters) throws Exception {
        byte[] pkcs8 = keys.computeIfAbsent(name, n -> SoftwareKeys.generatePkcs8(type, clusters[0].random));
        for (TestCluster c : clusters) {
            try (SoftwareToken t = SoftwareToken.fromPkcs8(name, pkcs8, List.of())) {
                X509Certificate cert = c.ca.issue(name, ClusterCa.Subject.PERSON, t.publicKey(), Duration.ofDays(30));
                byte[] envelope = c.envelopes().seal(name, passphrase, pkcs8, List.of());
                c.store.createAccount(name, Account.Kind.PERSON, Account.Role.USER, t.publicKey().getEncoded(),
                        cert.getEncoded(), envelope);
            }
        }
    }

    /** The account's own key, without opening the envelope (as a client that cached its unlocked key). */
    LoginCredential cachedKey() {
        return (user, envelope) -> SoftwareToken.fromPkcs8(user, keys.get(user), List.of());
    }

    /** Writes every key as {@code <name>.pk8} (test keys only), for a client process of its own. */
    void writeKeys(java.nio.file.Path dir) throws java.io.IOException {
        java.nio.file.Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> e : keys.entrySet()) {
            java.nio.file.Files.write(dir.resolve(e.getKey() + ".pk8"), e.getValue());
        }
    }

    /** Some other key of the same type: the proof it makes is wrong. */
    static LoginCredential wrongKey(TestCluster c, KeyType type) {
        return (user, envelope) -> SoftwareToken.fromPkcs8(user, SoftwareKeys.generatePkcs8(type, c.random), List.of());
    }
}
