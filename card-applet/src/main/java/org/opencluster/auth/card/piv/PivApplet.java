package org.opencluster.auth.card.piv;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.Util;
import javacard.security.RandomData;

/**
 * A PIV card application (NIST SP 800-73-4 subset): what OpenSC, yubico-piv-tool and OpenCluster's PIV token
 * use. EC P-256 / P-384 keys generated on card, 3DES management key, PIN and PUK with on-card try counters.
 *
 * <p>Written against the Java Card 3.0.x API only (no java.util, no allocation after install), so the same
 * source converts to a CAP file for a real card; jCardSim runs it unchanged.
 */
public final class PivApplet extends Applet {
    private static final byte INS_VERIFY = 0x20;
    private static final byte INS_CHANGE_REFERENCE_DATA = 0x24;
    private static final byte INS_RESET_RETRY_COUNTER = 0x2C;
    private static final byte INS_GENERATE_ASYMMETRIC = 0x47;
    private static final byte INS_GENERAL_AUTHENTICATE = (byte) 0x87;
    private static final byte INS_GET_DATA = (byte) 0xCB;
    private static final byte INS_PUT_DATA = (byte) 0xDB;
    /** YubiKey extension (yubico-piv-tool -a set-mgm-key); PIV itself has no way to change the 9B key. */
    private static final byte INS_SET_MANAGEMENT_KEY = (byte) 0xFF;

    private static final short SW_REFERENCED_DATA_NOT_FOUND = 0x6A88;

    private static final byte TAG_CONTROL_REFERENCE = (byte) 0xAC;
    private static final byte TAG_ALGORITHM = (byte) 0x80;
    private static final byte TAG_DYNAMIC_AUTH = GaTemplate.TAG_TEMPLATE;

    private final ApduIo io;
    private final PivPins pins;
    private final DataObjects objects;
    private final KeySlots keys;
    private final ManagementKey managementKey;
    private final GaTemplate template;
    private final byte[] applicationTemplate;

    private PivApplet() {
        RandomData random = RandomData.getInstance(RandomData.ALG_SECURE_RANDOM);
        io = new ApduIo();
        pins = new PivPins();
        objects = new DataObjects(random);
        keys = new KeySlots();
        managementKey = new ManagementKey(random);
        template = new GaTemplate();
        applicationTemplate = buildApplicationTemplate();
    }

    /**
     * Standard install parameters: {@code bArray[bOffset]} is the instance AID length followed by the AID.
     * An empty array (jCardSim's {@code installApplet(AID, Class)}) registers under the AID given to the
     * simulator.
     */
    public static void install(byte[] bArray, short bOffset, byte bLength) {
        PivApplet applet = new PivApplet();
        if (bLength == 0 || bArray[bOffset] == 0) {
            applet.register();
        } else {
            applet.register(bArray, (short) (bOffset + 1), bArray[bOffset]);
        }
    }

    /** 61 { 4F PIX, 79 { 4F RID }, 50 label, AC { 80 alg..., 06 00 } }: what SELECT answers. */
    private static byte[] buildApplicationTemplate() {
        byte[] label = {'O', 'p', 'e', 'n', 'C', 'l', 'u', 's', 't', 'e', 'r', ' ', 'P', 'I', 'V'};
        byte[] algorithms = {ManagementKey.ALG_3DES, KeySlots.ALG_RSA_2048, KeySlots.ALG_EC_P256,
            KeySlots.ALG_EC_P384};
        short bodyLen = (short) ((2 + 6) + (2 + 2 + 5) + (2 + label.length) + (2 + 3 * algorithms.length + 3));
        byte[] t = new byte[(short) (2 + bodyLen)];
        short off = 0;
        t[off++] = 0x61;
        t[off++] = (byte) bodyLen;
        t[off++] = 0x4F;
        t[off++] = 0x06;
        off = Util.arrayCopyNonAtomic(DataObjects.PIV_AID, (short) 5, t, off, (short) 6);
        t[off++] = 0x79;
        t[off++] = 0x07;
        t[off++] = 0x4F;
        t[off++] = 0x05;
        off = Util.arrayCopyNonAtomic(DataObjects.PIV_AID, (short) 0, t, off, (short) 5);
        t[off++] = 0x50;
        t[off++] = (byte) label.length;
        off = Util.arrayCopyNonAtomic(label, (short) 0, t, off, (short) label.length);
        t[off++] = TAG_CONTROL_REFERENCE;
        t[off++] = (byte) (3 * algorithms.length + 3);
        for (short i = 0; i < algorithms.length; i++) {
            t[off++] = TAG_ALGORITHM;
            t[off++] = 0x01;
            t[off++] = algorithms[i];
        }
        t[off++] = 0x06;
        t[off++] = 0x01;
        t[off] = 0x00;
        return t;
    }

