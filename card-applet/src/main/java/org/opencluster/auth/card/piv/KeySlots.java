package org.opencluster.auth.card.piv;

import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.Util;
import javacard.security.CryptoException;
import javacard.security.ECPrivateKey;
import javacard.security.ECPublicKey;
import javacard.security.KeyAgreement;
import javacard.security.KeyBuilder;
import javacard.security.KeyPair;
import javacard.security.RSAPrivateCrtKey;
import javacard.security.RSAPublicKey;
import javacard.security.Signature;
import javacardx.crypto.Cipher;

/**
 * The asymmetric keys of slots 9A, 9C, 9D and 9E. Keys are generated on the card; this class has no way to
 * import or export a private key, only to use it (ECDSA over a host-computed hash, ECDH).
 */
final class KeySlots {
    static final byte ALG_EC_P256 = 0x11;
    static final byte ALG_EC_P384 = 0x14;
    static final byte ALG_RSA_2048 = 0x07;
    static final short RSA_BYTES = 256;

    static final byte SLOT_AUTHENTICATION = (byte) 0x9A;
    static final byte SLOT_SIGNATURE = (byte) 0x9C;
    static final byte SLOT_KEY_MANAGEMENT = (byte) 0x9D;
    static final byte SLOT_CARD_AUTHENTICATION = (byte) 0x9E;

    private static final short SLOTS = 4;

    /** Per slot: a P-256 and a P-384 pair, allocated at install so GENERATE never allocates. */
    private final KeyPair[] p256;
    private final KeyPair[] p384;
    private final KeyPair[] rsa2048;
    /** Per slot: the algorithm of the current key, 0 when the slot is empty. */
    private final byte[] algorithms;
    private final Signature ecdsa256;
    private final Signature ecdsa384;
    private final KeyAgreement ecdh;
    /** The raw RSA private-key operation: PIV hosts pad (PKCS#1 v1.5, PSS, OAEP) themselves. */
    private final Cipher rsaRaw;
    /** Whether this platform's ECDH rejects points off the curve; if not, {@link EcPointCheck} does. */
    private final boolean platformChecksPoints;
    /**
     * The probe's answer, kept for the platform: {@link #POINTS_UNKNOWN} (0, the default) until the first install
     * asks. A property of the platform, not of an instance, and the probe's key generation is most of an install's
     * time (a re-install in the simulator, as the APDU fuzz target does between inputs, took 60-80 ms for it).
     */
    private static byte platformPointValidation;
    private static final byte POINTS_UNKNOWN = 0;
    private static final byte POINTS_CHECKED = 1;
    private static final byte POINTS_NOT_CHECKED = 2;

    /**
     * TEST ONLY, never set on a card: where GENERATE takes new key pairs from instead of the platform's generator,
     * and who computes an ECDSA signature instead of the platform's engine. Only the APDU fuzz target sets it, for
     * the simulator's cost, not the applet's: an RSA-2048 generation costs tens of milliseconds there and was 95% of
     * that target's CPU (1,500 executions/s falling to 660 as inputs learned to ask for keys); with keys pooled, the
     * simulator's ECDSA (affine BigInteger arithmetic, a modular inverse per point operation) was 74%. A generation
     * through it still replaces the slot's key with one the slot did not hold, and a signature through it is a real
     * signature by the slot's key (the engine is still initialised with the key, so its checks run), so every path
     * after either runs as usual.
     */
    static TestOnlyKeyOperations testOnlyKeyOperations;

    /** Key generation and ECDSA done outside the simulator (see {@link #testOnlyKeyOperations}). */
    interface TestOnlyKeyOperations {
        /** Fills {@code pair} (domain parameters already set for EC) with a new key of {@code alg}. */
        void fill(KeyPair pair, byte alg);

        /**
         * ECDSA by {@code key} (P-256 or P-384 as {@code alg}) over the field-sized hash {@code hash[off..off+len)},
         * written as DER to {@code out}; returns its length.
         */
        short signHash(ECPrivateKey key, byte alg, byte[] hash, short off, short len, byte[] out, short outOff);
    }

