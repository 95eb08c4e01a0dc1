package org.opencluster.auth.server.rest;

import java.io.ByteArrayOutputStream;
import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.security.interfaces.ECKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECParameterSpec;
import java.util.Map;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenException;

/**
 * Lets JSSE sign TLS 1.3 handshakes with a key that stays in its {@link Token} (a PKCS#11 token): JSSE signs with
 * a JCA {@code PrivateKey} through whichever installed provider accepts it, so the server key is wrapped as a
 * {@link TokenKey} (no key material, only the token to ask) and this provider, whose one engine accepts nothing
 * else, signs by calling {@link Token#sign}. Installed once per JVM, last in the provider order; it holds no
 * keys and no configuration, so sharing it is harmless. Only ECDSA P-256 with SHA-256 (the server's key type).
 */
final class TokenTlsProvider extends Provider {
    private static final long serialVersionUID = 1L;
    static final String NAME = "OCA-TokenTLS";

    private TokenTlsProvider() {
        super(NAME, "1", "TLS signatures by OpenCluster Auth tokens (keys never leave the token)");
        putService(new Service(this, "Signature", "SHA256withECDSA", TokenSignature.class.getName(), null,
                Map.of()) {
            @Override
            public Object newInstance(Object constructorParameter) {
                return new TokenSignature();
            }

            @Override
            public boolean supportsParameter(Object parameter) {
                return parameter instanceof TokenKey;
            }
        });
    }

    static synchronized void install() {
        if (Security.getProvider(NAME) == null) {
            Security.addProvider(new TokenTlsProvider());
        }
    }

    /** The handle JSSE signs with: names the token; {@link #getEncoded()} is null (there is nothing to encode). */
    static final class TokenKey implements PrivateKey, ECKey {
        private static final long serialVersionUID = 1L;
        private final transient Token token;
        private final transient ECParameterSpec params;

        TokenKey(Token token) {
            PublicKey pub = token.publicKey();
            if (!(pub instanceof ECPublicKey) || !token.signatureSchemes().contains(SignatureScheme.ECDSA_P256_SHA256)) {
                throw new IllegalArgumentException("TLS with a token key needs an EC P-256 key; " + token.label()
                        + " holds " + token.keyType());
            }
            this.token = token;
            this.params = ((ECPublicKey) pub).getParams();
        }

        @Override
        public String getAlgorithm() {
            return "EC";
        }

        @Override
        public String getFormat() {
            return null;
        }

        @Override
        public byte[] getEncoded() {
            return null;
        }

        @Override
        public ECParameterSpec getParams() {
            return params;
        }
    }

    /** Collects the data to sign, then asks the token (the token hashes with SHA-256 and returns DER). */
    static final class TokenSignature extends SignatureSpi {
        private final ByteArrayOutputStream data = new ByteArrayOutputStream();
        private Token token;

        @Override
        protected void engineInitSign(PrivateKey key) throws InvalidKeyException {
            if (!(key instanceof TokenKey)) {
                throw new InvalidKeyException("only token keys are signed here");
            }
            token = ((TokenKey) key).token;
            data.reset();
        }

        @Override
        protected void engineInitVerify(PublicKey key) throws InvalidKeyException {
            throw new InvalidKeyException("this engine only signs with token keys");
        }

        @Override
        protected void engineUpdate(byte b) {
            data.write(b);
        }

        @Override
        protected void engineUpdate(byte[] b, int off, int len) {
            data.write(b, off, len);
        }

        @Override
        protected byte[] engineSign() throws SignatureException {
            try {
                return token.sign(SignatureScheme.ECDSA_P256_SHA256, data.toByteArray());
            } catch (TokenException e) {
                throw new SignatureException("the token did not sign: " + e.getMessage(), e);
            } finally {
                data.reset();
            }
        }

        @Override
        protected boolean engineVerify(byte[] sigBytes) throws SignatureException {
            throw new SignatureException("this engine only signs");
        }

        @Override
        @Deprecated
        protected void engineSetParameter(String param, Object value) {
            throw new InvalidParameterException("no parameters");
        }

        @Override
        @Deprecated
        protected Object engineGetParameter(String param) {
            throw new InvalidParameterException("no parameters");
        }
    }
}
