package org.opencluster.auth.token.software;

import java.io.IOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Objects;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.AsymmetricCipherKeyPairGenerator;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.generators.RSAKeyPairGenerator;
import org.bouncycastle.crypto.generators.X25519KeyPairGenerator;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.RSAKeyGenerationParameters;
import org.bouncycastle.crypto.params.X25519KeyGenerationParameters;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.opencluster.auth.token.KeyType;

/**
 * Generates software keys as PKCS#8 {@code PrivateKeyInfo} DER, the form {@link SoftwareToken#fromPkcs8} and the
 * passphrase envelope take. Uses Bouncy Castle's lightweight API (measured faster than the JDK providers for every
 * curve we use; see the token-provider README).
 */
public final class SoftwareKeys {
    private SoftwareKeys() {
    }

    /** Generates a key of {@code type}; the returned PKCS#8 bytes are the caller's to wipe. */
    public static byte[] generatePkcs8(KeyType type, SecureRandom random) {
        Objects.requireNonNull(type);
        Objects.requireNonNull(random);
        AsymmetricCipherKeyPairGenerator generator;
        switch (type) {
            case EC_P256:
            case EC_P384:
                ECKeyPairGenerator ec = new ECKeyPairGenerator();
                ec.init(new ECKeyGenerationParameters(domain(type), random));
                generator = ec;
                break;
            case ED25519:
                generator = new Ed25519KeyPairGenerator();
                generator.init(new Ed25519KeyGenerationParameters(random));
                break;
            case X25519:
                generator = new X25519KeyPairGenerator();
                generator.init(new X25519KeyGenerationParameters(random));
                break;
            case RSA_2048:
            case RSA_3072:
                generator = new RSAKeyPairGenerator();
                generator.init(new RSAKeyGenerationParameters(BigInteger.valueOf(65537), random,
                        type == KeyType.RSA_2048 ? 2048 : 3072, 112));
                break;
            default:
                throw new IllegalArgumentException("unsupported key type " + type);
        }
        AsymmetricCipherKeyPair pair = generator.generateKeyPair();
        try {
            // PKCS#8 v1 (RFC 5208 PrivateKeyInfo, docs/PROTOCOL.md 9): Bouncy Castle writes Ed25519 and X25519 keys
            // as RFC 5958 v2 (with the public key), which OpenSSL and pyca/cryptography refuse; without the public
            // key field the version is 0.
            PrivateKeyInfo info = PrivateKeyInfoFactory.createPrivateKeyInfo(pair.getPrivate());
            return new PrivateKeyInfo(info.getPrivateKeyAlgorithm(), info.parsePrivateKey(), info.getAttributes())
                    .getEncoded("DER");
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a freshly generated key", e);
        }
    }

    /** The named domain parameters of an EC key type (P-256 or P-384). */
    static ECNamedDomainParameters domain(KeyType type) {
        switch (type) {
            case EC_P256:
                return named(SECObjectIdentifiers.secp256r1, "secp256r1");
            case EC_P384:
                return named(SECObjectIdentifiers.secp384r1, "secp384r1");
            default:
                throw new IllegalArgumentException(type + " is not an EC key type");
        }
    }

    /** The EC key type whose curve equals {@code domain}, or null. */
    static KeyType ecKeyType(ECDomainParameters domain) {
        for (KeyType t : new KeyType[] {KeyType.EC_P256, KeyType.EC_P384}) {
            ECDomainParameters d = domain(t);
            if (d.getCurve().equals(domain.getCurve()) && d.getG().equals(domain.getG())
                    && d.getN().equals(domain.getN())) {
                return t;
            }
        }
        return null;
    }

    private static ECNamedDomainParameters named(org.bouncycastle.asn1.ASN1ObjectIdentifier oid, String name) {
        X9ECParameters x9 = CustomNamedCurves.getByName(name);
        return new ECNamedDomainParameters(oid, x9);
    }
}