    KeySlots() {
        p256 = new KeyPair[SLOTS];
        p384 = new KeyPair[SLOTS];
        rsa2048 = new KeyPair[SLOTS];
        algorithms = new byte[SLOTS];
        for (short i = 0; i < SLOTS; i++) {
            p256[i] = newPair(KeyBuilder.LENGTH_EC_FP_256);
            p384[i] = newPair(KeyBuilder.LENGTH_EC_FP_384);
            rsa2048[i] = new KeyPair(KeyPair.ALG_RSA_CRT, KeyBuilder.LENGTH_RSA_2048);
        }
        rsaRaw = Cipher.getInstance(Cipher.ALG_RSA_NOPAD, false);
        ecdsa256 = Signature.getInstance(Signature.ALG_ECDSA_SHA_256, false);
        ecdsa384 = Signature.getInstance(Signature.ALG_ECDSA_SHA_384, false);
        ecdh = KeyAgreement.getInstance(KeyAgreement.ALG_EC_SVDP_DH_PLAIN, false);
        if (platformPointValidation == POINTS_UNKNOWN) {
            platformPointValidation = probePointValidation() ? POINTS_CHECKED : POINTS_NOT_CHECKED;
        }
        platformChecksPoints = platformPointValidation == POINTS_CHECKED;
    }

    /**
     * Offers the platform's ECDH the base point G (valid) and G with y + 1 (not on P-256): only a platform that
     * accepts the first and refuses the second is trusted to validate peer points itself.
     */
    private boolean probePointValidation() {
        KeyPair pair = p256[0];
        pair.genKeyPair();
        byte[] point = new byte[65];
        byte[] g = EcCurves.generator(KeyBuilder.LENGTH_EC_FP_256);
        Util.arrayCopyNonAtomic(g, (short) 0, point, (short) 0, (short) 65);
        byte[] secret = new byte[32];
        boolean validates = false;
        try {
            ecdh.init(pair.getPrivate());
            ecdh.generateSecret(point, (short) 0, (short) 65, secret, (short) 0);
            point[64]++;
            try {
                ecdh.generateSecret(point, (short) 0, (short) 65, secret, (short) 0);
            } catch (CryptoException e) {
                validates = true;
            }
        } catch (CryptoException e) {
            validates = false;
        }
        Util.arrayFillNonAtomic(secret, (short) 0, (short) 32, (byte) 0);
        pair.getPrivate().clearKey();
        pair.getPublic().clearKey();
        EcCurves.setParameters((ECPrivateKey) pair.getPrivate(), KeyBuilder.LENGTH_EC_FP_256);
        EcCurves.setParameters((ECPublicKey) pair.getPublic(), KeyBuilder.LENGTH_EC_FP_256);
        return validates;
    }

    private static KeyPair newPair(short bits) {
        ECPublicKey pub = (ECPublicKey) KeyBuilder.buildKey(KeyBuilder.TYPE_EC_FP_PUBLIC, bits, false);
        ECPrivateKey priv = (ECPrivateKey) KeyBuilder.buildKey(KeyBuilder.TYPE_EC_FP_PRIVATE, bits, false);
        EcCurves.setParameters(pub, bits);
        EcCurves.setParameters(priv, bits);
        return new KeyPair(pub, priv);
    }

    /** Slot index for key reference {@code ref}, or -1 when it is not an asymmetric key slot. */
    static short index(byte ref) {
        switch (ref) {
            case SLOT_AUTHENTICATION:
                return 0;
            case SLOT_SIGNATURE:
                return 1;
            case SLOT_KEY_MANAGEMENT:
                return 2;
            case SLOT_CARD_AUTHENTICATION:
                return 3;
            default:
                return -1;
        }
    }

    static boolean supported(byte alg) {
        return alg == ALG_EC_P256 || alg == ALG_EC_P384 || alg == ALG_RSA_2048;
    }

    static short fieldBytes(byte alg) {
        return alg == ALG_EC_P256 ? (short) 32 : (short) 48;
    }

    byte algorithm(short slot) {
        return algorithms[slot];
    }

    /**
     * Generates a new key in {@code slot}, replacing any old one, and writes {@code 7F49 { 86 <point> }} to
     * {@code out}. Returns the template length.
     */
    short generate(short slot, byte alg, byte[] out, short outOff) {
        // Mark the slot empty first: a torn generation must not leave a half-written key usable.
        algorithms[slot] = 0;
        p256[slot].getPrivate().clearKey();
        p384[slot].getPrivate().clearKey();
        rsa2048[slot].getPrivate().clearKey();
        if (alg == ALG_RSA_2048) {
            return generateRsa(slot, out, outOff);
        }
        KeyPair pair = alg == ALG_EC_P256 ? p256[slot] : p384[slot];
        // clearKey() clears the domain parameters too (Java Card API), so set them again before generating.
        short bits = alg == ALG_EC_P256 ? KeyBuilder.LENGTH_EC_FP_256 : KeyBuilder.LENGTH_EC_FP_384;
        EcCurves.setParameters((ECPrivateKey) pair.getPrivate(), bits);
        EcCurves.setParameters((ECPublicKey) pair.getPublic(), bits);
        newKey(pair, alg);
        normaliseScalar((ECPrivateKey) pair.getPrivate(), fieldBytes(alg), out, outOff);
        algorithms[slot] = alg;

        short pointLen = (short) (1 + 2 * fieldBytes(alg));
        short off = outOff;
        out[off++] = 0x7F;
        out[off++] = 0x49;
        out[off++] = (byte) (2 + pointLen);
        out[off++] = (byte) 0x86;
        out[off++] = (byte) pointLen;
        off += ((ECPublicKey) pair.getPublic()).getW(out, off);
        return (short) (off - outOff);
    }

