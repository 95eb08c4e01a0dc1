package org.opencluster.auth.protocol.names;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Optional;

/**
 * The one rule for account names, used by every entry point that takes one (login, enrolment codes, admin commands,
 * the REST API, the {@code oca} command line): 1-255 bytes of well-formed UTF-8 in Unicode normalisation form C,
 * without C0 or C1 control characters, bidirectional controls or line and paragraph separators.
 *
 * <p>A name that is not NFC is refused, not normalised: normalising at one entry point and not at another would let
 * two spellings of one name become two accounts (or a lock on one spelling miss the other). Controls are refused
 * because names end up in log lines, terminals and admin listings, where a newline forges a line and a
 * right-to-left override makes {@code alice\u202Etxt.exe} read as something else.
 *
 * <p>Refusal messages say what is wrong and where (a code point and its index), never the name itself, so they are
 * safe to log and to send back.
 */
public final class AccountNames {
    /** The longest name, in UTF-8 bytes. */
    public static final int MAX_BYTES = 255;

    private AccountNames() {
    }

    /** Why {@code name} is not an account name, or empty when it is one. */
    public static Optional<String> problem(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("an account name must not be empty");
        }
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) { // only an unpaired one is returned
                return Optional.of("an account name must be well-formed Unicode (a lone surrogate at index " + i
                        + ")");
            }
            if (forbidden(cp)) {
                return Optional.of(String.format("an account name must not contain U+%04X (%s) at index %d", cp,
                        Character.isISOControl(cp) ? "a control character" : "a bidirectional control or line"
                                + " separator", i));
            }
            i += Character.charCount(cp);
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            return Optional.of("an account name must be at most " + MAX_BYTES + " UTF-8 bytes, not " + bytes);
        }
        if (!Normalizer.isNormalized(name, Normalizer.Form.NFC)) {
            return Optional.of("an account name must be in Unicode normalisation form C (NFC); it is not");
        }
        return Optional.empty();
    }

    /** {@code name} when it is an account name; otherwise {@link IllegalArgumentException} saying why. */
    public static String require(String name) {
        Optional<String> p = problem(name);
        if (p.isPresent()) {
            throw new IllegalArgumentException(p.get());
        }
        return name;
    }

    /**
     * The account name in {@code utf8} (the whole remaining buffer, which is consumed), decoded strictly: malformed
     * UTF-8 is refused, never replaced; otherwise as {@link #require}.
     */
    public static String decode(ByteBuffer utf8) {
        if (utf8.remaining() > MAX_BYTES) {
            throw new IllegalArgumentException("an account name must be at most " + MAX_BYTES + " UTF-8 bytes, not "
                    + utf8.remaining());
        }
        try {
            return require(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(utf8).toString());
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("an account name must be well-formed UTF-8", e);
        }
    }

    /** {@link #decode(ByteBuffer)} of {@code length} bytes of {@code bytes} from {@code offset}. */
    public static String decode(byte[] bytes, int offset, int length) {
        return decode(ByteBuffer.wrap(bytes, offset, length));
    }

    private static boolean forbidden(int cp) {
        return Character.isISOControl(cp) // C0, DEL and C1 (U+0085 NEL included)
                || cp == 0x061C // ARABIC LETTER MARK
                || cp == 0x200E || cp == 0x200F // LRM, RLM
                || (cp >= 0x202A && cp <= 0x202E) // LRE, RLE, PDF, LRO, RLO
                || (cp >= 0x2066 && cp <= 0x2069) // LRI, RLI, FSI, PDI
                || cp == 0x2028 || cp == 0x2029; // LINE SEPARATOR, PARAGRAPH SEPARATOR
    }
}
