package org.opencluster.auth.server.boot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.pkcs11.Pkcs11Connection;

/**
 * The server's own secrets in its data directory: the decoy secret ({@code decoy.secret}, unknown-name answers and
 * enrolment-code verifiers) and the OPRF seed ({@code oprf.secret}, docs/PROTOCOL.md 5.5.6). Each is 32 random
 * bytes in an owner-only file. When {@code server.key} is a {@code pkcs11:} URI, each file is sealed instead, with
 * AES-256-GCM by the non-extractable key {@value Pkcs11Connection#SECRET_WRAP_LABEL} of the server key's token
 * (docs/PROTOCOL.md 5.5.6.1): a copy of the data directory (a backup, a stolen disk) then holds no usable secret,
 * and only a node that can log in to that token opens them. A sealed file is
 * {@code "OCASEAL1" || nonce (12) || ciphertext (32) || tag (16)}, 68 bytes, with associated data
 * {@code "OCASEAL1" || the file's name}, so one sealed file cannot stand in for the other.
 *
 * <p>Read once at start, before the server's keys are opened and held (closing a PKCS#11 connection logs its token
 * out for the whole process); {@link #close} wipes them. Callers get copies.
 */
public final class ServerSecrets implements AutoCloseable {
    /** The first bytes of a sealed secret file (and of its associated data). */
    static final byte[] SEALED_MAGIC = "OCASEAL1".getBytes(StandardCharsets.US_ASCII);
    static final int SECRET_BYTES = 32;
    static final String DECOY = "decoy.secret";
    static final String OPRF = "oprf.secret";

    private final byte[] decoy;
    private final byte[] oprf;

    private ServerSecrets(byte[] decoy, byte[] oprf) {
        this.decoy = decoy;
        this.oprf = oprf;
    }

    /** Whether {@code config}'s secrets are sealed by the server key's token. */
    public static boolean sealed(ServerConfig config) {
        return config.serverKey().startsWith("pkcs11:");
    }

    /**
     * Reads (and for a {@code pkcs11:} server key, opens) the secrets of {@code config}'s data directory: the OPRF
     * seed may be missing in a directory from before issue 14 (empty until {@code init}). A sealed directory with
     * a plain file, a plain directory with a sealed file, a file of the wrong size or one that does not open with
     * the token's key is refused, naming the file.
     */
    public static ServerSecrets read(ServerConfig config, ServerKeys keys) throws IOException {
        if (!sealed(config)) {
            return new ServerSecrets(readPlain(config.dataDir().resolve(DECOY)),
                    Files.exists(config.dataDir().resolve(OPRF)) ? readPlain(config.dataDir().resolve(OPRF)) : null);
        }
        try (Pkcs11Connection token = keys.connect(config.serverKey())) {
            byte[] d = open(token, config.dataDir().resolve(DECOY));
            try {
                Path o = config.dataDir().resolve(OPRF);
                return new ServerSecrets(d, Files.exists(o) ? open(token, o) : null);
            } catch (IOException | RuntimeException e) {
                Arrays.fill(d, (byte) 0);
                throw e;
            }
        } catch (TokenException e) {
            throw new IOException("cannot open the server secrets with the token of server.key: " + e.getMessage(),
                    e);
        }
    }

    /**
     * {@code init}: makes each missing secret (sealed when {@link #sealed}), and seals a plain file left from
     * before the server key moved into a token (replaced atomically; the plain bytes are gone from the file).
     */
    static void createMissing(ServerConfig config, ServerKeys keys, SecureRandom random)
            throws IOException, TokenException {
        if (!sealed(config)) {
            for (String name : new String[] {DECOY, OPRF}) {
                Path file = config.dataDir().resolve(name);
                if (!Files.exists(file)) {
                    byte[] secret = fresh(random);
                    try {
                        KeyFiles.writeSecret(file, secret);
                    } finally {
                        Arrays.fill(secret, (byte) 0);
                    }
                }
            }
            return;
        }
        try (Pkcs11Connection token = keys.connect(config.serverKey())) {
            for (String name : new String[] {DECOY, OPRF}) {
                Path file = config.dataDir().resolve(name);
                byte[] secret = null;
                try {
                    if (!Files.exists(file)) {
                        secret = fresh(random);
                        KeyFiles.writeSecret(file, seal(token, name, secret, random));
                    } else if (!isSealed(file)) {
                        secret = readPlain(file);
                        Path next = file.resolveSibling(name + ".sealing");
                        Files.deleteIfExists(next);
                        KeyFiles.writeSecret(next, seal(token, name, secret, random));
                        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    }
                } finally {
                    if (secret != null) {
                        Arrays.fill(secret, (byte) 0);
                    }
                }
            }
        }
    }

