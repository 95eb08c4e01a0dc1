package org.opencluster.auth.token.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;

class Pkcs11UriTest {
    @Test
    void parsesTheIssueExample() throws Exception {
        Pkcs11Uri uri = Pkcs11Uri.parse("pkcs11:token=svc-a;object=login-key;type=private"
                + "?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/pin");
        assertEquals(Optional.of("svc-a"), uri.tokenLabel());
        assertEquals(Optional.of("login-key"), uri.object());
        assertEquals(Optional.of("/usr/lib/softhsm/libsofthsm2.so"), uri.modulePath());
        assertEquals(Optional.of("file:/run/pin"), uri.pinSource());
        assertEquals(Optional.empty(), uri.serial());
    }

    @Test
    void percentEncodingIsDecodedAsUtf8() throws Exception {
        Pkcs11Uri uri = Pkcs11Uri.parse("pkcs11:token=My%20Token%3b%E2%9C%93;manufacturer=SoftHSM%20project");
        assertEquals(Optional.of("My Token;✓"), uri.tokenLabel());
        assertEquals(Optional.of("SoftHSM project"), uri.manufacturer());
    }

    @Test
    void selectsOnEveryGivenAttribute() throws Exception {
        CryptokiTokenInfo t = new CryptokiTokenInfo(7, "a", "SoftHSM project", "SoftHSM v2", "0123", 0);
        assertTrue(Pkcs11Uri.parse("pkcs11:token=a;serial=0123;slot-id=7").selects(t));
        assertTrue(Pkcs11Uri.parse("pkcs11:model=SoftHSM%20v2").selects(t));
        assertFalse(Pkcs11Uri.parse("pkcs11:token=a;serial=0124").selects(t));
        assertFalse(Pkcs11Uri.parse("pkcs11:slot-id=8").selects(t));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http:token=a",
            "pkcs11:token=a?pin-value=1234",
            "pkcs11:token=a;pin-value=1234",
            "pkcs11:id=",
            "pkcs11:token=a;token=b",
            "pkcs11:token=a;type=secret-key",
            "pkcs11:colour=blue",
            "pkcs11:token=a%2",
            "pkcs11:token=a%zz",
            "pkcs11:token=has space",
            "pkcs11:slot-id=-1",
            "pkcs11:token",
            "pkcs11:token=a?module-path=/x.so&module-name=x",
    })
    void refusesWhatItCannotHonour(String text) {
        TokenException e = assertThrows(TokenException.class, () -> Pkcs11Uri.parse(text));
        assertEquals(TokenError.INVALID_URI, e.error());
        assertFalse(e.getMessage().contains("1234"), "never echoes a PIN: " + e.getMessage());
    }

    @Test
    void refusesOverlongUris() {
        assertThrows(TokenException.class, () -> Pkcs11Uri.parse("pkcs11:token=" + "a".repeat(5000)));
    }
}
