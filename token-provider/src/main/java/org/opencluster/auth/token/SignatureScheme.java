package org.opencluster.auth.token;

import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Optional;

/**
 * Signature schemes, each bound to one key type, one hash and one encoding (see {@link Token} for encodings).
 */
public enum SignatureScheme {
    ECDSA_P256_SHA256(KeyType.EC_P256, "SHA256withECDSA", null),
    ECDSA_P384_SHA384(KeyType.EC_P384, "SHA384withECDSA", null),
    ED25519(KeyType.ED25519, "Ed25519", null),
    RSA_PSS_SHA256(KeyType.RSA_3072, "RSASSA-PSS",
            new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1)),
    RSA_PSS_SHA384(KeyType.RSA_3072, "RSASSA-PSS",
            new PSSParameterSpec("SHA-384", "MGF1", MGF1ParameterSpec.SHA384, 48, 1));

    private final KeyType keyType;
    private final String jcaAlgorithm;
    private final AlgorithmParameterSpec parameters;

    SignatureScheme(KeyType keyType, String jcaAlgorithm, AlgorithmParameterSpec parameters) {
        this.keyType = keyType;
        this.jcaAlgorithm = jcaAlgorithm;
        this.parameters = parameters;
    }

    /** Whether a key of {@code type} produces this scheme: its own type, or for RSA schemes any RSA size. */
    public boolean supports(KeyType type) {
        return type == keyType || keyType.isRsa() && type.isRsa();
    }

    /** The key type that produces this scheme (for RSA: the preferred size; see {@link #supports}). */
    public KeyType keyType() {
        return keyType;
    }

    /** The JCA {@code Signature} algorithm name that verifies this scheme. */
    public String jcaAlgorithm() {
        return jcaAlgorithm;
    }

    /** Parameters to pass to {@code Signature.setParameter} when verifying (PSS), if any. */
    public Optional<AlgorithmParameterSpec> jcaParameters() {
        return Optional.ofNullable(parameters);
    }
}
