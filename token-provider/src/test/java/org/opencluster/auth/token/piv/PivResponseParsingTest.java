package org.opencluster.auth.token.piv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;
import javax.smartcardio.CardException;
import jnasmartcardio.Smartcardio;
import org.junit.jupiter.api.Test;

/**
 * Pure logic of the PIV client and the PC/SC error classification, with scripted card answers (the behaviour
 * against the real card and pcscd is covered in card-applet's PivTokenTest and auth-server's card login test).
 */
class PivResponseParsingTest {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private static ApduTransport answering(byte[] data) {
        return c -> {
            byte[] r = java.util.Arrays.copyOf(data, data.length + 2);
            r[data.length] = (byte) 0x90;
            return r;
        };
    }

    private static byte[] certificateObject(byte[] cert, int info) {
        byte[] inner = concat(BerTlv.encode(0x70, cert), new byte[] {0x71, 0x01, (byte) info, (byte) 0xFE, 0x00});
        return BerTlv.encode(0x53, inner);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void certificateIsReadPlainOrGzipCompressedAndAbsentIsEmpty() throws Exception {
        byte[] cert = new byte[700];
        new java.util.Random(5).nextBytes(cert);
        assertArrayEquals(cert, new PivClient(answering(certificateObject(cert, 0)))
                .readCertificate(PivSlot.AUTHENTICATION).orElseThrow());
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(cert);
        }
        assertArrayEquals(cert, new PivClient(answering(certificateObject(gz.toByteArray(), 1)))
                .readCertificate(PivSlot.KEY_MANAGEMENT).orElseThrow());
        assertTrue(new PivClient(c -> HEX.parseHex("6A82")).readCertificate(PivSlot.AUTHENTICATION).isEmpty());
        assertTrue(new PivClient(answering(HEX.parseHex("5300"))).readCertificate(PivSlot.AUTHENTICATION).isEmpty());
    }

    @Test
    void compressionBombsAndBrokenContainersAreRefused() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(new byte[PivClient.MAX_CERTIFICATE + 1]);
        }
        assertEquals(PivCardError.MALFORMED_RESPONSE, assertThrows(PivCardException.class,
                () -> new PivClient(answering(certificateObject(gz.toByteArray(), 1)))
                        .readCertificate(PivSlot.AUTHENTICATION)).error());
        assertEquals(PivCardError.MALFORMED_RESPONSE, assertThrows(PivCardException.class,
                () -> new PivClient(answering(certificateObject(new byte[] {1, 2, 3}, 1)))
                        .readCertificate(PivSlot.AUTHENTICATION)).error(), "not gzip");
        assertEquals(PivCardError.MALFORMED_RESPONSE, assertThrows(PivCardException.class,
                () -> new PivClient(answering(HEX.parseHex("530570FF"))).readCertificate(PivSlot.AUTHENTICATION))
                .error(), "length beyond the container");
    }

    @Test
    void pivIsStillSelectedOnlyWhenTheDiscoveryObjectNamesPiv() throws Exception {
        assertTrue(new PivClient(answering(HEX.parseHex("7E124F0BA0000003080000100001005F2F024000")))
                .pivStillSelected());
        assertFalse(new PivClient(answering(HEX.parseHex("7E064F04D2760001"))).pivStillSelected());
        assertFalse(new PivClient(c -> HEX.parseHex("6A82")).pivStillSelected());
        assertFalse(new PivClient(c -> HEX.parseHex("6D00")).pivStillSelected());
        assertEquals(PivCardError.CARD_REMOVED, assertThrows(PivCardException.class, () -> new PivClient(c -> {
            throw PcscFailures.classify("test", new CardException("transmit failed",
                    new Smartcardio.JnaPCSCException(PcscFailures.SCARD_W_REMOVED_CARD, "SCARD_W_REMOVED_CARD")));
        }).pivStillSelected()).error());
    }

    @Test
    void pcscFailuresOfBothProvidersAreClassified() {
        // jnasmartcardio: numeric codes
        assertTrue(PcscFailures.isCardGone(new Smartcardio.JnaPCSCException(PcscFailures.SCARD_W_RESET_CARD, "x")));
        assertTrue(PcscFailures.isCardGone(new Smartcardio.JnaPCSCException(PcscFailures.SCARD_E_NO_SMARTCARD, "x")));
        assertFalse(PcscFailures.isCardGone(new Smartcardio.JnaPCSCException(PcscFailures.SCARD_E_NO_SERVICE, "x")));
        // the JDK: error names in nested messages, then "Card has been removed" from the handle
        assertTrue(PcscFailures.isCardGone(new CardException("transmit() failed",
                new RuntimeException("SCARD_W_REMOVED_CARD"))));
        assertTrue(PcscFailures.isCardGone(new IllegalStateException("Card has been removed")));
        assertFalse(PcscFailures.isCardGone(new CardException("SCARD_E_NOT_TRANSACTED")));
        assertEquals(PivCardError.CARD_REMOVED, PcscFailures.classify("signing",
                new IllegalStateException("Card has been removed")).error());
        PivCardException other = PcscFailures.classify("signing", new CardException("SCARD_E_NO_SERVICE"));
        assertEquals(PivCardError.TRANSPORT, other.error());
        assertTrue(other.getMessage().contains("pcscd"), other.getMessage());
    }
}
