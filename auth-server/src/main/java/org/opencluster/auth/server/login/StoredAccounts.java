package org.opencluster.auth.server.login;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.opencluster.auth.server.ca.ClusterCa;
import org.opencluster.auth.server.store.Account;

/**
 * The handshake's account directory over the store, with one cost for every name (issue 13 item 2). Turning a
 * stored account into what the handshake needs decodes its public key and parses its certificate (100-500 us);
 * done for known names only, that time told a stranger which names exist. Here a name the store does not know
 * has the same view computed on a decoy account (a P-256 person with a certificate of the same shape, made once
 * at start and never stored), and the result is thrown away.
 */
public final class StoredAccounts implements AccountDirectory {
    private final Function<String, Optional<Account>> lookup;
    private final Function<Account, LoginAccount> view;
    private final Account decoy;

    /**
     * @param lookup the store's account lookup (one query, known name or not)
     * @param view   the stored account as the handshake sees it (decodes the key, parses the certificate)
     * @param decoy  what {@code view} works on for a name the store does not know ({@link #decoyAccount})
     */
    public StoredAccounts(Function<String, Optional<Account>> lookup, Function<Account, LoginAccount> view,
            Account decoy) {
        this.lookup = Objects.requireNonNull(lookup);
        this.view = Objects.requireNonNull(view);
        this.decoy = Objects.requireNonNull(decoy);
        if (!decoy.hasPublicKey() || decoy.certificate().isEmpty() || decoy.envelope().isEmpty()) {
            throw new IllegalArgumentException("the decoy account needs a key, a certificate and an envelope");
        }
    }

    @Override
    public Optional<LoginAccount> find(String username) {
        Optional<Account> stored = lookup.apply(username);
        LoginAccount seen = view.apply(stored.orElse(decoy));
        return stored.isPresent() ? Optional.of(seen) : Optional.empty();
    }

    /**
     * A person account like the ones {@code oca enrol} makes (P-256 key; certificate with the person's key usage
     * and extensions, from a throwaway CA of this process; an envelope-sized placeholder), for no real name.
     */
    public static Account decoyAccount(SecureRandom random) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair caKeys = g.generateKeyPair();
            KeyPair personKeys = g.generateKeyPair();
            Clock clock = Clock.systemUTC();
            org.bouncycastle.operator.ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA")
                    .build(caKeys.getPrivate());
            X509Certificate caCert = ClusterCa.selfSign("decoy", caKeys.getPublic(), signer, Duration.ofDays(3650),
                    clock, random);
            X509Certificate cert = new ClusterCa(caCert, signer, clock, random).issue("decoy-person",
                    ClusterCa.Subject.PERSON, personKeys.getPublic(), Duration.ofDays(3650));
            byte[] envelope = new byte[DecoyEnvelopes.PLAINTEXT_LENGTH];
            return new Account(0, "decoy-person", Account.Kind.PERSON, Account.Role.USER,
                    personKeys.getPublic().getEncoded(), cert.getEncoded(), envelope, false, Instant.EPOCH);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make the decoy account: " + e.getMessage(), e);
        }
    }
}
