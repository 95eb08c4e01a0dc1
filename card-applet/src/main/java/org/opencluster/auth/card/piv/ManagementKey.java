package org.opencluster.auth.card.piv;

import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.Util;
import javacard.security.DESKey;
import javacard.security.KeyBuilder;
import javacard.security.RandomData;
import javacardx.crypto.Cipher;

/**
 * The PIV card application administration key (reference 9B, 3DES, algorithm 03) and its challenge-response
 * authentication. Authentication lasts until deselect and unlocks PUT DATA and GENERATE.
 */
final class ManagementKey {
    static final byte REF = (byte) 0x9B;
    static final byte ALG_3DES = 0x03;
    static final short BLOCK = 8;

    private static final byte STEP_NONE = 0;
    /** Card sent an encrypted witness (mutual authentication, step 1). */
    private static final byte STEP_WITNESS = 1;
    /** Card sent a plain challenge (external authentication, step 1). */
    private static final byte STEP_CHALLENGE = 2;

    private final DESKey key;
    private final Cipher cipher;
    private final RandomData random;
    /** [0] step, [1] authenticated flag. */
    private final byte[] status;
    /** The witness or challenge the card issued, kept until the host's answer. */
    private final byte[] expected;

    ManagementKey(RandomData random) {
        this.random = random;
        key = (DESKey) KeyBuilder.buildKey(KeyBuilder.TYPE_DES, KeyBuilder.LENGTH_DES3_3KEY, false);
        byte[] initial = new byte[24];
        for (short i = 0; i < 24; i++) {
            initial[i] = (byte) ((i % 8) + 1);
        }
        // Factory key 0102030405060708 three times, as PIV middleware expects: deployments must change it.
        key.setKey(initial, (short) 0);
        Util.arrayFillNonAtomic(initial, (short) 0, (short) 24, (byte) 0);
        cipher = Cipher.getInstance(Cipher.ALG_DES_ECB_NOPAD, false);
        status = JCSystem.makeTransientByteArray((short) 2, JCSystem.CLEAR_ON_DESELECT);
        expected = JCSystem.makeTransientByteArray(BLOCK, JCSystem.CLEAR_ON_DESELECT);
    }

    boolean authenticated() {
        return status[1] != 0;
    }

    void reset() {
        status[0] = STEP_NONE;
        status[1] = 0;
        Util.arrayFillNonAtomic(expected, (short) 0, BLOCK, (byte) 0);
    }

    /**
     * One GENERAL AUTHENTICATE step with the parsed dynamic authentication template.
     *
     * @param tags offsets and lengths of tags 80..85 from {@link PivApplet}'s template parse
     * @return length of the response template written to {@code out}
     */
    short authenticate(byte[] buf, GaTemplate tags, byte[] out) {
        byte step = status[0];
        status[0] = STEP_NONE;
        short witnessLen = tags.length(GaTemplate.WITNESS);
        short challengeLen = tags.length(GaTemplate.CHALLENGE);
        short responseLen = tags.length(GaTemplate.RESPONSE);

        if (witnessLen == 0 && challengeLen < 0 && responseLen < 0) {
            // Mutual, step 1: send E(K, witness).
            status[1] = 0;
            random.generateData(expected, (short) 0, BLOCK);
            status[0] = STEP_WITNESS;
            return template(GaTemplate.TAG_WITNESS, expected, (short) 0, true, out);
        }
        if (witnessLen == BLOCK && challengeLen == BLOCK && (responseLen < 0 || responseLen == 0)) {
            // Mutual, step 2: the host proves it decrypted the witness; the card answers E(K, challenge).
            if (step != STEP_WITNESS || !equal(buf, tags.offset(GaTemplate.WITNESS), expected)) {
                failed();
            }
            status[1] = 1;
            return template(GaTemplate.TAG_RESPONSE, buf, tags.offset(GaTemplate.CHALLENGE), true, out);
        }
        if (challengeLen == 0 && witnessLen < 0 && responseLen < 0) {
            // External, step 1: send a plain challenge.
            status[1] = 0;
            random.generateData(expected, (short) 0, BLOCK);
            status[0] = STEP_CHALLENGE;
            return template(GaTemplate.TAG_CHALLENGE, expected, (short) 0, false, out);
        }
        if (responseLen == BLOCK && witnessLen < 0 && challengeLen < 0) {
            // External, step 2: the host returns E(K, challenge).
            if (step != STEP_CHALLENGE) {
                failed();
            }
            cipher.init(key, Cipher.MODE_ENCRYPT);
            cipher.doFinal(expected, (short) 0, BLOCK, expected, (short) 0);
            if (!equal(buf, tags.offset(GaTemplate.RESPONSE), expected)) {
                failed();
            }
            reset();
            status[1] = 1;
            return 0;
        }
        reset();
        ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        return 0;
    }

    /**
     * Replaces the key with the 24 bytes at {@code buf[off]} (caller checked authentication and length).
     * Keys whose halves repeat (K1 = K2 or K2 = K3) degrade 3DES to single DES and are refused with 6A80.
     */
    void change(byte[] buf, short off) {
        if (sameDesKey(buf, off, (short) (off + BLOCK)) || sameDesKey(buf, (short) (off + BLOCK),
                (short) (off + 2 * BLOCK))) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        key.setKey(buf, off);
        reset();
    }

    /** Whether two 8-byte DES keys are equal ignoring the parity bits (bit 0 of each byte), which DES ignores. */
    private static boolean sameDesKey(byte[] buf, short a, short b) {
        for (short i = 0; i < BLOCK; i++) {
            if ((byte) (buf[(short) (a + i)] & (byte) 0xFE) != (byte) (buf[(short) (b + i)] & (byte) 0xFE)) {
                return false;
            }
        }
        return true;
    }

    private void failed() {
        reset();
        ISOException.throwIt(ISO7816.SW_SECURITY_STATUS_NOT_SATISFIED);
    }

    /** 7C 0A {tag} 08 value, the value encrypted under the key when {@code encrypt}. */
    private short template(byte tag, byte[] src, short srcOff, boolean encrypt, byte[] out) {
        out[0] = GaTemplate.TAG_TEMPLATE;
        out[1] = (byte) (2 + BLOCK);
        out[2] = tag;
        out[3] = (byte) BLOCK;
        if (encrypt) {
            cipher.init(key, Cipher.MODE_ENCRYPT);
            cipher.doFinal(src, srcOff, BLOCK, out, (short) 4);
        } else {
            Util.arrayCopyNonAtomic(src, srcOff, out, (short) 4, BLOCK);
        }
        return (short) (4 + BLOCK);
    }

    /** Constant-time comparison of a block: no early exit that would leak how many bytes matched. */
    private static boolean equal(byte[] a, short aOff, byte[] b) {
        byte diff = 0;
        for (short i = 0; i < BLOCK; i++) {
            diff |= (byte) (a[(short) (aOff + i)] ^ b[i]);
        }
        return diff == 0;
    }
}
