package org.opencluster.auth.client.enrol;

import com.nulabinc.zxcvbn.Feedback;
import com.nulabinc.zxcvbn.Strength;
import com.nulabinc.zxcvbn.Zxcvbn;
import java.nio.CharBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The client's check of a new passphrase (at enrolment and at a change), with the zxcvbn estimator: a passphrase
 * whose score is below the floor is refused, and the refusal says why in the estimator's words (its warning and
 * suggestions), never the passphrase itself. The server cannot make this check: it never sees the passphrase.
 */
public final class PassphraseStrength {
    /** zxcvbn's "safely unguessable: moderate protection from offline slow-hash scenario" (about 10^10 guesses). */
    public static final int DEFAULT_MIN_SCORE = 3;

    private PassphraseStrength() {
    }

    /** Why a passphrase was refused: the score and the estimator's feedback, no part of the passphrase. */
    public static final class WeakPassphraseException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int score;

        WeakPassphraseException(int score, String message) {
            super(message);
            this.score = score;
        }

        public int score() {
            return score;
        }
    }

    /**
     * Refuses {@code passphrase} when its zxcvbn score (0-4) is below {@code minScore}.
     *
     * @param context words an attacker would try first (the account name, the server's host), penalised as such
     */
    public static void check(char[] passphrase, int minScore, List<String> context) throws WeakPassphraseException {
        if (minScore < 0 || minScore > 4) {
            throw new IllegalArgumentException("the minimum passphrase score is 0..4, not " + minScore);
        }
        // A CharBuffer over a copy: no String of the passphrase stays on the heap, and Strength.wipe() zeroes the
        // characters it measured, which must not be the caller's (they are about to seal the envelope).
        char[] copy = passphrase.clone();
        Strength s = new Zxcvbn().measure(CharBuffer.wrap(copy), context);
        try {
            int score = s.getScore();
            if (score >= minScore) {
                return;
            }
            Feedback f = s.getFeedback();
            List<String> why = new ArrayList<>();
            String warning = f.getWarning(Locale.ENGLISH);
            if (warning != null && !warning.isBlank()) {
                why.add(warning);
            }
            why.addAll(f.getSuggestions(Locale.ENGLISH));
            if (why.isEmpty()) {
                why.add("Add another word or two; uncommon words are better.");
            }
            throw new WeakPassphraseException(score, "the passphrase is too easy to guess (strength " + score + " of 4,"
                    + " at least " + minScore + " needed): " + String.join(" ", why));
        } finally {
            s.wipe();
            java.util.Arrays.fill(copy, '\0');
        }
    }
}
