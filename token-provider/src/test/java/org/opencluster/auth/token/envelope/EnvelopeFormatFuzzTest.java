package org.opencluster.auth.token.envelope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;

/**
 * Fuzz target for the passphrase envelope format: the layer that reads an envelope before any key is derived (no
 * Argon2id per input) and the content layout read after decryption.
 *
 * <p>Byte 0 even: the rest is an envelope for {@link EnvelopeFormat#parse}; odd: a decrypted plaintext for
 * {@link EnvelopeFormat#parsePlaintext}. Contract: {@link TokenException} with {@link TokenError#ENVELOPE_CORRUPT}
 * and nothing else; what parses writes back to the same bytes (the format has one encoding per content).
 */
class EnvelopeFormatFuzzTest {

    @FuzzTest
    void parse(byte[] input) {
        if (input.length < 1) {
            return;
        }
        byte[] data = Arrays.copyOfRange(input, 1, input.length);
        try {
            if ((input[0] & 1) == 0) {
                header(data);
            } else {
                plaintext(data);
            }
        } catch (TokenException e) {
            assertEquals(TokenError.ENVELOPE_CORRUPT, e.error(), "a damaged envelope is reported as such");
        } catch (RuntimeException | Error e) {
            throw new AssertionError("only TokenException may escape the envelope parser", e);
        }
    }

    private static void header(byte[] envelope) throws TokenException {
        EnvelopeFormat.Header h = EnvelopeFormat.parse(envelope);
        byte[] header = EnvelopeFormat.writeHeader(h.kdf(), h.salt(), h.nonce(), h.account(), h.check());
        assertArrayEquals(envelope, EnvelopeFormat.assemble(header, h.ciphertext()), "parse must invert writing");
        assertArrayEquals(EnvelopeFormat.aad(header, h.ciphertext().length), h.aad(),
                "the AAD is every byte before the ciphertext");
    }

    private static void plaintext(byte[] plaintext) throws TokenException {
        EnvelopeFormat.Content c = EnvelopeFormat.parsePlaintext(plaintext);
        byte[] written = EnvelopeFormat.writePlaintext(c.pkcs8(), c.certificates());
        EnvelopeFormat.Content again = EnvelopeFormat.parsePlaintext(written);
        assertArrayEquals(c.pkcs8(), again.pkcs8());
        assertEquals(c.certificates().size(), again.certificates().size());
        for (int i = 0; i < c.certificates().size(); i++) {
            assertArrayEquals(c.certificates().get(i), again.certificates().get(i));
        }
    }
}