    public boolean select() {
        clearSessionState();
        return true;
    }

    public void deselect() {
        clearSessionState();
    }

    private void clearSessionState() {
        io.reset();
        pins.resetSecurityStatus();
        managementKey.reset();
    }

    public void process(APDU apdu) {
        byte[] buf = apdu.getBuffer();
        if (selectingApplet()) {
            io.send(apdu, applicationTemplate, (short) 0, (short) applicationTemplate.length);
            return;
        }
        try {
            dispatch(apdu, buf);
            io.endCommand();
        } catch (ISOException e) {
            io.endCommand();
            throw e;
        } catch (RuntimeException e) {
            // Defence in depth: every input is validated before use, so reaching this is a bug. Fail closed
            // with a status word instead of leaving chain, response or buffers in an undefined state.
            io.reset();
            ISOException.throwIt(ISO7816.SW_UNKNOWN);
        }
    }

    private void dispatch(APDU apdu, byte[] buf) {
        if ((byte) (buf[ISO7816.OFFSET_CLA] & (byte) 0xEF) != 0) {
            io.abortChain();
            ISOException.throwIt(ISO7816.SW_CLA_NOT_SUPPORTED);
        }
        io.beginCommand(buf);
        switch (buf[ISO7816.OFFSET_INS]) {
            case ISO7816.INS_SELECT:
                // jCardSim and real cards forward a SELECT of an unknown AID to the selected applet.
                ISOException.throwIt(ISO7816.SW_FILE_NOT_FOUND);
                return;
            case ApduIo.INS_GET_RESPONSE:
                io.getResponse(apdu);
                return;
            case INS_GET_DATA:
                getData(apdu, buf);
                return;
            case INS_PUT_DATA:
                putData(apdu, buf);
                return;
            case INS_VERIFY:
                verify(apdu, buf);
                return;
            case INS_CHANGE_REFERENCE_DATA:
                changeReferenceData(apdu, buf);
                return;
            case INS_RESET_RETRY_COUNTER:
                resetRetryCounter(apdu, buf);
                return;
            case INS_GENERATE_ASYMMETRIC:
                generate(apdu, buf);
                return;
            case INS_GENERAL_AUTHENTICATE:
                generalAuthenticate(apdu, buf);
                return;
            case INS_SET_MANAGEMENT_KEY:
                setManagementKey(apdu, buf);
                return;
            default:
                ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
        }
    }

    private static void requireP1P2(byte[] buf, byte p1, byte p2) {
        if (buf[ISO7816.OFFSET_P1] != p1 || buf[ISO7816.OFFSET_P2] != p2) {
            ISOException.throwIt(ISO7816.SW_INCORRECT_P1P2);
        }
    }

    private void getData(APDU apdu, byte[] buf) {
        requireP1P2(buf, (byte) 0x3F, (byte) 0xFF);
        short len = io.receive(apdu, false);
        byte[] work = io.work();
        byte id = DataObjects.parseTagList(work, (short) 0, len);
        if ((short) (2 + work[1]) != len) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        if (DataObjects.readNeedsPin(id) && !pins.pinVerified()) {
            ISOException.throwIt(ISO7816.SW_SECURITY_STATUS_NOT_SATISFIED);
        }
        byte[] value = objects.array(id);
        io.send(apdu, value, (short) 0, objects.length(id));
    }

    private void putData(APDU apdu, byte[] buf) {
        requireP1P2(buf, (byte) 0x3F, (byte) 0xFF);
        if (!managementKey.authenticated()) {
            io.abortChain();
            ISOException.throwIt(ISO7816.SW_SECURITY_STATUS_NOT_SATISFIED);
        }
        short len = io.receive(apdu, true);
        if (len < 0) {
            return;
        }
        objects.put(io.work(), (short) 0, len);
    }

