package org.opencluster.auth.token;

import java.util.EnumSet;
import java.util.Set;

/** The key types tokens hold, with the operations each one supports. */
public enum KeyType {
    EC_P256(EnumSet.of(TokenOperation.SIGN, TokenOperation.KEY_AGREEMENT)),
    EC_P384(EnumSet.of(TokenOperation.SIGN, TokenOperation.KEY_AGREEMENT)),
    ED25519(EnumSet.of(TokenOperation.SIGN)),
    X25519(EnumSet.of(TokenOperation.KEY_AGREEMENT)),
    /** RSA 2048: what PIV cards and YubiKeys hold (NIST allows it until 2030; prefer 3072 or EC elsewhere). */
    RSA_2048(EnumSet.of(TokenOperation.SIGN, TokenOperation.DECRYPT)),
    RSA_3072(EnumSet.of(TokenOperation.SIGN, TokenOperation.DECRYPT));

    private final Set<TokenOperation> operations;

    KeyType(Set<TokenOperation> operations) {
        this.operations = operations;
    }

    public boolean isRsa() {
        return this == RSA_2048 || this == RSA_3072;
    }

    /** RSA key type of a modulus of {@code bits}, if one is supported. */
    public static java.util.Optional<KeyType> rsa(int bits) {
        return bits == 2048 ? java.util.Optional.of(RSA_2048) : bits == 3072 ? java.util.Optional.of(RSA_3072)
                : java.util.Optional.empty();
    }

    /** A fresh copy of the operations this key type supports. */
    public Set<TokenOperation> operations() {
        return EnumSet.copyOf(operations);
    }

    /** The signature schemes this key type can produce. */
    public Set<SignatureScheme> signatureSchemes() {
        Set<SignatureScheme> schemes = EnumSet.noneOf(SignatureScheme.class);
        for (SignatureScheme s : SignatureScheme.values()) {
            if (s.supports(this)) {
                schemes.add(s);
            }
        }
        return schemes;
    }
}
