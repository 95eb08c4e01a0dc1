package org.opencluster.auth.token.enrol;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.Objects;

import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.RuntimeOperatorException;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenException;

/**
 * A Bouncy Castle {@link ContentSigner} whose private-key operation happens on a {@link Token}, so CSRs and
 * certificates can be signed by keys that never leave hardware. Bouncy Castle's interface cannot throw checked
 * exceptions: a {@link TokenException} surfaces as a {@link RuntimeOperatorException} with it as the cause.
 */
public final class TokenContentSigner implements ContentSigner {
    private static final int MAX_CONTENT = 1 << 20;

    private final Token token;
    private final SignatureScheme scheme;
    private final AlgorithmIdentifier algorithm;
    private final ByteArrayOutputStream content = new ByteArrayOutputStream();

    public TokenContentSigner(Token token, SignatureScheme scheme) {
        this.token = Objects.requireNonNull(token);
        this.scheme = Objects.requireNonNull(scheme);
        this.algorithm = new DefaultSignatureAlgorithmIdentifierFinder().find(x509Name(scheme));
    }

    /** The X.509 signature algorithm name Bouncy Castle uses for {@code scheme}. */
    static String x509Name(SignatureScheme scheme) {
        switch (scheme) {
            case ECDSA_P256_SHA256:
                return "SHA256withECDSA";
            case ECDSA_P384_SHA384:
                return "SHA384withECDSA";
            case ED25519:
                return "Ed25519";
            case RSA_PSS_SHA256:
                return "SHA256withRSAandMGF1";
            case RSA_PSS_SHA384:
                return "SHA384withRSAandMGF1";
            default:
                throw new IllegalArgumentException("no X.509 algorithm for " + scheme);
        }
    }

    @Override
    public AlgorithmIdentifier getAlgorithmIdentifier() {
        return algorithm;
    }

    @Override
    public OutputStream getOutputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                check(1);
                content.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                check(len);
                content.write(b, off, len);
            }
        };
    }

    private void check(int more) {
        if (content.size() + (long) more > MAX_CONTENT) {
            throw new IllegalStateException("content to sign exceeds " + MAX_CONTENT + " bytes");
        }
    }

    @Override
    public byte[] getSignature() {
        try {
            return token.sign(scheme, content.toByteArray());
        } catch (TokenException e) {
            throw new RuntimeOperatorException(e.getMessage(), e);
        } finally {
            content.reset();
        }
    }
}
