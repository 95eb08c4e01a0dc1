package org.opencluster.auth.token.piv;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * Host side of the PIV commands: management-key authentication, on-card key generation, certificate and data
 * object reads and writes, PIN handling, and key use. The one PIV client of the project: {@link PivToken}, the
 * provisioning code and card-applet's tests all use it. Works over any
 * {@link ApduTransport} (PC/SC or the in-process simulator). Not thread-safe: one client per card session.
 */
public final class PivClient {
    private static final byte[] PIV_AID = hex("A000000308000010000100");
    private static final int SW_OK = 0x9000;
    private static final int MAX_SHORT_LC = 255;
    /** Responses are bounded: the largest PIV object this project writes is a few KB. */
    private static final int MAX_RESPONSE = 16 * 1024;
    /** Largest certificate accepted from a card (PIV containers hold at most a few KB). */
    public static final int MAX_CERTIFICATE = 8 * 1024;

    private final ApduTransport transport;

    public PivClient(ApduTransport transport) {
        this.transport = Objects.requireNonNull(transport, "transport");
    }

    /** A fresh copy of the factory management key 0102030405060708 x3 that PIV middleware and YubiKeys ship with. */
    public static byte[] defaultManagementKey() {
        byte[] key = new byte[24];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (i % 8 + 1);
        }
        return key;
    }

    /** SELECTs the PIV application and returns its application property template. */
    public byte[] select() throws PivCardException {
        return expectOk(command(0x00, 0xA4, 0x04, 0x00, PIV_AID, true), "SELECT PIV");
    }

    /**
     * Whether PIV is still the selected application, judged as OpenSC does by the discovery object (which names
     * the PIV AID). Re-SELECTing PIV makes cards forget the PIN verification, so a caller that keeps the card
     * verified SELECTs only when this says false; cards without a discovery object always answer false.
     */
    public boolean pivStillSelected() throws PivCardException {
        try {
            byte[] aid = BerTlv.elementsOf(getData(0x7E), 0x7E).get(0x4F);
            return aid != null && aid.length >= 5 && Arrays.equals(Arrays.copyOf(aid, 5), Arrays.copyOf(PIV_AID, 5));
        } catch (PivCardException e) {
            if (e.error() == PivCardError.CARD_REMOVED || e.error() == PivCardError.TRANSPORT) {
                throw e;
            }
            return false;
        }
    }

    /** Tries left before the PIN blocks, without spending one; 0 when blocked, -1 when already verified. */
    public int pinTriesLeft() throws PivCardException {
        Response r = exchange(command(0x00, 0x20, 0x00, 0x80, new byte[0], false));
        if (r.sw == SW_OK) {
            return -1;
        }
        if (r.sw == 0x6983) {
            return 0;
        }
        if ((r.sw & 0xFFF0) == 0x63C0) {
            return r.sw & 0x0F;
        }
        throw rejected("VERIFY status", r.sw);
    }

    /** VERIFY; fails with {@link PivCardError#WRONG_PIN} (tries left attached) or {@link PivCardError#BLOCKED}. */
    public void verifyPin(char[] pin) throws PivCardException {
        byte[] padded = padPin(pin);
        try {
            Response r = exchange(command(0x00, 0x20, 0x00, 0x80, padded, false));
            checkPinResult(r.sw, "PIN");
        } finally {
            Arrays.fill(padded, (byte) 0);
        }
    }

    /** VERIFY with P1=FF: the card forgets that the PIN was verified. */
    public void resetPinStatus() throws PivCardException {
        expectOk(command(0x00, 0x20, 0xFF, 0x80, new byte[0], false), "VERIFY reset");
    }

    /** CHANGE REFERENCE DATA for the PIN ({@code puk=false}) or the PUK. */
    public void changeReference(boolean puk, char[] current, char[] replacement) throws PivCardException {
        byte[] data = concatPins(current, replacement);
        try {
            Response r = exchange(command(0x00, 0x24, 0x00, puk ? 0x81 : 0x80, data, false));
            checkPinResult(r.sw, puk ? "PUK" : "PIN");
        } finally {
            Arrays.fill(data, (byte) 0);
        }
    }

    /** RESET RETRY COUNTER: unblocks the PIN with the PUK and sets a new PIN. */
    public void unblockPin(char[] puk, char[] newPin) throws PivCardException {
        byte[] data = concatPins(puk, newPin);
        try {
            Response r = exchange(command(0x00, 0x2C, 0x00, 0x80, data, false));
            checkPinResult(r.sw, "PUK");
        } finally {
            Arrays.fill(data, (byte) 0);
        }
    }

    /** 9B mutual authentication (3DES): the card proves it has the key, then the host does. */
    public void authenticateManagementKey(byte[] key) throws PivCardException {
        if (key == null || key.length != 24) {
            throw new PivCardException(PivCardError.INVALID_ARGUMENT, "the management key must be 24 bytes (3DES)");
        }
        byte[] step1 = expectOk(command(0x00, 0x87, 0x03, 0x9B, hex("7C028000"), true), "management key step 1");
        byte[] encryptedWitness = BerTlv.valueIn(step1, 0x7C, 0x80, 8);
        byte[] witness = des(key, encryptedWitness, Cipher.DECRYPT_MODE);
        byte[] challenge = new byte[8];
        new java.security.SecureRandom().nextBytes(challenge);
        byte[] step2 = new byte[22];
        step2[0] = 0x7C;
        step2[1] = 20;
        step2[2] = (byte) 0x80;
        step2[3] = 8;
        System.arraycopy(witness, 0, step2, 4, 8);
        step2[12] = (byte) 0x81;
        step2[13] = 8;
        System.arraycopy(challenge, 0, step2, 14, 8);
        Arrays.fill(witness, (byte) 0);
        Response r = exchange(command(0x00, 0x87, 0x03, 0x9B, step2, true));
        if (r.sw == 0x6982) {
            throw new PivCardException(PivCardError.SECURITY_STATUS_NOT_SATISFIED,
                    "the card rejected the management key: use the key this card was personalised with", r.sw, -1,
                    null);
        }
        if (r.sw != SW_OK) {
            throw rejected("management key step 2", r.sw);
        }
        byte[] cardProof = BerTlv.valueIn(r.data, 0x7C, 0x82, 8);
        byte[] expected = des(key, challenge, Cipher.ENCRYPT_MODE);
        if (!java.security.MessageDigest.isEqual(cardProof, expected)) {
            throw new PivCardException(PivCardError.SECURITY_STATUS_NOT_SATISFIED,
                    "the card did not prove knowledge of the management key: it is not the card you expect");
        }
    }

    /** GENERATE ASYMMETRIC KEY PAIR in {@code slot} for an EC algorithm; returns the new public key. */
    public ECPublicKey generateKey(PivSlot slot, PivAlgorithm algorithm) throws PivCardException {
        if (algorithm.isRsa()) {
            throw new PivCardException(PivCardError.INVALID_ARGUMENT, "use generate(...) for RSA keys");
        }
        return (ECPublicKey) generate(slot, algorithm);
    }

    /**
     * GENERATE ASYMMETRIC KEY PAIR in {@code slot}; returns the new public key ({@code 7F49 { 86 point }} for EC,
     * {@code 7F49 { 81 modulus, 82 exponent }} for RSA).
     */
    public java.security.PublicKey generate(PivSlot slot, PivAlgorithm algorithm) throws PivCardException {
        byte[] data = {(byte) 0xAC, 0x03, (byte) 0x80, 0x01, (byte) algorithm.id()};
        byte[] r = expectOk(command(0x00, 0x47, 0x00, slot.keyReference(), data, true), "GENERATE");
        if (!algorithm.isRsa()) {
            byte[] point = BerTlv.valueIn(r, 0x7F49, 0x86, 1 + 2 * algorithm.fieldBytes());
            return EcPoints.publicKey(algorithm, point);
        }
        java.util.Map<Integer, byte[]> e = BerTlv.elementsOf(r, 0x7F49);
        byte[] modulus = e.get(0x81);
        byte[] exponent = e.get(0x82);
        if (modulus == null || exponent == null || exponent.length > 8) {
            throw new PivCardException(PivCardError.MALFORMED_RESPONSE, "GENERATE: no RSA modulus and exponent");
        }
        java.math.BigInteger n = new java.math.BigInteger(1, modulus);
        if (n.bitLength() != 8 * algorithm.fieldBytes()) {
            throw new PivCardException(PivCardError.MALFORMED_RESPONSE, "GENERATE: a " + n.bitLength()
                    + "-bit modulus for " + algorithm);
        }
        try {
            return java.security.KeyFactory.getInstance("RSA").generatePublic(
                    new java.security.spec.RSAPublicKeySpec(n, new java.math.BigInteger(1, exponent)));
        } catch (GeneralSecurityException ex) {
            throw new PivCardException(PivCardError.MALFORMED_RESPONSE, "GENERATE: the RSA key does not decode",
                    -1, -1, ex);
        }
    }

    /** PUT DATA of {@code 53 { value }} under {@code tag} (5FC1xx); needs management-key authentication. */
    public void putData(int tag, byte[] value) throws PivCardException {
        byte[] container = BerTlv.encode(0x53, value);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.write(0x5C);
        data.write(3);
        data.write(tag >> 16);
        data.write(tag >> 8);
        data.write(tag);
        data.writeBytes(container);
        expectOk(command(0x00, 0xDB, 0x3F, 0xFF, data.toByteArray(), false), "PUT DATA");
    }

    /** Writes {@code certificateDer} as the slot's certificate object {@code 70 cert, 71 00 (not compressed), FE}. */
    public void putCertificate(PivSlot slot, byte[] certificateDer) throws PivCardException {
        ByteArrayOutputStream value = new ByteArrayOutputStream();
        value.writeBytes(BerTlv.encode(0x70, certificateDer));
        value.writeBytes(new byte[] {0x71, 0x01, 0x00, (byte) 0xFE, 0x00});
        putData(slot.certificateTag(), value.toByteArray());
    }

    /** GET DATA: the whole object template as stored (usually {@code 53 L V}). */
    public byte[] getData(int tag) throws PivCardException {
        byte[] list = tag == 0x7E ? new byte[] {0x5C, 0x01, 0x7E}
                : new byte[] {0x5C, 0x03, (byte) (tag >> 16), (byte) (tag >> 8), (byte) tag};
        return expectOk(command(0x00, 0xCB, 0x3F, 0xFF, list, true), "GET DATA");
    }

    /**
     * The DER certificate stored for {@code slot} ({@code 53 { 70 cert, 71 info, FE }}), empty when the slot has
     * none. Certificates stored gzip-compressed (info bit 0, as {@code yubico-piv-tool --compress} writes them)
     * are inflated, to at most {@link #MAX_CERTIFICATE} bytes.
     */
    public java.util.Optional<byte[]> readCertificate(PivSlot slot) throws PivCardException {
        byte[] object;
        try {
            object = getData(slot.certificateTag());
        } catch (PivCardException e) {
            if (e.error() == PivCardError.NOT_FOUND) {
                return java.util.Optional.empty();
            }
            throw e;
        }
        java.util.Map<Integer, byte[]> elements = BerTlv.elementsOf(object, 0x53);
        byte[] cert = elements.get(0x70);
        if (cert == null || cert.length == 0) {
            return java.util.Optional.empty();
        }
        byte[] info = elements.get(0x71);
        if (info != null && info.length == 1 && (info[0] & 0x01) != 0) {
            cert = gunzip(cert);
        }
        if (cert.length > MAX_CERTIFICATE) {
            throw new PivCardException(PivCardError.MALFORMED_RESPONSE,
                    "the certificate in slot " + slot.hex() + " is larger than " + MAX_CERTIFICATE + " bytes");
        }
        return java.util.Optional.of(cert);
    }

    private static byte[] gunzip(byte[] compressed) throws PivCardException {
        try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(
                new java.io.ByteArrayInputStream(compressed))) {
            byte[] out = in.readNBytes(MAX_CERTIFICATE + 1);
            if (out.length > MAX_CERTIFICATE) {
                throw new PivCardException(PivCardError.MALFORMED_RESPONSE,
                        "a compressed certificate inflates to more than " + MAX_CERTIFICATE + " bytes");
            }
            return out;
        } catch (java.io.IOException e) {
            throw new PivCardException(PivCardError.MALFORMED_RESPONSE, "a compressed certificate does not inflate",
                    -1, -1, e);
        }
    }

    /**
     * The slot's private-key operation on {@code hash}: ECDSA over a host-computed hash (returns the DER
     * signature), or for RSA the raw operation on one block the host padded (returns the block).
     */
    public byte[] sign(PivSlot slot, PivAlgorithm algorithm, byte[] hash) throws PivCardException {
        byte[] inner = concat(new byte[] {(byte) 0x82, 0x00}, BerTlv.encode(0x81, hash));
        byte[] r = expectOk(command(0x00, 0x87, algorithm.id(), slot.keyReference(), BerTlv.encode(0x7C, inner), true),
                "GENERAL AUTHENTICATE sign");
        return BerTlv.valueIn(r, 0x7C, 0x82, -1);
    }

    /** ECDH with the peer's public key; returns the shared X coordinate. */
    public byte[] deriveSharedSecret(PivSlot slot, PivAlgorithm algorithm, ECPublicKey peer) throws PivCardException {
        byte[] point = EcPoints.encode(peer, algorithm.fieldBytes());
        byte[] inner = concat(new byte[] {(byte) 0x82, 0x00}, BerTlv.encode(0x85, point));
        byte[] r = expectOk(command(0x00, 0x87, algorithm.id(), slot.keyReference(), BerTlv.encode(0x7C, inner), true),
                "GENERAL AUTHENTICATE ECDH");
        return BerTlv.valueIn(r, 0x7C, 0x82, algorithm.fieldBytes());
    }

    /**
     * The card's serial, for choosing among several cards: a YubiKey's own serial number in decimal (its GET SERIAL
     * instruction, {@code 00 F8 00 00}), otherwise the CHUID's GUID (tag 34) as 32 lower-case hex digits, which is
     * also what OpenSC derives its token serial from. Empty when the card has neither. Call with PIV selected.
     */
    public java.util.Optional<String> serial() throws PivCardException {
        Response yubico = exchange(command(0x00, 0xF8, 0x00, 0x00, new byte[0], true));
        if (yubico.sw == SW_OK && yubico.data.length == 4) {
            return java.util.Optional.of(Long.toString(java.nio.ByteBuffer.wrap(yubico.data).getInt() & 0xFFFFFFFFL));
        }
        byte[] chuid;
        try {
            chuid = getData(0x5FC102);
        } catch (PivCardException e) {
            if (e.error() == PivCardError.NOT_FOUND) {
                return java.util.Optional.empty();
            }
            throw e;
        }
        byte[] guid = BerTlv.elementsOf(chuid, 0x53).get(0x34);
        boolean usable = guid != null && guid.length == 16 && !Arrays.equals(guid, new byte[16]);
        return usable ? java.util.Optional.of(java.util.HexFormat.of().formatHex(guid)) : java.util.Optional.empty();
    }

    // ---- encoding helpers -------------------------------------------------------------------------------------

    /** Builds short APDUs; data above 255 bytes is sent as a command chain (CLA 0x10 on all but the last). */
    private static byte[][] command(int cla, int ins, int p1, int p2, byte[] data, boolean expectData) {
        int chunks = Math.max(1, (data.length + MAX_SHORT_LC - 1) / MAX_SHORT_LC);
        byte[][] apdus = new byte[chunks][];
        for (int i = 0; i < chunks; i++) {
            int off = i * MAX_SHORT_LC;
            int len = Math.min(MAX_SHORT_LC, data.length - off);
            boolean last = i == chunks - 1;
            ByteArrayOutputStream a = new ByteArrayOutputStream();
            a.write(last ? cla : cla | 0x10);
            a.write(ins);
            a.write(p1);
            a.write(p2);
            if (len > 0) {
                a.write(len);
                a.write(data, off, len);
            }
            if (last && expectData) {
                a.write(0x00);
            }
            apdus[i] = a.toByteArray();
        }
        return apdus;
    }

    private record Response(byte[] data, int sw) {
    }

    /** Sends a chain and collects a response, following 61xx with GET RESPONSE. */
    private Response exchange(byte[][] chain) throws PivCardException {
        for (int i = 0; i < chain.length - 1; i++) {
            byte[] r = transmit(chain[i]);
            int sw = sw(r);
            if (sw != SW_OK) {
                return new Response(new byte[0], sw);
            }
        }
        byte[] r = transmit(chain[chain.length - 1]);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        while (true) {
            data.write(r, 0, r.length - 2);
            int sw = sw(r);
            if ((sw & 0xFF00) != 0x6100) {
                return new Response(data.toByteArray(), sw);
            }
            if (data.size() > MAX_RESPONSE) {
                throw new PivCardException(PivCardError.MALFORMED_RESPONSE,
                        "the card's response exceeds " + MAX_RESPONSE + " bytes");
            }
            r = transmit(new byte[] {0x00, (byte) 0xC0, 0x00, 0x00, (byte) (sw & 0xFF)});
        }
    }

    private byte[] transmit(byte[] apdu) throws PivCardException {
        byte[] r = transport.transmit(apdu);
        if (r == null || r.length < 2) {
            throw new PivCardException(PivCardError.MALFORMED_RESPONSE, "the card answered without a status word");
        }
        return r;
    }

    private static int sw(byte[] r) {
        return ((r[r.length - 2] & 0xFF) << 8) | (r[r.length - 1] & 0xFF);
    }

    private byte[] expectOk(byte[][] chain, String what) throws PivCardException {
        Response r = exchange(chain);
        if (r.sw != SW_OK) {
            throw rejected(what, r.sw);
        }
        return r.data;
    }

    private static PivCardException rejected(String what, int sw) {
        PivCardError error = switch (sw) {
            case 0x6982 -> PivCardError.SECURITY_STATUS_NOT_SATISFIED;
            case 0x6983 -> PivCardError.BLOCKED;
            case 0x6A82, 0x6A88 -> PivCardError.NOT_FOUND;
            default -> PivCardError.REJECTED;
        };
        String hint = switch (error) {
            case SECURITY_STATUS_NOT_SATISFIED -> ": verify the PIN or authenticate with the management key first";
            case BLOCKED -> ": the try counter is exhausted";
            case NOT_FOUND -> ": the card has no such object or key";
            default -> "";
        };
        return new PivCardException(error, String.format("%s failed with status %04X%s", what, sw, hint), sw, -1,
                null);
    }

    private static void checkPinResult(int sw, String which) throws PivCardException {
        if (sw == SW_OK) {
            return;
        }
        if ((sw & 0xFFF0) == 0x63C0) {
            int left = sw & 0x0F;
            throw new PivCardException(left == 0 ? PivCardError.BLOCKED : PivCardError.WRONG_PIN,
                    "wrong " + which + ", " + left + " tries left", sw, left, null);
        }
        if (sw == 0x6983) {
            throw new PivCardException(PivCardError.BLOCKED, which + " is blocked"
                    + (which.equals("PIN") ? ": unblock it with the PUK" : ": reset the PIV application"), sw, 0, null);
        }
        throw rejected(which + " check", sw);
    }

    /** PIN/PUK as 6..8 ASCII characters padded with FF to 8 bytes. */
    private static byte[] padPin(char[] pin) throws PivCardException {
        if (pin == null || pin.length < 6 || pin.length > 8) {
            throw new PivCardException(PivCardError.INVALID_ARGUMENT, "a PIV PIN or PUK has 6 to 8 characters");
        }
        byte[] padded = new byte[8];
        Arrays.fill(padded, (byte) 0xFF);
        for (int i = 0; i < pin.length; i++) {
            if (pin[i] < 0x20 || pin[i] > 0x7E) {
                Arrays.fill(padded, (byte) 0);
                throw new PivCardException(PivCardError.INVALID_ARGUMENT, "a PIV PIN or PUK must be printable ASCII");
            }
            padded[i] = (byte) pin[i];
        }
        return padded;
    }

    private static byte[] concatPins(char[] a, char[] b) throws PivCardException {
        byte[] pa = padPin(a);
        byte[] pb = padPin(b);
        byte[] both = concat(pa, pb);
        Arrays.fill(pa, (byte) 0);
        Arrays.fill(pb, (byte) 0);
        return both;
    }

    private static byte[] des(byte[] key, byte[] block, int mode) throws PivCardException {
        try {
            Cipher c = Cipher.getInstance("DESede/ECB/NoPadding");
            c.init(mode, new SecretKeySpec(key, "DESede"));
            return c.doFinal(block);
        } catch (GeneralSecurityException e) {
            throw new PivCardException(PivCardError.INVALID_ARGUMENT, "3DES is unavailable in this JVM", -1, -1, e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static byte[] hex(String s) {
        return java.util.HexFormat.of().parseHex(s);
    }
}
