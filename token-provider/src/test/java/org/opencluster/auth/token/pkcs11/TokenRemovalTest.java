package org.opencluster.auth.token.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.softhsm.SoftHsmFixture;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.PinSource;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;

/**
 * Faults while a key is in use: the token's storage is deleted (reported as removed), and the token's sessions are
 * reset behind SunPKCS11's back (reported, then recovered by reopening the URI, which builds a new provider).
 *
 * <p>SoftHSM2 only scans its token directory at C_Initialize, so a deleted-then-restored directory stays invisible
 * to this process; hot-plug modules (OpenSC, YubiKey) report the re-inserted token and the same reopen applies.
 */
class TokenRemovalTest {
    private static final String PIN = "4321";
    private static SoftHsmFixture hsm;

    @BeforeAll
    static void setUp() throws Exception {
        hsm = SoftHsmSupport.fixture(TokenRemovalTest.class);
        hsm.initToken("fragile", SoftHsmSupport.SO_PIN, PIN);
        hsm.initToken("steady", SoftHsmSupport.SO_PIN, PIN);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (hsm != null) {
            hsm.close();
        }
    }

    @Test
    void deletedTokenDirectoryIsReportedAsRemoved() throws Exception {
        Pkcs11Tokens tokens = Pkcs11Tokens.builder().defaultModule(hsm.module())
                .defaultPinSource(PinSource.of(PIN.toCharArray())).build();
        try (Pkcs11Connection c = tokens.connect("pkcs11:token=fragile")) {
            c.generateKeyPair(KeyType.EC_P256, "k");
        }
        Pkcs11Token token = tokens.open("pkcs11:token=fragile;object=k");
        byte[] message = {1, 2, 3};
        assertTrue(SoftHsmSupport.verify(SignatureScheme.ECDSA_P256_SHA256, token.publicKey(), message,
                token.sign(SignatureScheme.ECDSA_P256_SHA256, message)));

        List<Path> dirs;
        try (Stream<Path> s = Files.list(hsm.tokenDir())) {
            // SoftHSM2 keeps one directory per token; its token.object holds the label
            dirs = s.filter(d -> contains(d.resolve("token.object"), "fragile")).collect(Collectors.toList());
        }
        assertEquals(1, dirs.size());
        Path tokenDir = dirs.get(0);
        Path backup = hsm.tokenDir().resolveSibling("backup-" + tokenDir.getFileName());
        Files.move(tokenDir, backup);

        TokenException e = assertThrows(TokenException.class,
                () -> token.sign(SignatureScheme.ECDSA_P256_SHA256, message));
        assertEquals(TokenError.TOKEN_REMOVED, e.error(), e.getMessage());
        // once removed, the token says so without touching the module again
        assertEquals(TokenError.TOKEN_REMOVED, assertThrows(TokenException.class,
                () -> token.sign(SignatureScheme.ECDSA_P256_SHA256, message)).error());
        token.close();
        Files.move(backup, tokenDir);
    }

    @Test
    void resetSessionsAreReportedAndReopeningBuildsAWorkingProvider() throws Exception {
        Pkcs11Tokens tokens = Pkcs11Tokens.builder().defaultModule(hsm.module())
                .defaultPinSource(PinSource.of(PIN.toCharArray())).build();
        try (Pkcs11Connection c = tokens.connect("pkcs11:token=steady")) {
            c.generateKeyPair(KeyType.EC_P384, "k");
        }
        Pkcs11Token token = tokens.open("pkcs11:token=steady;object=k");
        byte[] message = {4, 5, 6};
        token.sign(SignatureScheme.ECDSA_P384_SHA384, message);

        // What a card reset or a crashed daemon does: every session of the slot (and the login) is gone.
        closeAllSessions(hsm.module(), slotOf("steady"));

        TokenException e = assertThrows(TokenException.class,
                () -> token.sign(SignatureScheme.ECDSA_P384_SHA384, message));
        assertEquals(TokenError.TOKEN_REMOVED, e.error(), e.getMessage());
        token.close();
        try (Pkcs11Token reopened = tokens.open("pkcs11:token=steady;object=k")) {
            assertEquals(token.publicKey(), reopened.publicKey());
            assertTrue(SoftHsmSupport.verify(SignatureScheme.ECDSA_P384_SHA384, reopened.publicKey(), message,
                    reopened.sign(SignatureScheme.ECDSA_P384_SHA384, message)));
        }
    }

    private static boolean contains(Path file, String text) {
        try {
            return new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1).contains(text);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static long slotOf(String label) throws Exception {
        return CryptokiSlots.load(hsm.module()).tokens().stream().filter(t -> t.label().equals(label))
                .findFirst().orElseThrow().slotId();
    }

    private static void closeAllSessions(Path module, long slot) {
        NativeLong rv = (NativeLong) NativeLibrary.getInstance(module.toString()).getFunction("C_CloseAllSessions")
                .invoke(NativeLong.class, new Object[] {new NativeLong(slot)});
        assertEquals(0, rv.longValue());
    }
}