    /** A copy of the decoy secret. */
    public byte[] decoySecret() {
        return decoy.clone();
    }

    /** A copy of the OPRF seed, when the data directory has one. */
    public Optional<byte[]> oprfSecret() {
        return oprf == null ? Optional.empty() : Optional.of(oprf.clone());
    }

    @Override
    public void close() {
        Arrays.fill(decoy, (byte) 0);
        if (oprf != null) {
            Arrays.fill(oprf, (byte) 0);
        }
    }

    private static byte[] fresh(SecureRandom random) {
        byte[] secret = new byte[SECRET_BYTES];
        random.nextBytes(secret);
        return secret;
    }

    private static boolean isSealed(Path file) throws IOException {
        byte[] content = KeyFiles.readSecret(file);
        try {
            return isSealed(content);
        } finally {
            Arrays.fill(content, (byte) 0);
        }
    }

    static boolean isSealed(byte[] content) {
        return content.length >= SEALED_MAGIC.length
                && MessageDigest.isEqual(Arrays.copyOf(content, SEALED_MAGIC.length), SEALED_MAGIC);
    }

    /** A plain secret file: owner-only, exactly 32 bytes (a sealed one here means server.key left its token). */
    static byte[] readPlain(Path file) throws IOException {
        byte[] content = KeyFiles.readSecret(file);
        if (isSealed(content)) {
            throw new IOException(file + " is sealed by a token's key, but server.key is not a pkcs11: URI: set"
                    + " server.key back to the token whose key sealed it");
        }
        if (content.length != SECRET_BYTES) {
            Arrays.fill(content, (byte) 0);
            throw new IOException(file + " must hold exactly " + SECRET_BYTES + " bytes");
        }
        return content;
    }

    private static byte[] associatedData(String name) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        byte[] aad = Arrays.copyOf(SEALED_MAGIC, SEALED_MAGIC.length + n.length);
        System.arraycopy(n, 0, aad, SEALED_MAGIC.length, n.length);
        return aad;
    }

    private static byte[] seal(Pkcs11Connection token, String name, byte[] secret, SecureRandom random)
            throws TokenException {
        byte[] sealed = token.sealSecret(secret, associatedData(name), random);
        byte[] out = Arrays.copyOf(SEALED_MAGIC, SEALED_MAGIC.length + sealed.length);
        System.arraycopy(sealed, 0, out, SEALED_MAGIC.length, sealed.length);
        return out;
    }

    private static byte[] open(Pkcs11Connection token, Path file) throws IOException, TokenException {
        byte[] content = KeyFiles.readSecret(file);
        if (!isSealed(content)) {
            Arrays.fill(content, (byte) 0);
            throw new IOException(file + " is not sealed although server.key is a pkcs11: URI: run oca-server init,"
                    + " which seals it with the token's key");
        }
        if (content.length != SEALED_MAGIC.length + Pkcs11Connection.SEAL_NONCE_BYTES + SECRET_BYTES
                + Pkcs11Connection.SEAL_TAG_BYTES) {
            throw new IOException(file + " is not a sealed " + SECRET_BYTES + "-byte secret ("
                    + content.length + " bytes)");
        }
        byte[] secret = token.openSecret(Arrays.copyOfRange(content, SEALED_MAGIC.length, content.length),
                associatedData(file.getFileName().toString()));
        if (secret.length != SECRET_BYTES) {
            Arrays.fill(secret, (byte) 0);
            throw new IOException(file + " did not open to a " + SECRET_BYTES + "-byte secret");
        }
        return secret;
    }
}
