package org.opencluster.auth.protocol.names;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The account-name rule (issue 15 item 8): one validator for every entry point. */
class AccountNamesTest {
    @ParameterizedTest
    @ValueSource(strings = {"alice", "bob.smith@example", "Jürgen", "山田", "svc-backup_01", "😀"})
    void ordinaryNamesAreAccepted(String name) {
        assertEquals(name, AccountNames.require(name));
        assertTrue(AccountNames.problem(name).isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice\nevent=x", "bell\u0007", "tab\there", "del\u007f", "nel\u0085", "c1\u009b",
            "nul\u0000", "rlo\u202Etxt", "lre\u202A", "lri\u2066", "pdi\u2069", "lrm\u200E", "rlm\u200F",
            "alm\u061C", "ls\u2028", "ps\u2029", "cr\r"})
    void controlsBidiAndSeparatorsAreRefused(String name) {
        String why = assertThrows(IllegalArgumentException.class, () -> AccountNames.require(name)).getMessage();
        assertTrue(why.contains("U+"), why);
        assertFalse(why.contains(name), "the message must not echo the name: " + why);
    }

    @Test
    void aNameNotInNfcIsRefusedNotNormalised() {
        String nfd = "Jo\u0065\u0301l"; // e + COMBINING ACUTE ACCENT
        String why = assertThrows(IllegalArgumentException.class, () -> AccountNames.require(nfd)).getMessage();
        assertTrue(why.contains("NFC"), why);
        AccountNames.require("Jo\u00e9l");
    }

    @Test
    void lengthIsCountedInUtf8Bytes() {
        AccountNames.require("a".repeat(255));
        assertThrows(IllegalArgumentException.class, () -> AccountNames.require("a".repeat(256)));
        AccountNames.require("é".repeat(127)); // 254 bytes
        assertThrows(IllegalArgumentException.class, () -> AccountNames.require("é".repeat(128))); // 256 bytes
        assertThrows(IllegalArgumentException.class, () -> AccountNames.require(""));
    }

    @Test
    void aLoneSurrogateIsRefusedButAPairIsNot() {
        assertThrows(IllegalArgumentException.class, () -> AccountNames.require("a\ud800b"));
        assertThrows(IllegalArgumentException.class, () -> AccountNames.require("a\udc00"));
        AccountNames.require("\ud834\udd1e"); // U+1D11E, whose low 16 bits are not a surrogate either
        AccountNames.require(new String(Character.toChars(0x1D800))); // low 16 bits 0xD800: still one code point
    }

    @Test
    void decodingRefusesMalformedUtf8InsteadOfReplacingIt() {
        byte[] bad = {'a', (byte) 0xc3, 'b'};
        assertThrows(IllegalArgumentException.class, () -> AccountNames.decode(bad, 0, bad.length));
        byte[] overlong = {(byte) 0xc0, (byte) 0x8a}; // an overlong newline
        assertThrows(IllegalArgumentException.class, () -> AccountNames.decode(overlong, 0, overlong.length));
        byte[] good = "xxalice".getBytes(StandardCharsets.UTF_8);
        assertEquals("alice", AccountNames.decode(good, 2, good.length - 2));
        assertThrows(IllegalArgumentException.class, () -> AccountNames.decode(new byte[256], 0, 256));
    }
}
