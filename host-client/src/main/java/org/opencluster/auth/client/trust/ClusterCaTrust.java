package org.opencluster.auth.client.trust;

import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.opencluster.auth.client.login.ServerTrust;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeException;

/**
 * Trusts a server whose certificate a pinned cluster CA issued as a <em>server</em> certificate (docs/PROTOCOL.md
 * 5.3.4, step 1). The same CA certifies every enrolled person and service, so "signed by the cluster CA" alone
 * would let any of them stand in for the server: the leaf must also carry the extended key usage serverAuth (the
 * CA gives persons and services clientAuth only), key usage digitalSignature (it signs the hello), and must not
 * be a CA itself; it is checked by PKIX against the pinned CA at the current time.
 */
public final class ClusterCaTrust implements ServerTrust {
    /** id-kp-serverAuth (RFC 5280 4.2.1.12). */
    public static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final int DIGITAL_SIGNATURE = 0;

    private final TrustAnchor anchor;
    private final Clock clock;

    public ClusterCaTrust(X509Certificate clusterCa) {
        this(clusterCa, Clock.systemUTC());
    }

    public ClusterCaTrust(X509Certificate clusterCa, Clock clock) {
        this.anchor = new TrustAnchor(Objects.requireNonNull(clusterCa, "clusterCa"), null);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void check(List<X509Certificate> chain) throws HandshakeException {
        if (chain.isEmpty()) {
            throw untrusted("the server sent no certificate");
        }
        X509Certificate leaf = chain.get(0);
        try {
            CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf));
            PKIXParameters params = new PKIXParameters(Set.of(anchor));
            params.setRevocationEnabled(false);
            params.setDate(Date.from(clock.instant()));
            CertPathValidator.getInstance("PKIX").validate(path, params);
        } catch (GeneralSecurityException e) {
            throw untrusted("the server's certificate does not verify against the pinned cluster CA: "
                    + e.getMessage());
        }
        List<String> eku;
        try {
            eku = leaf.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw untrusted("the server's certificate has an unreadable extended key usage");
        }
        if (eku == null || !eku.contains(SERVER_AUTH)) {
            throw untrusted("the certificate is the cluster CA's but not a server certificate (no extended key"
                    + " usage serverAuth): a person's or service's certificate cannot stand for the server");
        }
        boolean[] usage = leaf.getKeyUsage();
        if (usage == null || usage.length <= DIGITAL_SIGNATURE || !usage[DIGITAL_SIGNATURE]) {
            throw untrusted("the server's certificate may not sign (key usage digitalSignature missing)");
        }
        if (leaf.getBasicConstraints() >= 0) {
            throw untrusted("the server's certificate is a CA certificate");
        }
    }

    private static HandshakeException untrusted(String why) {
        return new HandshakeException(HandshakeError.UNTRUSTED_SERVER_KEY, why);
    }
}
