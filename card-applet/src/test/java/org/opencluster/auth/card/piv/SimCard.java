package org.opencluster.auth.card.piv;

import java.util.Arrays;
import java.util.HexFormat;
import org.opencluster.auth.token.piv.PivClient;
import org.opencluster.auth.card.vpcd.VirtualCard;

/** A freshly installed applet in jCardSim, driven with raw hex APDUs (no pcscd involved). */
final class SimCard {
    static final HexFormat HEX = HexFormat.of().withUpperCase();

    final VirtualCard card = VirtualCard.create();
    final PivClient admin = new PivClient(card.directTransport());

    /** Raw response (data + SW) of one APDU given in hex (spaces allowed). */
    byte[] raw(String apduHex) {
        return card.transmit(HEX.parseHex(apduHex.replace(" ", "")));
    }

    int sw(String apduHex) {
        return sw(raw(apduHex));
    }

    static int sw(byte[] response) {
        return ((response[response.length - 2] & 0xFF) << 8) | (response[response.length - 1] & 0xFF);
    }

    static byte[] data(byte[] response) {
        return Arrays.copyOf(response, response.length - 2);
    }

    SimCard selected() {
        int sw = sw("00A4040009A00000030800001000");
        if (sw != 0x9000) {
            throw new AssertionError(String.format("SELECT failed: %04X", sw));
        }
        return this;
    }

    static String hex(byte[] b) {
        return HEX.formatHex(b);
    }
}