    /**
     * Writes the private scalar back as exactly {@code n} bytes when the platform hands it out shorter. jCardSim,
     * after re-generating a key into a key object that held one before, signs and derives with a wrong scalar when
     * the new one has a leading zero byte (about one key in 256; measured, and the cause of keys whose signatures
     * did not verify with their own public key). Setting the left-padded value again repairs it; on cards that
     * return fixed-length values this does nothing. {@code scratch} is wiped.
     */
    private static void normaliseScalar(ECPrivateKey key, short n, byte[] scratch, short off) {
        short len = key.getS(scratch, off);
        if (len < n) {
            Util.arrayCopyNonAtomic(scratch, off, scratch, (short) (off + n - len), len);
            Util.arrayFillNonAtomic(scratch, off, (short) (n - len), (byte) 0);
            key.setS(scratch, off, n);
        }
        Util.arrayFillNonAtomic(scratch, off, n, (byte) 0);
    }

    /** The same for the five CRT components of an RSA-2048 key (each nominally 128 bytes). */
    private static void normaliseCrt(RSAPrivateCrtKey key, byte[] scratch, short off) {
        final short n = RSA_BYTES / 2;
        for (byte part = 0; part < 5; part++) {
            short len;
            switch (part) {
                case 0: len = key.getP(scratch, off); break;
                case 1: len = key.getQ(scratch, off); break;
                case 2: len = key.getDP1(scratch, off); break;
                case 3: len = key.getDQ1(scratch, off); break;
                default: len = key.getPQ(scratch, off); break;
            }
            if (len < n) {
                Util.arrayCopyNonAtomic(scratch, off, scratch, (short) (off + n - len), len);
                Util.arrayFillNonAtomic(scratch, off, (short) (n - len), (byte) 0);
                switch (part) {
                    case 0: key.setP(scratch, off, n); break;
                    case 1: key.setQ(scratch, off, n); break;
                    case 2: key.setDP1(scratch, off, n); break;
                    case 3: key.setDQ1(scratch, off, n); break;
                    default: key.setPQ(scratch, off, n); break;
                }
            }
            Util.arrayFillNonAtomic(scratch, off, n, (byte) 0);
        }
    }

    private static void newKey(KeyPair pair, byte alg) {
        TestOnlyKeyOperations source = testOnlyKeyOperations;
        if (source == null) {
            pair.genKeyPair();
        } else {
            source.fill(pair, alg);
        }
    }

    /** RSA-2048: {@code 7F49 82 L { 81 82 0100 modulus, 82 L exponent }}. */
    private short generateRsa(short slot, byte[] out, short outOff) {
        KeyPair pair = rsa2048[slot];
        newKey(pair, ALG_RSA_2048);
        normaliseCrt((RSAPrivateCrtKey) pair.getPrivate(), out, outOff);
        algorithms[slot] = ALG_RSA_2048;
        RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
        // Modulus at a fixed place behind the headers, the exponent after it; then the headers are written.
        short modOff = (short) (outOff + 2 + 3 + 1 + 3);
        short modLen = pub.getModulus(out, modOff);
        short expTagOff = (short) (modOff + modLen);
        short expLen = pub.getExponent(out, (short) (expTagOff + 2));
        out[expTagOff] = (byte) 0x82;
        out[(short) (expTagOff + 1)] = (byte) expLen;
        short body = (short) (1 + 3 + modLen + 2 + expLen);
        short off = outOff;
        out[off++] = 0x7F;
        out[off++] = 0x49;
        off = Tlv.writeLength(out, off, body);
        if (off != (short) (outOff + 5) || modLen != RSA_BYTES) {
            ISOException.throwIt(ISO7816.SW_UNKNOWN);
        }
        out[off++] = (byte) 0x81;
        Tlv.writeLength(out, off, modLen);
        return (short) (expTagOff + 2 + expLen - outOff);
    }

