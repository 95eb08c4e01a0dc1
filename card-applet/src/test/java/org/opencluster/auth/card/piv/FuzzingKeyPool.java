package org.opencluster.auth.card.piv;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import javacard.security.ECPrivateKey;
import javacard.security.ECPublicKey;
import javacard.security.KeyBuilder;
import javacard.security.KeyPair;
import javacard.security.RSAPrivateCrtKey;
import javacard.security.RSAPublicKey;

/**
 * Key pairs generated once by the simulator and handed out in turn by GENERATE while the APDU fuzz target runs
 * ({@link KeySlots#testOnlyKeyOperations}): the target tests what the applet does with keys, not the simulator's prime
 * search, which was 95% of its CPU. Consecutive generations into one slot still get different keys (a pool of
 * {@value #SIZE} per algorithm), so "the old key is gone" paths behave as with real generation.
 *
 * <p>ECDSA signatures are made by the JDK with the slot's own private scalar (read out of the simulator's key object):
 * real signatures by that key, DER-encoded as the simulator's engine writes them, at a fraction of the cost of the
 * simulator's affine BigInteger arithmetic (74% of the target's CPU once keys were pooled).
 */
final class FuzzingKeyPool implements KeySlots.TestOnlyKeyOperations {
    private static final int SIZE = 4;
    private final KeyPair[] p256 = new KeyPair[SIZE];
    private final KeyPair[] p384 = new KeyPair[SIZE];
    private final KeyPair[] rsa = new KeyPair[SIZE];
    private int next;
    private final byte[] scratch = new byte[512];

    FuzzingKeyPool() {
        for (int i = 0; i < SIZE; i++) {
            p256[i] = ecPair(KeyBuilder.LENGTH_EC_FP_256);
            p384[i] = ecPair(KeyBuilder.LENGTH_EC_FP_384);
            rsa[i] = new KeyPair(KeyPair.ALG_RSA_CRT, KeyBuilder.LENGTH_RSA_2048);
            rsa[i].genKeyPair();
        }
    }

    private static KeyPair ecPair(short bits) {
        ECPublicKey pub = (ECPublicKey) KeyBuilder.buildKey(KeyBuilder.TYPE_EC_FP_PUBLIC, bits, false);
        ECPrivateKey priv = (ECPrivateKey) KeyBuilder.buildKey(KeyBuilder.TYPE_EC_FP_PRIVATE, bits, false);
        EcCurves.setParameters(pub, bits);
        EcCurves.setParameters(priv, bits);
        KeyPair pair = new KeyPair(pub, priv);
        pair.genKeyPair();
        return pair;
    }

    /** The JDK's private keys for the scalars seen so far (the pool's, and any imported during the run). */
    private final Map<String, java.security.interfaces.ECPrivateKey> jdkKeys = new HashMap<>();

    @Override
    public short signHash(ECPrivateKey key, byte alg, byte[] hash, short off, short len, byte[] out, short outOff) {
        short n = key.getS(scratch, (short) 0);
        String id = alg + ":" + HexFormat.of().formatHex(scratch, 0, n);
        try {
            java.security.interfaces.ECPrivateKey jdkKey = jdkKeys.get(id);
            if (jdkKey == null) {
                if (jdkKeys.size() >= 256) {
                    jdkKeys.clear();
                }
                AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
                params.init(new ECGenParameterSpec(alg == KeySlots.ALG_EC_P256 ? "secp256r1" : "secp384r1"));
                jdkKey = (java.security.interfaces.ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(
                        new ECPrivateKeySpec(new BigInteger(1, Arrays.copyOf(scratch, n)),
                                params.getParameterSpec(ECParameterSpec.class)));
                jdkKeys.put(id, jdkKey);
            }
            Signature ecdsa = Signature.getInstance("NONEwithECDSA");
            ecdsa.initSign(jdkKey);
            ecdsa.update(hash, off, len);
            byte[] der = ecdsa.sign();
            System.arraycopy(der, 0, out, outOff, der.length);
            return (short) der.length;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot sign with a pooled key", e);
        } finally {
            Arrays.fill(scratch, (byte) 0);
        }
    }

    @Override
    public void fill(KeyPair pair, byte alg) {
        int i = next++ % SIZE;
        if (alg == KeySlots.ALG_RSA_2048) {
            copyRsa(rsa[i], pair);
        } else {
            copyEc(alg == KeySlots.ALG_EC_P256 ? p256[i] : p384[i], pair);
        }
    }

    private void copyEc(KeyPair from, KeyPair to) {
        short n = ((ECPrivateKey) from.getPrivate()).getS(scratch, (short) 0);
        ((ECPrivateKey) to.getPrivate()).setS(scratch, (short) 0, n);
        n = ((ECPublicKey) from.getPublic()).getW(scratch, (short) 0);
        ((ECPublicKey) to.getPublic()).setW(scratch, (short) 0, n);
    }

    private void copyRsa(KeyPair from, KeyPair to) {
        RSAPrivateCrtKey f = (RSAPrivateCrtKey) from.getPrivate();
        RSAPrivateCrtKey t = (RSAPrivateCrtKey) to.getPrivate();
        t.setP(scratch, (short) 0, f.getP(scratch, (short) 0));
        t.setQ(scratch, (short) 0, f.getQ(scratch, (short) 0));
        t.setDP1(scratch, (short) 0, f.getDP1(scratch, (short) 0));
        t.setDQ1(scratch, (short) 0, f.getDQ1(scratch, (short) 0));
        t.setPQ(scratch, (short) 0, f.getPQ(scratch, (short) 0));
        RSAPublicKey fp = (RSAPublicKey) from.getPublic();
        RSAPublicKey tp = (RSAPublicKey) to.getPublic();
        tp.setModulus(scratch, (short) 0, fp.getModulus(scratch, (short) 0));
        tp.setExponent(scratch, (short) 0, fp.getExponent(scratch, (short) 0));
    }
}
