package org.opencluster.auth.server.cluster;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import org.opencluster.auth.server.boot.Bootstrap;
import org.opencluster.auth.server.boot.ServerSecrets;
import org.opencluster.auth.server.config.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import org.opencluster.auth.protocol.suite.HashAlgorithm;
import org.opencluster.auth.protocol.suite.Hkdf;
import org.opencluster.auth.server.store.JdbcAccountStore;
import org.opencluster.auth.server.store.StoreException;

/**
 * The one set of secrets of a cluster (issue 16): every node on a database must answer with the same server key,
 * CA, decoy secret and OPRF secret, or comparing two nodes' answers for a name tells whether it exists (a real
 * user's envelope is the same on both, an unknown name's decoy differs). The first node to start writes a
 * fingerprint of its secrets into {@code cluster_secrets} (Flyway V10); every node compares its own at start and
 * refuses to start on a difference ({@code oca-server init --join} gives a new node the cluster's secrets).
 *
 * <p>Fingerprint: SHA-256 over a label, then each part as a 4-byte length and its bytes: the server's public key
 * (SubjectPublicKeyInfo), the CA certificate (DER), HMAC-SHA256(decoy secret, label) and, when present,
 * HMAC-SHA256(OPRF secret, label). A secret enters only through an HMAC keyed by it: the fingerprint says whether
 * two nodes hold the same secret, never anything about the secret.
 */
public final class ClusterSecrets {
    private static final byte[] LABEL = "OpenCluster Auth cluster secrets v1".getBytes(StandardCharsets.US_ASCII);

    private ClusterSecrets() {
    }

    /** The fingerprint of one node's secrets ({@code oprfSecret} empty when the cluster has none). */
    public static byte[] fingerprint(byte[] serverPublicKey, byte[] caCertificate, byte[] decoySecret,
            Optional<byte[]> oprfSecret) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(LABEL);
            part(sha, serverPublicKey);
            part(sha, caCertificate);
            part(sha, Hkdf.hmac(HashAlgorithm.SHA256, decoySecret, LABEL));
            if (oprfSecret.isPresent()) {
                part(sha, Hkdf.hmac(HashAlgorithm.SHA256, oprfSecret.get(), LABEL));
            }
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }

    private static void part(MessageDigest sha, byte[] part) {
        sha.update(ByteBuffer.allocate(4).putInt(part.length).array());
        sha.update(part);
    }

    /**
     * {@link #requireSame(JdbcAccountStore, byte[], String, Clock)} for the node {@code config} describes, its
     * secrets (the decoy and OPRF secrets, plain or opened by the server key's token: the fingerprint covers the
     * secrets themselves, so two nodes whose sealed files differ only by their nonces agree), server key and CA
     * certificate.
     */
    public static void requireSame(JdbcAccountStore store, ServerConfig config, ServerSecrets secrets,
            PublicKey serverKey, X509Certificate caCertificate, Clock clock) throws IOException {
        byte[] decoy = secrets.decoySecret();
        Optional<byte[]> oprf = secrets.oprfSecret();
        try {
            requireSame(store, fingerprint(serverKey.getEncoded(), caCertificate.getEncoded(), decoy, oprf),
                    config.clusterNodeId(), clock);
        } catch (CertificateEncodingException e) {
            throw new IOException("cannot encode the CA certificate", e);
        } finally {
            Arrays.fill(decoy, (byte) 0);
            oprf.ifPresent(o -> Arrays.fill(o, (byte) 0));
        }
    }

    /**
     * Records {@code fingerprint} as the cluster's when none is recorded, else compares: a difference throws
     * {@link IllegalStateException} naming the fix. Two nodes starting at once: one insert wins, the other compares.
     */
    public static void requireSame(JdbcAccountStore store, byte[] fingerprint, String node, Clock clock) {
        Optional<String[]> recorded = read(store);
        if (recorded.isEmpty()) {
            try {
                store.write("record the cluster's secrets fingerprint", c -> {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO cluster_secrets (id, fingerprint,"
                            + " first_node, created_at) VALUES (1, ?, ?, ?)")) {
                        ps.setBytes(1, fingerprint);
                        ps.setString(2, node);
                        ps.setTimestamp(3, Timestamp.from(clock.instant()));
                        return ps.executeUpdate();
                    }
                });
                return;
            } catch (StoreException e) {
                if (!e.conflict()) {
                    throw e;
                }
                recorded = read(store);
            }
        }
        byte[] theirs = HexFormat.of().parseHex(recorded.orElseThrow()[0]);
        if (!MessageDigest.isEqual(theirs, fingerprint)) {
            throw new IllegalStateException("this node's secrets (server key, cluster CA, decoy or OPRF secret) differ"
                    + " from the cluster's on this database (recorded by node " + recorded.get()[1] + "): answers of"
                    + " two such nodes would tell which usernames exist. Refusing to start. Set this node up with"
                    + " `oca-server init --join <data directory of a node of the cluster>` (an empty data directory),"
                    + " or give it a database of its own");
        }
        Arrays.fill(theirs, (byte) 0);
    }

    private static Optional<String[]> read(JdbcAccountStore store) {
        return store.read("read the cluster's secrets fingerprint", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT fingerprint, first_node FROM cluster_secrets"
                    + " WHERE id = 1"); ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new String[] {HexFormat.of().formatHex(rs.getBytes(1)),
                        rs.getString(2)}) : Optional.empty();
            }
        });
    }
}
