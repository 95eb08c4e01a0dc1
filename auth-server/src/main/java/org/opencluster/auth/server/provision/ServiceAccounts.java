package org.opencluster.auth.server.provision;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.opencluster.auth.server.ca.ClusterCa;
import org.opencluster.auth.server.dispatch.Caller;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.store.AccountStore;

/**
 * Server side of service provisioning. A service's key is generated inside its own PKCS#11 token and never leaves
 * it; the server sees only a certification request signed on that token. The CA checks the request's signature
 * (proof of possession), certifies the key under the name the server chose, and the account is stored with the
 * public key and certificate but no envelope: there is nothing a service could unlock with a passphrase, so at
 * login the server sends the same decoy an unknown name gets, and the service's client ignores it.
 */
public final class ServiceAccounts {
    private final ClusterCa ca;
    private final AccountStore store;

    public ServiceAccounts(ClusterCa ca, AccountStore store) {
        this.ca = Objects.requireNonNull(ca, "ca");
        this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * Certifies the request's key for {@code name} and creates the SERVICE account.
     *
     * @return the chain to store back on the service's token: the issued certificate, then the CA certificate
     * @throws IllegalArgumentException when the request's signature does not verify or the name is invalid
     * @throws org.opencluster.auth.server.store.StoreException (conflict) when the name is taken
     */
    public List<X509Certificate> enrol(String name, Caller.Role role, PKCS10CertificationRequest csr,
            Duration validity) {
        X509Certificate issued = ca.issue(name, ClusterCa.Subject.SERVICE, csr, validity);
        try {
            store.createAccount(name, Account.Kind.SERVICE, role, issued.getPublicKey().getEncoded(),
                    issued.getEncoded(), null);
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("the issued certificate cannot be encoded", e);
        }
        return List.of(issued, ca.certificate());
    }
}
