package org.opencluster.auth.server.metrics;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import org.opencluster.auth.protocol.time.MonotonicClock;
import org.opencluster.auth.token.EncryptionScheme;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.TokenOperation;

/**
 * A token whose private-key operations report how long they took: the latency an operator sees when an HSM is
 * slow or overloaded. Closing it closes nothing (the server closes the token it wraps).
 */
final class TimedToken implements Token {
    /** Where one operation's duration goes. */
    @FunctionalInterface
    interface Record {
        void operation(String operation, String outcome, long nanos);
    }

    @FunctionalInterface
    private interface Operation {
        byte[] run() throws TokenException;
    }

    private final Token token;
    private final Record record;

    TimedToken(Token token, Record record) {
        this.token = token;
        this.record = record;
    }

    private byte[] timed(String operation, Operation op) throws TokenException {
        long start = MonotonicClock.system().nanos();
        String outcome = "error";
        try {
            byte[] result = op.run();
            outcome = "ok";
            return result;
        } finally {
            record.operation(operation, outcome, MonotonicClock.system().nanos() - start);
        }
    }

    @Override
    public byte[] sign(SignatureScheme scheme, byte[] message) throws TokenException {
        return timed("sign", () -> token.sign(scheme, message));
    }

    @Override
    public byte[] agree(PublicKey peerPublicKey) throws TokenException {
        return timed("agree", () -> token.agree(peerPublicKey));
    }

    @Override
    public byte[] decrypt(EncryptionScheme scheme, byte[] ciphertext) throws TokenException {
        return timed("decrypt", () -> token.decrypt(scheme, ciphertext));
    }

    @Override
    public String label() {
        return token.label();
    }

    @Override
    public List<X509Certificate> certificateChain() {
        return token.certificateChain();
    }

    @Override
    public PublicKey publicKey() {
        return token.publicKey();
    }

    @Override
    public KeyType keyType() {
        return token.keyType();
    }

    @Override
    public Set<TokenOperation> operations() {
        return token.operations();
    }

    @Override
    public Set<SignatureScheme> signatureSchemes() {
        return token.signatureSchemes();
    }

    @Override
    public boolean operationsMayBlock() {
        return token.operationsMayBlock();
    }

    @Override
    public void close() {
        // the server owns and closes the wrapped token
    }
}
