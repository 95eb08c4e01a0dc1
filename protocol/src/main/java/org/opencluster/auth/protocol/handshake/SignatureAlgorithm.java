package org.opencluster.auth.protocol.handshake;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Optional;

/**
 * Signature schemes of the handshake, by their TLS SignatureScheme code (SIGNATURE_SCHEME on the wire). Constant
 * names match the token layer's {@code SignatureScheme}, so a token's scheme maps with {@code valueOf(name())}.
 * Signatures use the token layer's encodings: DER for ECDSA, 64 bytes for Ed25519, RFC 8017 for RSA-PSS.
 */
public enum SignatureAlgorithm {
    ECDSA_P256_SHA256(0x0403, "SHA256withECDSA", null),
    ECDSA_P384_SHA384(0x0503, "SHA384withECDSA", null),
    ED25519(0x0807, "Ed25519", null),
    RSA_PSS_SHA256(0x0804, "RSASSA-PSS", new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1)),
    RSA_PSS_SHA384(0x0805, "RSASSA-PSS", new PSSParameterSpec("SHA-384", "MGF1", MGF1ParameterSpec.SHA384, 48, 1));

    private final int code;
    private final String jcaName;
    private final PSSParameterSpec pss;

    SignatureAlgorithm(int code, String jcaName, PSSParameterSpec pss) {
        this.code = code;
        this.jcaName = jcaName;
        this.pss = pss;
    }

    public int code() {
        return code;
    }

    public static Optional<SignatureAlgorithm> fromCode(int code) {
        for (SignatureAlgorithm a : values()) {
            if (a.code == code) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /**
     * Verifies; any malformed signature or mismatched key is simply {@code false}.
     *
     * <p>ECDSA and Ed25519 verify with Bouncy Castle's lightweight API on keys decoded once ({@link VerifyingKeys}):
     * measured on OpenJDK 17.0.15 (SignatureChoice in the bench module, same run), Ed25519 verification is about
     * 8x faster than SunEC, ECDSA P-256 about 8.7x faster than SunEC and 2.5x faster than Bouncy Castle's JCA
     * provider, and every login verifies one of each (the client the server's signature, the server a signature
     * proof). RSA-PSS stays with the JDK.
     */
    public boolean verify(PublicKey key, byte[] message, byte[] signature) {
        try {
            switch (this) {
                case ECDSA_P256_SHA256:
                    return VerifyingKeys.ecdsa(key, false, message, signature);
                case ECDSA_P384_SHA384:
                    return VerifyingKeys.ecdsa(key, true, message, signature);
                case ED25519:
                    return VerifyingKeys.ed25519(key, message, signature);
                default:
                    Signature v = Signature.getInstance(jcaName);
                    v.setParameter(pss);
                    v.initVerify(key);
                    v.update(message);
                    return v.verify(signature);
            }
        } catch (GeneralSecurityException | java.io.IOException | RuntimeException e) { // fail closed on any garbage
            return false;
        }
    }
}
