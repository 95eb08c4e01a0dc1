package org.opencluster.auth.token;

import java.io.Console;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Where a PIN (or passphrase) comes from. {@link #readPin()} returns a fresh array that the caller owns and must
 * wipe with {@code Arrays.fill(pin, '\0')} as soon as it has been used. Implementations never log the PIN and their
 * {@code toString()} only names the source.
 */
public interface PinSource {

    /** Maximum PIN length accepted from any source (PKCS#11 tokens allow at most 255). */
    int MAX_PIN_CHARS = 1024;

    /**
     * Reads the PIN.
     *
     * @throws TokenException {@link TokenError#PIN_UNAVAILABLE} when the source cannot supply one
     */
    char[] readPin() throws TokenException;

    /** Prompts on the console without echo. Fails when there is no console (e.g. a service). */
    static PinSource prompt(String prompt) {
        Objects.requireNonNull(prompt);
        return new PinSource() {
            @Override
            public char[] readPin() throws TokenException {
                Console console = System.console();
                if (console == null) {
                    throw new TokenException(TokenError.PIN_UNAVAILABLE,
                            "no console to prompt for the PIN; use pin-source=file:... or env:...");
                }
                char[] pin = console.readPassword("%s", prompt);
                if (pin == null || pin.length == 0) {
                    throw new TokenException(TokenError.PIN_UNAVAILABLE, "no PIN entered");
                }
                return pin;
            }

            @Override
            public String toString() {
                return "PinSource[prompt]";
            }
        };
    }

    /**
     * Reads the PIN from a file (UTF-8; one trailing line break is ignored). Keep the file mode 0600 or on a tmpfs
     * such as {@code /run}.
     */
    static PinSource file(Path file) {
        Objects.requireNonNull(file);
        return new PinSource() {
            @Override
            public char[] readPin() throws TokenException {
                byte[] bytes = null;
                try {
                    if (Files.size(file) > MAX_PIN_CHARS * 4L) {
                        throw new TokenException(TokenError.PIN_UNAVAILABLE, "PIN file " + file + " is too large");
                    }
                    bytes = Files.readAllBytes(file);
                    return PinSources.decode(bytes, "PIN file " + file);
                } catch (IOException e) {
                    throw new TokenException(TokenError.PIN_UNAVAILABLE,
                            "cannot read PIN file " + file + " (" + e.getClass().getSimpleName() + ")");
                } finally {
                    if (bytes != null) {
                        Arrays.fill(bytes, (byte) 0);
                    }
                }
            }

            @Override
            public String toString() {
                return "PinSource[file:" + file + "]";
            }
        };
    }

    /**
     * Reads the PIN from an environment variable. The JVM keeps environment values as immutable strings, so this
     * copy cannot be wiped; prefer a file for long-running processes.
     */
    static PinSource environment(String variable) {
        Objects.requireNonNull(variable);
        return new PinSource() {
            @Override
            public char[] readPin() throws TokenException {
                String value = System.getenv(variable);
                if (value == null || value.isEmpty()) {
                    throw new TokenException(TokenError.PIN_UNAVAILABLE,
                            "environment variable " + variable + " is not set");
                }
                if (value.length() > MAX_PIN_CHARS) {
                    throw new TokenException(TokenError.PIN_UNAVAILABLE,
                            "environment variable " + variable + " is too long for a PIN");
                }
                return value.toCharArray();
            }

            @Override
            public String toString() {
                return "PinSource[env:" + variable + "]";
            }
        };
    }

    /**
     * A PIN held in memory (tests, or a PIN obtained by other means). The array is copied; wipe your own copy.
     * Each {@link #readPin()} returns a new copy.
     */
    static PinSource of(char[] pin) {
        char[] copy = pin.clone();
        if (copy.length == 0 || copy.length > MAX_PIN_CHARS) {
            Arrays.fill(copy, '\0');
            throw new IllegalArgumentException("PIN must have 1.." + MAX_PIN_CHARS + " characters");
        }
        return new PinSource() {
            @Override
            public char[] readPin() {
                return copy.clone();
            }

            @Override
            public String toString() {
                return "PinSource[in-memory]";
            }
        };
    }

    /**
     * Parses the value of an RFC 7512 {@code pin-source} attribute: {@code file:/path} (or an absolute path),
     * {@code env:NAME}, or {@code prompt}.
     */
    static PinSource parse(String spec) throws TokenException {
        if (spec.startsWith("file:")) {
            String path = spec.substring("file:".length());
            if (path.startsWith("//")) {
                path = path.substring(2); // file:///run/pin
            }
            return file(Path.of(path));
        }
        if (spec.startsWith("/")) {
            return file(Path.of(spec));
        }
        if (spec.startsWith("env:") && spec.length() > 4) {
            return environment(spec.substring(4));
        }
        if (spec.equals("prompt")) {
            return prompt("PIN: ");
        }
        throw new TokenException(TokenError.INVALID_URI,
                "unsupported pin-source '" + spec + "'; use file:/path, env:NAME or prompt");
    }
}

/** Helpers shared by the {@link PinSource} factories. */
final class PinSources {
    private PinSources() {
    }

    static char[] decode(byte[] bytes, String what) throws TokenException {
        int end = bytes.length;
        if (end > 0 && bytes[end - 1] == '\n') {
            end--;
        }
        if (end > 0 && bytes[end - 1] == '\r') {
            end--;
        }
        if (end == 0) {
            throw new TokenException(TokenError.PIN_UNAVAILABLE, what + " is empty");
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer chars = CharBuffer.allocate(end);
        CoderResult result = decoder.decode(ByteBuffer.wrap(bytes, 0, end), chars, true);
        if (!result.isError()) {
            result = decoder.flush(chars);
        }
        if (result.isError()) {
            Arrays.fill(chars.array(), '\0');
            throw new TokenException(TokenError.PIN_UNAVAILABLE, what + " is not valid UTF-8");
        }
        char[] out = Arrays.copyOf(chars.array(), chars.position());
        Arrays.fill(chars.array(), '\0');
        if (out.length > PinSource.MAX_PIN_CHARS) {
            Arrays.fill(out, '\0');
            throw new TokenException(TokenError.PIN_UNAVAILABLE, what + " is too long for a PIN");
        }
        return out;
    }
}
