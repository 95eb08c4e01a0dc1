package org.opencluster.auth.server.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.opencluster.auth.server.config.ServerConfig;

/**
 * {@code oca-server init --join <data directory of a node>} (issue 16): a new node takes the secrets every node of
 * a cluster must share from an existing node's data directory instead of generating its own, before
 * {@link Bootstrap#init} runs. Copied: the server key and the cluster CA's key when they are key files (a
 * {@code pkcs11:} key stays in the HSM the nodes share: only the same URI is needed), the CA certificate, the decoy
 * secret, the OPRF secret when the cluster has one, and the TLS CA (its key and certificates: browsers behind the
 * load balancer must see one TLS root). Secrets sealed by the server key's token ({@link ServerSecrets}) are copied
 * as they are: the new node opens them with the same token, which the nodes share. Nothing is overwritten: a file the new node has already is a refusal.
 * The node's own server certificate is issued by init for the same key (its own host name).
 */
public final class ClusterJoin {
    /** Files that are secret (written owner-only) and certificates (public), relative to a data directory. */
    static final List<String> SECRETS = List.of("decoy.secret", "oprf.secret");
    static final List<String> CERTIFICATES = List.of("ca.crt", "tls-root.crt", "tls-ca.crt");

    private ClusterJoin() {
    }

    /** Copies the shared secrets from {@code existing} (a node's data directory) into {@code config}'s; what was copied. */
    public static List<String> copySecrets(Path existing, ServerConfig config) throws IOException {
        if (!Files.isDirectory(existing) || !Files.exists(existing.resolve("decoy.secret"))) {
            throw new IOException(existing + " is not the data directory of an initialised node (no decoy.secret)");
        }
        if (Files.exists(Bootstrap.decoySecretFile(config))) {
            throw new IOException(config.dataDir() + " is initialised already: --join sets up a new node only"
                    + " (use an empty data directory)");
        }
        DataDirectory.prepare(config.dataDir());
        List<String> copied = new ArrayList<>();
        copyKey(existing, "server-key.pk8", config.serverKey(), copied);
        copyKey(existing, "ca-key.pk8", config.caKey(), copied);
        copyKey(existing, "tls-ca-key.pk8", config.tlsCaKey(), copied);
        for (String name : SECRETS) {
            Path from = existing.resolve(name);
            if (Files.exists(from)) {
                byte[] secret = KeyFiles.readSecret(from);
                try {
                    KeyFiles.writeSecret(config.dataDir().resolve(name), secret);
                } finally {
                    Arrays.fill(secret, (byte) 0);
                }
                copied.add(name);
            }
        }
        for (String name : CERTIFICATES) {
            Path from = existing.resolve(name);
            Path to = config.dataDir().resolve(name);
            if (Files.exists(from)) {
                if (Files.exists(to)) {
                    throw new IOException(to + " exists already; refusing to overwrite it");
                }
                Files.copy(from, to);
                copied.add(name);
            }
        }
        DataDirectory.restrictFiles(config.dataDir());
        return copied;
    }

    /** Copies a {@code keyfile:} key from the node's default file name; a {@code pkcs11:} key is shared as is. */
    private static void copyKey(Path existing, String defaultName, String spec, List<String> copied)
            throws IOException {
        if (!spec.startsWith("keyfile:")) {
            return;
        }
        Path from = existing.resolve(defaultName);
        if (!Files.exists(from)) {
            throw new IOException(from + " is missing: the node's key is not a file in its data directory (a"
                    + " pkcs11: key? then give this node the same URI in its configuration)");
        }
        byte[] key = KeyFiles.readSecret(from);
        try {
            KeyFiles.writeSecret(ServerKeys.keyPath(spec), key);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
        copied.add(defaultName);
    }
}
