package org.opencluster.auth.server.boot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;

/**
 * Opens the server's keys from a key spec: {@code keyfile:<path>} (PKCS#8 DER, owner-only) or a {@code pkcs11:} URI (RFC 7512; the key never leaves the token).
 */
public final class ServerKeys {
    private final Pkcs11Tokens pkcs11;

    public ServerKeys(Pkcs11Tokens pkcs11) {
        this.pkcs11 = pkcs11;
    }

    /** True when the spec names a key file that does not exist yet (so {@link #generate} may create it). */
    public static boolean missingKeyFile(String spec) {
        return spec.startsWith("keyfile:") && !Files.exists(keyPath(spec));
    }

    static Path keyPath(String spec) {
        return Path.of(spec.substring("keyfile:".length()));
    }

    /** Generates a software EC P-256 key into a {@code keyfile:} spec. */
    public static void generate(String spec, SecureRandom random) throws IOException {
        if (!spec.startsWith("keyfile:")) {
            throw new IllegalArgumentException("only keyfile: keys are generated here; create token keys with"
                    + " softhsm-config/bin/softhsm-token or the token's own tools");
        }
        byte[] pkcs8 = SoftwareKeys.generatePkcs8(KeyType.EC_P256, random);
        try {
            KeyFiles.writeSecret(keyPath(spec), pkcs8);
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
    }

    /** Logs in to the token of a {@code pkcs11:} spec (its object ignored), e.g. to seal the server's secrets. */
    public org.opencluster.auth.token.pkcs11.Pkcs11Connection connect(String spec) throws TokenException {
        if (!spec.startsWith("pkcs11:")) {
            throw new IllegalArgumentException("not a pkcs11: key spec");
        }
        return pkcs11.connect(spec);
    }

    /** Opens the key named by {@code spec}. */
    public Token open(String label, String spec) throws IOException, TokenException {
        if (spec.startsWith("pkcs11:")) {
            return pkcs11.open(spec);
        }
        if (!spec.startsWith("keyfile:")) {
            throw new IllegalArgumentException("a key spec is keyfile:<path> or a pkcs11: URI, got '" + spec + "'");
        }
        byte[] pkcs8 = KeyFiles.readSecret(keyPath(spec));
        try {
            return SoftwareToken.fromPkcs8(label, pkcs8, List.of());
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
    }

    /**
     * Opens the key named by {@code spec} to serve for as long as the server runs: a {@code pkcs11:} key as a
     * {@link HealingToken} (reopened after its token went away; a key file cannot go away).
     */
    public Token openHealing(String role, String spec, java.util.function.LongSupplier ticker, java.time.Clock clock)
            throws IOException, TokenException {
        Token first = open(role, spec);
        return spec.startsWith("pkcs11:") ? new HealingToken(role, first, () -> reopen(role, spec), ticker, clock)
                : first;
    }

    private Token reopen(String role, String spec) throws IOException, TokenException {
        try {
            return open(role, spec);
        } catch (TokenException e) {
            if (e.error() != org.opencluster.auth.token.TokenError.TOKEN_ABSENT) {
                throw e;
            }
            // A module that looks for tokens only at start (SoftHSM2) must be restarted to see one come back.
            pkcs11.restartModule(spec);
            return open(role, spec);
        }
    }

    /**
     * The private key of a {@code keyfile:} spec as a JCA key, for the HTTPS listener's TLS (JSSE signs with it
     * itself). A {@code pkcs11:} key is handed to JSSE as its token handle instead (see AuthServer).
     */
    public static java.security.PrivateKey tlsPrivateKey(String spec) throws IOException {
        if (!spec.startsWith("keyfile:")) {
            throw new IOException("not a keyfile: key spec: " + spec);
        }
        byte[] pkcs8 = KeyFiles.readSecret(keyPath(spec));
        try {
            java.security.spec.PKCS8EncodedKeySpec der = new java.security.spec.PKCS8EncodedKeySpec(pkcs8);
            String oid = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(pkcs8).getPrivateKeyAlgorithm()
                    .getAlgorithm().getId();
            String alg = oid.equals("1.3.101.112") ? "Ed25519" : oid.equals("1.2.840.113549.1.1.1") ? "RSA" : "EC";
            return java.security.KeyFactory.getInstance(alg).generatePrivate(der);
        } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(spec + " is not a readable PKCS#8 private key", e);
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
    }

    static X509Certificate readCertificate(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (CertificateException e) {
            throw new IOException(file + " is not an X.509 certificate", e);
        }
    }
}
