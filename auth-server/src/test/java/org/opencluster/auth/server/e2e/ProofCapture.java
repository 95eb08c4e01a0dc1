package org.opencluster.auth.server.e2e;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.token.EncryptionScheme;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.TokenOperation;

/**
 * What an attacker can learn of a login's possession proof and then try elsewhere: the token's output for one
 * session (the signature over that session's transcript, or the key-agreement secret Z with that session's proof
 * ephemeral). {@link #recording} captures it from an honest login; {@link #replaying} is an attacker's token that has
 * no key and answers every request with the captured output.
 */
final class ProofCapture {
    private final AtomicReference<byte[]> output = new AtomicReference<>();

    byte[] captured() {
        return output.get();
    }

    LoginCredential recording(LoginCredential honest) {
        return (user, envelope) -> new Forwarding(honest.unlock(user, envelope)) {
            @Override
            public byte[] sign(SignatureScheme scheme, byte[] message) throws TokenException {
                byte[] s = super.sign(scheme, message);
                output.set(s.clone());
                return s;
            }

            @Override
            public byte[] agree(PublicKey peer) throws TokenException {
                byte[] z = super.agree(peer);
                output.set(z.clone());
                return z;
            }
        };
    }

    /** The attacker: knows the account's public key (it is in the certificate) and the captured output, not the key. */
    LoginCredential replaying(LoginCredential honestForShape) {
        return (user, envelope) -> new Forwarding(honestForShape.unlock(user, envelope)) {
            @Override
            public byte[] sign(SignatureScheme scheme, byte[] message) {
                return output.get().clone();
            }

            @Override
            public byte[] agree(PublicKey peer) {
                return output.get().clone();
            }
        };
    }

    /** A token that does what another does. */
    private static class Forwarding implements Token {
        private final Token t;

        Forwarding(Token t) {
            this.t = t;
        }

        @Override
        public String label() {
            return t.label();
        }

        @Override
        public List<X509Certificate> certificateChain() {
            return t.certificateChain();
        }

        @Override
        public PublicKey publicKey() {
            return t.publicKey();
        }

        @Override
        public KeyType keyType() {
            return t.keyType();
        }

        @Override
        public Set<TokenOperation> operations() {
            return t.operations();
        }

        @Override
        public Set<SignatureScheme> signatureSchemes() {
            return t.signatureSchemes();
        }

        @Override
        public byte[] sign(SignatureScheme scheme, byte[] message) throws TokenException {
            return t.sign(scheme, message);
        }

        @Override
        public byte[] agree(PublicKey peer) throws TokenException {
            return t.agree(peer);
        }

        @Override
        public byte[] decrypt(EncryptionScheme scheme, byte[] ciphertext) throws TokenException {
            return t.decrypt(scheme, ciphertext);
        }

        @Override
        public void close() {
            t.close();
        }
    }
}
