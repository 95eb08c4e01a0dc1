package org.opencluster.auth.token.piv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The host client's encoding and its defences against a misbehaving card (scripted answers; the client's
 * behaviour against the real applet is covered by the applet and PC/SC tests).
 */
class PivClientTest {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    /** Answers from a script and records what was sent. */
    private static final class Scripted implements ApduTransport {
        final List<String> sent = new ArrayList<>();
        private final List<byte[]> answers = new ArrayList<>();

        Scripted answer(String hex) {
            answers.add(HEX.parseHex(hex));
            return this;
        }

        @Override
        public byte[] transmit(byte[] command) {
            sent.add(HEX.formatHex(command));
            return answers.isEmpty() ? HEX.parseHex("9000") : answers.remove(0);
        }
    }

    @Test
    void longDataIsSentAsCommandChain() throws Exception {
        Scripted card = new Scripted();
        new PivClient(card).putData(0x5FC105, new byte[600]);
        assertEquals(3, card.sent.size());
        assertEquals("10DB3FFFFF5C035FC10553820258", card.sent.get(0).substring(0, 28));
        assertEquals("10DB3FFFFF", card.sent.get(1).substring(0, 10));
        assertEquals("00DB3FFF", card.sent.get(2).substring(0, 8));
        int total = card.sent.stream().mapToInt(s -> s.length() / 2 - 5).sum();
        assertEquals(5 + 4 + 600, total);
    }

    @Test
    void responseChainingIsFollowed() throws Exception {
        Scripted card = new Scripted().answer("53026103").answer("AABB9000");
        assertArrayEquals(HEX.parseHex("5302AABB"), new PivClient(card).getData(0x5FC107));
        assertEquals("00C0000003", card.sent.get(1));
    }

    @Test
    void endlessResponseChainIsCutOff() {
        ApduTransport endless = c -> HEX.parseHex("00".repeat(256) + "6100");
        PivCardException e = assertThrows(PivCardException.class,
                () -> new PivClient(endless).getData(0x5FC105));
        assertEquals(PivCardError.MALFORMED_RESPONSE, e.error());
    }

    @Test
    void answersWithoutStatusWordOrWithBrokenTemplatesAreMalformed() {
        assertEquals(PivCardError.MALFORMED_RESPONSE, assertThrows(PivCardException.class,
                () -> new PivClient(c -> new byte[] {(byte) 0x90}).select()).error());
        for (String answer : new String[] {"7F49038641049000", "7F4943860104" + "9000", "7E0286009000",
                "7F49028600" + "9000", "7F498243" + "9000"}) {
            Scripted card = new Scripted().answer(answer);
            PivCardException e = assertThrows(PivCardException.class,
                    () -> new PivClient(card).generateKey(PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256));
            assertEquals(PivCardError.MALFORMED_RESPONSE, e.error(), answer);
        }
    }

    @Test
    void pointThatIsNotOnTheCurveIsRefused() {
        Scripted card = new Scripted().answer("7F494386410" + "4" + "01".repeat(64) + "9000");
        PivCardException e = assertThrows(PivCardException.class,
                () -> new PivClient(card).generateKey(PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256));
        assertEquals(PivCardError.MALFORMED_RESPONSE, e.error());
    }

    @Test
    void statusWordsMapToErrors() throws Exception {
        assertEquals(2, new PivClient(c -> HEX.parseHex("63C2")).pinTriesLeft());
        assertEquals(0, new PivClient(c -> HEX.parseHex("6983")).pinTriesLeft());
        PivCardException wrong = assertThrows(PivCardException.class,
                () -> new PivClient(c -> HEX.parseHex("63C1")).verifyPin("123456".toCharArray()));
        assertEquals(PivCardError.WRONG_PIN, wrong.error());
        assertEquals(1, wrong.triesLeft());
        assertEquals(PivCardError.BLOCKED, assertThrows(PivCardException.class,
                () -> new PivClient(c -> HEX.parseHex("6983")).verifyPin("123456".toCharArray())).error());
        assertEquals(PivCardError.NOT_FOUND, assertThrows(PivCardException.class,
                () -> new PivClient(c -> HEX.parseHex("6A82")).getData(0x5FC105)).error());
        assertEquals(PivCardError.INVALID_ARGUMENT, assertThrows(PivCardException.class,
                () -> new PivClient(c -> HEX.parseHex("9000")).verifyPin("12345".toCharArray())).error());
    }

    @Test
    void pinIsPaddedWithFf() throws Exception {
        Scripted card = new Scripted();
        new PivClient(card).verifyPin("123456".toCharArray());
        assertEquals("0020008008313233343536FFFF", card.sent.get(0));
    }
}