    /**
     * The raw RSA private-key operation on {@code buf[off..off+len)}, which must be exactly one 256-byte block
     * below the modulus (the host padded it); writes 256 bytes to {@code out}.
     */
    short rawRsa(short slot, byte[] buf, short off, short len, byte[] out, short outOff) {
        if (len != RSA_BYTES) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        // The block must be below the modulus; checked here rather than trusting every platform's cipher to say so.
        ((RSAPublicKey) rsa2048[slot].getPublic()).getModulus(out, outOff);
        if (!unsignedLess(buf, off, out, outOff, RSA_BYTES)) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        rsaRaw.init(rsa2048[slot].getPrivate(), Cipher.MODE_DECRYPT);
        try {
            short n = rsaRaw.doFinal(buf, off, len, out, outOff);
            // Some platforms drop leading zero bytes of the result; PIV answers a full-length block.
            if (n < RSA_BYTES) {
                short pad = (short) (RSA_BYTES - n);
                Util.arrayCopyNonAtomic(out, outOff, out, (short) (outOff + pad), n);
                Util.arrayFillNonAtomic(out, outOff, pad, (byte) 0);
            }
            return RSA_BYTES;
        } catch (CryptoException e) {
            // A block not below the modulus.
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
            return 0;
        }
    }

    /** a < b as unsigned big-endian numbers of {@code len} bytes. */
    private static boolean unsignedLess(byte[] a, short aOff, byte[] b, short bOff, short len) {
        for (short i = 0; i < len; i++) {
            short x = (short) (a[(short) (aOff + i)] & 0xFF);
            short y = (short) (b[(short) (bOff + i)] & 0xFF);
            if (x != y) {
                return x < y;
            }
        }
        return false;
    }

    /**
     * ECDSA over the host's hash {@code buf[off..off+len)}, written as DER to {@code out}. The hash is fitted
     * to the field size as ECDSA does (leftmost bytes kept, shorter values left-padded with zeros) using
     * {@code scratch} as room; returns the signature length.
     */
    short sign(short slot, byte[] buf, short off, short len, byte[] scratch, short scratchOff,
               byte[] out, short outOff) {
        byte alg = algorithms[slot];
        short n = fieldBytes(alg);
        if (len <= 0 || len > 64) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        Util.arrayFillNonAtomic(scratch, scratchOff, n, (byte) 0);
        if (len >= n) {
            Util.arrayCopyNonAtomic(buf, off, scratch, scratchOff, n);
        } else {
            Util.arrayCopyNonAtomic(buf, off, scratch, (short) (scratchOff + n - len), len);
        }
        Signature sig = alg == ALG_EC_P256 ? ecdsa256 : ecdsa384;
        ECPrivateKey key = privateKey(slot);
        sig.init(key, Signature.MODE_SIGN);
        TestOnlyKeyOperations operations = testOnlyKeyOperations;
        short sigLen = operations == null ? sig.signPreComputedHash(scratch, scratchOff, n, out, outOff)
                : operations.signHash(key, alg, scratch, scratchOff, n, out, outOff);
        Util.arrayFillNonAtomic(scratch, scratchOff, n, (byte) 0);
        return sigLen;
    }

    /**
     * ECDH with the peer's uncompressed point {@code buf[off..off+len)}; writes the shared X to {@code out}.
     * {@code scratch} needs {@link EcPointCheck#scratchSize} bytes for the on-curve check.
     */
    short deriveSharedSecret(short slot, byte[] buf, short off, short len, byte[] scratch, short scratchOff,
                             byte[] out, short outOff) {
        byte alg = algorithms[slot];
        if (len != (short) (1 + 2 * fieldBytes(alg)) || buf[off] != 0x04) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        short bits = alg == ALG_EC_P256 ? KeyBuilder.LENGTH_EC_FP_256 : KeyBuilder.LENGTH_EC_FP_384;
        if (!platformChecksPoints && !EcPointCheck.onCurve(buf, off, bits, scratch, scratchOff)) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        ecdh.init(privateKey(slot));
        try {
            return ecdh.generateSecret(buf, off, len, out, outOff);
        } catch (CryptoException e) {
            // A point that is not on the curve.
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
            return 0;
        }
    }

    private ECPrivateKey privateKey(short slot) {
        return (ECPrivateKey) (algorithms[slot] == ALG_EC_P256 ? p256[slot] : p384[slot]).getPrivate();
    }
}
