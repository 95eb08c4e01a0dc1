package org.opencluster.auth.server.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogValuesTest {
    @Test
    void plainValuesStayAsTheyAre() {
        assertEquals("alice", LogValues.quote("alice"));
        assertEquals("/127.0.0.1:4711", LogValues.quote("/127.0.0.1:4711"));
        assertEquals("-", LogValues.quote(null));
        assertEquals("\"\"", LogValues.quote(""));
    }

    @Test
    void aNewlineCannotStartALineOrAField() {
        String forged = LogValues.quote("x\nevent=admin.account.disabled admin=root account=alice");
        assertEquals("\"x\\u000aevent=admin.account.disabled admin=root account=alice\"", forged);
        assertTrue(forged.chars().allMatch(c -> c >= 0x20 && c < 0x7f));
    }

    @Test
    void quotesBackslashesBidiAndNonAsciiAreEscaped() {
        assertEquals("\"a\\\"b\\\\c\"", LogValues.quote("a\"b\\c"));
        assertEquals("\"evil\\u202etxt\"", LogValues.quote("evil\u202etxt"));
        assertEquals("\"J\\u00fcrgen\"", LogValues.quote("Jürgen"));
        assertEquals("\"a b\"", LogValues.quote("a b"));
        assertEquals("\"k=v\"", LogValues.quote("k=v"));
    }
}