    private void verify(APDU apdu, byte[] buf) {
        byte p1 = buf[ISO7816.OFFSET_P1];
        if (p1 != 0x00 && p1 != (byte) 0xFF) {
            ISOException.throwIt(ISO7816.SW_INCORRECT_P1P2);
        }
        if (buf[ISO7816.OFFSET_P2] != PivPins.REF_PIN) {
            ISOException.throwIt(SW_REFERENCED_DATA_NOT_FOUND);
        }
        short len = io.receive(apdu, false);
        if (p1 == (byte) 0xFF) {
            if (len != 0) {
                ISOException.throwIt(ISO7816.SW_WRONG_LENGTH);
            }
            pins.resetSecurityStatus();
            return;
        }
        if (len == 0) {
            pins.status();
            return;
        }
        if (len != PivPins.PADDED_LENGTH) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        pins.verify(io.work(), (short) 0);
    }

    private void changeReferenceData(APDU apdu, byte[] buf) {
        byte ref = buf[ISO7816.OFFSET_P2];
        if (buf[ISO7816.OFFSET_P1] != 0x00) {
            ISOException.throwIt(ISO7816.SW_INCORRECT_P1P2);
        }
        if (ref != PivPins.REF_PIN && ref != PivPins.REF_PUK) {
            ISOException.throwIt(SW_REFERENCED_DATA_NOT_FOUND);
        }
        short len = io.receive(apdu, false);
        if (len != (short) (2 * PivPins.PADDED_LENGTH)) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        pins.change(ref, io.work(), (short) 0);
    }

    private void resetRetryCounter(APDU apdu, byte[] buf) {
        requireP1P2(buf, (byte) 0x00, PivPins.REF_PIN);
        short len = io.receive(apdu, false);
        if (len != (short) (2 * PivPins.PADDED_LENGTH)) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        pins.unblock(io.work(), (short) 0);
    }

    /**
     * SET MANAGEMENT KEY {@code 00 FF FF FF 1B 03 9B 18 <24-byte 3DES key>}. P2 = FE (YubiKey "touch
     * required") is refused: this applet has no touch sensor to honour it. Ends the current authentication.
     */
    private void setManagementKey(APDU apdu, byte[] buf) {
        requireP1P2(buf, (byte) 0xFF, (byte) 0xFF);
        if (!managementKey.authenticated()) {
            ISOException.throwIt(ISO7816.SW_SECURITY_STATUS_NOT_SATISFIED);
        }
        short len = io.receive(apdu, false);
        byte[] work = io.work();
        if (len != (short) (3 + 3 * ManagementKey.BLOCK)) {
            ISOException.throwIt(ISO7816.SW_WRONG_LENGTH);
        }
        if (work[0] != ManagementKey.ALG_3DES || work[1] != ManagementKey.REF
                || work[2] != (byte) (3 * ManagementKey.BLOCK)) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        managementKey.change(work, (short) 3);
    }

    /** GENERATE ASYMMETRIC KEY PAIR: {@code AC { 80 01 alg [, AA/AB policy tags, ignored] }}. */
    private void generate(APDU apdu, byte[] buf) {
        short slot = KeySlots.index(buf[ISO7816.OFFSET_P2]);
        if (buf[ISO7816.OFFSET_P1] != 0x00 || slot < 0) {
            ISOException.throwIt(ISO7816.SW_INCORRECT_P1P2);
        }
        if (!managementKey.authenticated()) {
            io.abortChain();
            ISOException.throwIt(ISO7816.SW_SECURITY_STATUS_NOT_SATISFIED);
        }
        short len = io.receive(apdu, true);
        if (len < 0) {
            return;
        }
        byte[] work = io.work();
        short pos = Tlv.expectOnly(work, (short) 0, len, TAG_CONTROL_REFERENCE);
        byte alg = 0;
        boolean algorithmSeen = false;
        while (pos < len) {
            byte tag = work[pos];
            short lenOff = (short) (pos + 1);
            short valueLen = Tlv.length(work, lenOff, len);
            short valueOff = Tlv.valueOffset(work, lenOff, len);
            if (tag == TAG_ALGORITHM) {
                if (algorithmSeen || valueLen != 1) {
                    ISOException.throwIt(ISO7816.SW_WRONG_DATA);
                }
                algorithmSeen = true;
                alg = work[valueOff];
            }
            pos = (short) (valueOff + valueLen);
        }
        if (!algorithmSeen || !KeySlots.supported(alg)) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        byte[] out = io.out();
        short outLen = keys.generate(slot, alg, out, (short) 0);
        io.markOutUsed(outLen);
        io.send(apdu, out, (short) 0, outLen);
    }

