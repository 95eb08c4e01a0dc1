package org.opencluster.auth.token.pkcs11;

import java.security.MessageDigest;
import java.util.Arrays;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.MGF1BytesGenerator;
import org.bouncycastle.crypto.params.MGFParameters;

/**
 * EME-OAEP decoding (RFC 8017 section 7.1.2 step 3) with SHA-256, MGF1-SHA-256 and an empty label, for tokens
 * reached through SunPKCS11, which offers only raw RSA (CKM_RSA_X_509) and PKCS#1 v1.5, not OAEP. Every check is
 * accumulated without early exit and all failures look the same, so the decoder is not a padding oracle.
 */
final class OaepDecoder {
    private static final int H_LEN = 32;
    private static final byte[] EMPTY_LABEL_HASH = sha256(new byte[0]);

    private OaepDecoder() {
    }

    /**
     * @param em the k-byte encoded message (raw RSA output, left-padded to k)
     * @return the message, or null when the encoding is invalid
     */
    static byte[] decode(byte[] em) {
        int k = em.length;
        if (k < 2 * H_LEN + 2) {
            return null;
        }
        byte[] maskedSeed = Arrays.copyOfRange(em, 1, 1 + H_LEN);
        byte[] db = Arrays.copyOfRange(em, 1 + H_LEN, k);
        byte[] seed = xor(maskedSeed, mgf1(db, H_LEN));
        byte[] dbMask = mgf1(seed, db.length);
        for (int i = 0; i < db.length; i++) {
            db[i] ^= dbMask[i];
        }
        int bad = em[0] & 0xff;
        bad |= MessageDigest.isEqual(Arrays.copyOf(db, H_LEN), EMPTY_LABEL_HASH) ? 0 : 1;
        int found = 0;
        int index = 0;
        for (int i = H_LEN; i < db.length; i++) {
            int b = db[i] & 0xff;
            int isOne = ((b ^ 1) - 1) >>> 31;        // 1 when b == 1
            int isZero = (b - 1) >>> 31;              // 1 when b == 0
            int first = isOne & (found ^ 1);
            index |= -first & i;                      // records i only at the first 0x01
            int notFound = found ^ 1;
            bad |= notFound & ((isOne | isZero) ^ 1); // before the 0x01 only zero bytes may appear
            found |= isOne;
        }
        bad |= found ^ 1;
        Arrays.fill(seed, (byte) 0);
        Arrays.fill(dbMask, (byte) 0);
        if (bad != 0) {
            Arrays.fill(db, (byte) 0);
            return null;
        }
        byte[] message = Arrays.copyOfRange(db, index + 1, db.length);
        Arrays.fill(db, (byte) 0);
        return message;
    }

    private static byte[] mgf1(byte[] seed, int length) {
        MGF1BytesGenerator mgf = new MGF1BytesGenerator(new SHA256Digest());
        mgf.init(new MGFParameters(seed));
        byte[] out = new byte[length];
        mgf.generateBytes(out, 0, length);
        return out;
    }

    private static byte[] xor(byte[] a, byte[] b) {
        byte[] out = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (byte) (a[i] ^ b[i]);
        }
        return out;
    }

    private static byte[] sha256(byte[] data) {
        SHA256Digest d = new SHA256Digest();
        d.update(data, 0, data.length);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }
}
