package org.opencluster.auth.protocol.suite;

import java.math.BigInteger;
import java.security.SecureRandom;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.agreement.ECDHBasicAgreement;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECFieldElement;
import org.bouncycastle.math.ec.ECPoint;

/**
 * P-256 ECDH with Bouncy Castle's lightweight API on its specialised SecP256R1 field arithmetic. BC keeps the
 * private scalar in a BigInteger, which cannot be wiped; it lives for one handshake only.
 */
final class P256BcKeyExchange implements KeyExchange {
    private static final ECDomainParameters DOMAIN;

    static {
        X9ECParameters x9 = CustomNamedCurves.getByName("P-256");
        DOMAIN = new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH());
    }

    @Override
    public KeyExchangeGroup group() {
        return KeyExchangeGroup.P256;
    }

    @Override
    public EphemeralKeyPair generate(SecureRandom random) {
        ECKeyPairGenerator gen = new ECKeyPairGenerator();
        gen.init(new ECKeyGenerationParameters(DOMAIN, random));
        return new Pair(gen.generateKeyPair());
    }

    /**
     * A uniformly random point: a random x with a random choice of the two y, retried while x is not on the curve
     * (half of them are). P-256 has cofactor 1, so every point but the identity is a possible public key, and a
     * real key pair's public key is uniform over them too. One square root (about 20 us on JDK 17) instead of a
     * scalar multiplication (about 80 us).
     */
    @Override
    public byte[] decoyPublicKey(SecureRandom random) {
        ECCurve curve = DOMAIN.getCurve();
        byte[] coordinate = new byte[P256Points.COORDINATE];
        while (true) {
            random.nextBytes(coordinate);
            BigInteger xValue = new BigInteger(1, coordinate);
            if (xValue.compareTo(P256Points.P) >= 0) {
                continue; // not a field element
            }
            ECFieldElement x = curve.fromBigInteger(xValue);
            ECFieldElement y = x.square().add(curve.getA()).multiply(x).add(curve.getB()).sqrt();
            if (y == null) {
                continue; // x^3 - 3x + b is not a square: no point has this x
            }
            if (random.nextBoolean()) {
                y = y.negate();
            }
            // On the curve by construction (y^2 = x^3 - 3x + b), so no second check.
            return curve.createPoint(x.toBigInteger(), y.toBigInteger()).getEncoded(false);
        }
    }

    @Override
    public void validatePublicKey(byte[] peer) throws SuiteException {
        decode(peer);
    }

    private static ECPublicKeyParameters decode(byte[] peer) throws SuiteException {
        BigInteger[] xy = P256Points.decodeValidated(peer);
        ECPoint q = DOMAIN.getCurve().validatePoint(xy[0], xy[1]);
        return new ECPublicKeyParameters(q, DOMAIN);
    }

    private static final class Pair implements EphemeralKeyPair {
        private AsymmetricCipherKeyPair keyPair;

        Pair(AsymmetricCipherKeyPair keyPair) {
            this.keyPair = keyPair;
        }

        @Override
        public KeyExchangeGroup group() {
            return KeyExchangeGroup.P256;
        }

        @Override
        public byte[] publicKey() {
            return ((ECPublicKeyParameters) keyPair.getPublic()).getQ().getEncoded(false);
        }

        @Override
        public byte[] agree(byte[] peer) throws SuiteException {
            if (keyPair == null) {
                throw new IllegalStateException("ephemeral key pair already closed");
            }
            ECPublicKeyParameters peerKey = decode(peer);
            ECDHBasicAgreement agreement = new ECDHBasicAgreement();
            agreement.init(keyPair.getPrivate());
            try {
                return P256Points.toFixed(agreement.calculateAgreement(peerKey));
            } catch (IllegalStateException e) {
                throw new SuiteException(SuiteError.KEY_AGREEMENT_FAILED, "P-256 agreement gave the point at infinity");
            }
        }

        @Override
        public void close() {
            keyPair = null;
        }
    }
}
