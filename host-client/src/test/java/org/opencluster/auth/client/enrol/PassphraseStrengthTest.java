package org.opencluster.auth.client.enrol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 item 5: the client refuses weak passphrases at enrolment and change. The review found bob's
 * {@code sunshine1} in a 40-word list in 33 s; nothing had checked it.
 */
class PassphraseStrengthTest {
    /** The review's passphrase, which the old client sealed without a word. */
    @Test
    void theReviewsCrackedPassphraseIsRefusedWithTheEstimatorsReasonAndWithoutItself() {
        PassphraseStrength.WeakPassphraseException e = assertThrows(PassphraseStrength.WeakPassphraseException.class,
                () -> PassphraseStrength.check("sunshine1".toCharArray(), PassphraseStrength.DEFAULT_MIN_SCORE,
                        List.of("bob")));
        assertTrue(e.score() < 3);
        assertTrue(e.getMessage().contains("too easy to guess") && e.getMessage().length() > 60, e.getMessage());
        assertFalse(e.getMessage().contains("sunshine"), "the message never repeats the passphrase");
    }

    @Test
    void theAccountNameCountsAsAGuess() {
        assertThrows(PassphraseStrength.WeakPassphraseException.class, () -> PassphraseStrength.check(
                "oscarwilde1987".toCharArray(), 3, List.of("oscarwilde")));
    }

    @Test
    void aLongUncommonPassphrasePassesAndTheFloorIsConfigurable() {
        assertDoesNotThrow(() -> PassphraseStrength.check("quartz lantern obeys violet tide".toCharArray(), 4,
                List.of("alice")));
        assertDoesNotThrow(() -> PassphraseStrength.check("sunshine1".toCharArray(), 0, List.of()));
        assertThrows(IllegalArgumentException.class, () -> PassphraseStrength.check(new char[1], 5, List.of()));
    }

    /** The estimator's wipe() zeroes what it measured: it must be a copy, or the envelope is sealed under zeros. */
    @Test
    void checkingLeavesTheCallersPassphraseIntact() throws Exception {
        char[] pass = "quartz lantern obeys violet tide".toCharArray();
        PassphraseStrength.check(pass, 3, List.of());
        assertArrayEquals("quartz lantern obeys violet tide".toCharArray(), pass);
    }
}