    private void generalAuthenticate(APDU apdu, byte[] buf) {
        byte alg = buf[ISO7816.OFFSET_P1];
        byte ref = buf[ISO7816.OFFSET_P2];
        short slot = KeySlots.index(ref);
        if (ref == ManagementKey.REF) {
            if (alg != ManagementKey.ALG_3DES) {
                ISOException.throwIt(ISO7816.SW_INCORRECT_P1P2);
            }
        } else if (slot < 0 || !KeySlots.supported(alg)) {
            ISOException.throwIt(ISO7816.SW_INCORRECT_P1P2);
        }
        short len = io.receive(apdu, true);
        if (len < 0) {
            return;
        }
        byte[] work = io.work();
        template.parse(work, (short) 0, len);
        byte[] out = io.out();
        short outLen;
        if (ref == ManagementKey.REF) {
            outLen = managementKey.authenticate(work, template, out);
        } else {
            outLen = useKey(slot, alg, work, len, out);
        }
        io.markOutUsed(outLen);
        if (outLen > 0) {
            io.send(apdu, out, (short) 0, outLen);
        }
    }

    /**
     * Sign (81: a hash for EC, the padded block for RSA) or ECDH (85 point, EC only) with the slot's key; answers
     * {@code 7C { 82 result }}.
     */
    private short useKey(short slot, byte alg, byte[] work, short workLen, byte[] out) {
        if (keys.algorithm(slot) == 0) {
            ISOException.throwIt(SW_REFERENCED_DATA_NOT_FOUND);
        }
        if (keys.algorithm(slot) != alg) {
            ISOException.throwIt(ISO7816.SW_INCORRECT_P1P2);
        }
        boolean sign = template.length(GaTemplate.CHALLENGE) >= 0;
        boolean derive = template.length(GaTemplate.EXPONENTIATION) >= 0;
        if (template.length(GaTemplate.RESPONSE) != 0 || sign == derive
                || template.length(GaTemplate.WITNESS) >= 0 || derive && alg == KeySlots.ALG_RSA_2048) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        checkKeyAccess(slot);
        // The result goes behind 7C L 82 L: one-byte lengths up to a 104-byte P-384 signature, three-byte
        // (82 hi lo) ones for the 256-byte RSA result.
        boolean rsa = alg == KeySlots.ALG_RSA_2048;
        short resultOff = rsa ? (short) 8 : (short) 4;
        short resultLen;
        if (rsa) {
            resultLen = keys.rawRsa(slot, work, template.offset(GaTemplate.CHALLENGE),
                    template.length(GaTemplate.CHALLENGE), out, resultOff);
        } else if (sign) {
            resultLen = keys.sign(slot, work, template.offset(GaTemplate.CHALLENGE),
                    template.length(GaTemplate.CHALLENGE), work, workLen, out, resultOff);
        } else {
            resultLen = keys.deriveSharedSecret(slot, work, template.offset(GaTemplate.EXPONENTIATION),
                    template.length(GaTemplate.EXPONENTIATION), work, workLen, out, resultOff);
        }
        io.markOutUsed((short) (resultOff + resultLen));
        short off = 0;
        out[off++] = TAG_DYNAMIC_AUTH;
        off = Tlv.writeLength(out, off, (short) (1 + Tlv.lengthSize(resultLen) + resultLen));
        out[off++] = GaTemplate.TAG_RESPONSE;
        off = Tlv.writeLength(out, off, resultLen);
        if (off != resultOff) {
            ISOException.throwIt(ISO7816.SW_UNKNOWN);
        }
        return (short) (resultOff + resultLen);
    }

    /**
     * 9E (card authentication) needs no PIN; 9C (digital signature) needs a VERIFY right before each use;
     * 9A and 9D need the PIN verified in this session.
     */
    private void checkKeyAccess(short slot) {
        byte ref = slotRef(slot);
        if (ref == KeySlots.SLOT_CARD_AUTHENTICATION) {
            return;
        }
        boolean ok = ref == KeySlots.SLOT_SIGNATURE ? pins.consumeFreshVerification() : pins.pinVerified();
        if (!ok) {
            ISOException.throwIt(ISO7816.SW_SECURITY_STATUS_NOT_SATISFIED);
        }
    }

    private static byte slotRef(short slot) {
        switch (slot) {
            case 0:
                return KeySlots.SLOT_AUTHENTICATION;
            case 1:
                return KeySlots.SLOT_SIGNATURE;
            case 2:
                return KeySlots.SLOT_KEY_MANAGEMENT;
            default:
                return KeySlots.SLOT_CARD_AUTHENTICATION;
        }
    }
}
