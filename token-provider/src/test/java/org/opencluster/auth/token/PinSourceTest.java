package org.opencluster.auth.token;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PinSourceTest {
    @TempDir
    Path dir;

    @Test
    void fileDropsOneTrailingLineBreakOnly() throws Exception {
        Path f = Files.writeString(dir.resolve("pin"), "12 34\r\n");
        assertArrayEquals("12 34".toCharArray(), PinSource.file(f).readPin());
        Files.writeString(f, "ünï\n\n");
        assertArrayEquals("ünï\n".toCharArray(), PinSource.file(f).readPin());
    }

    @Test
    void fileProblemsArePinUnavailableWithoutContent() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertEquals(TokenError.PIN_UNAVAILABLE, assertThrows(TokenException.class,
                () -> PinSource.file(empty).readPin()).error());
        assertEquals(TokenError.PIN_UNAVAILABLE, assertThrows(TokenException.class,
                () -> PinSource.file(dir.resolve("missing")).readPin()).error());
        Path bad = Files.write(dir.resolve("bad"), new byte[] {(byte) 0xff, (byte) 0xfe});
        assertEquals(TokenError.PIN_UNAVAILABLE, assertThrows(TokenException.class,
                () -> PinSource.file(bad).readPin()).error());
        Path big = Files.writeString(dir.resolve("big"), "9".repeat(5000));
        TokenException e = assertThrows(TokenException.class, () -> PinSource.file(big).readPin());
        assertFalse(e.getMessage().contains("9999"));
    }

    @Test
    void environmentVariable() throws Exception {
        assertArrayEquals("5555".toCharArray(), PinSource.environment("OCA_TEST_USER_PIN").readPin());
        assertEquals(TokenError.PIN_UNAVAILABLE, assertThrows(TokenException.class,
                () -> PinSource.environment("OCA_DEFINITELY_UNSET_VARIABLE").readPin()).error());
    }

    @Test
    void inMemorySourceHandsOutCopiesAndToStringNeverShowsThePin() throws Exception {
        char[] pin = "2718".toCharArray();
        PinSource source = PinSource.of(pin);
        java.util.Arrays.fill(pin, '\0');
        char[] first = source.readPin();
        java.util.Arrays.fill(first, '\0');
        assertArrayEquals("2718".toCharArray(), source.readPin());
        assertFalse(source.toString().contains("2718"));
        assertFalse(PinSource.environment("OCA_TEST_USER_PIN").toString().contains("5555"));
    }

    @Test
    void parsesUriPinSources() throws Exception {
        Path f = Files.writeString(dir.resolve("p"), "4242");
        assertArrayEquals("4242".toCharArray(), PinSource.parse("file:" + f).readPin());
        assertArrayEquals("4242".toCharArray(), PinSource.parse("file://" + f).readPin());
        assertArrayEquals("4242".toCharArray(), PinSource.parse(f.toString()).readPin());
        assertArrayEquals("5555".toCharArray(), PinSource.parse("env:OCA_TEST_USER_PIN").readPin());
        assertEquals(TokenError.INVALID_URI, assertThrows(TokenException.class,
                () -> PinSource.parse("https://example.org/pin")).error());
    }

    @Test
    void promptWithoutConsoleFailsClearly() {
        // Surefire forks have no console; a service has none either.
        if (System.console() == null) {
            assertEquals(TokenError.PIN_UNAVAILABLE, assertThrows(TokenException.class,
                    () -> PinSource.prompt("PIN: ").readPin()).error());
        }
    }
}
