package org.opencluster.auth.token;

import java.util.EnumSet;
import java.util.Set;

/** The key types tokens hold, with the operations each one supports. */
public enum KeyType {
    EC_P256(EnumSet.of(TokenOperation.SIGN, TokenOperation.KEY_AGREEMENT)),
    EC_P384(EnumSet.of(TokenOperation.SIGN, TokenOperation.KEY_AGREEMENT)),
    ED25519(EnumSet.of(TokenOperation.SIGN)),
    X25519(EnumSet.of(TokenOperation.KEY_AGREEMENT)),
    RSA_3072(EnumSet.of(TokenOperation.SIGN, TokenOperation.DECRYPT));

    private final Set<TokenOperation> operations;

    KeyType(Set<TokenOperation> operations) {
        this.operations = operations;
    }

    /** A fresh copy of the operations this key type supports. */
    public Set<TokenOperation> operations() {
        return EnumSet.copyOf(operations);
    }

    /** The signature schemes this key type can produce. */
    public Set<SignatureScheme> signatureSchemes() {
        Set<SignatureScheme> schemes = EnumSet.noneOf(SignatureScheme.class);
        for (SignatureScheme s : SignatureScheme.values()) {
            if (s.keyType() == this) {
                schemes.add(s);
            }
        }
        return schemes;
    }
}
