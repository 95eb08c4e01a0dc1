package org.opencluster.auth.server.webauthn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.server.AuthServer;
import org.opencluster.auth.server.login.LoginAccount;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.store.JdbcAccountStore;
import org.opencluster.auth.server.store.WebAuthnCredential;

/** WEBAUTHN_OPTIONS bytes as docs/PROTOCOL.md 5.5.5 shows them, and the decoy id derivation it specifies. */
class WebAuthnServiceTest {
    @TempDir
    static Path dir;
    private static JdbcAccountStore store;
    private static WebAuthnService service;
    private static final byte[] decoySecret = new byte[32];

    @BeforeAll
    static void open() {
        Arrays.fill(decoySecret, (byte) 0x5a);
        store = JdbcAccountStore.open("jdbc:h2:file:" + dir.resolve("oca").toAbsolutePath(), "sa", "");
        service = new WebAuthnService(WebAuthnSettings.defaults("localhost"), store, decoySecret, Clock.systemUTC());
    }

    @AfterAll
    static void close() {
        service.close();
        store.close();
    }

    @Test
    void optionsAreTheDocumentedBytes() {
        byte[] id = new byte[64];
        for (int i = 0; i < id.length; i++) {
            id[i] = (byte) i;
        }
        Account a = store.createSecurityKeyPerson(Account.Role.USER, new WebAuthnCredential("alice", id,
                new byte[32], new byte[] {(byte) 0xa5}, 0, "key", false, Instant.now(), Optional.empty()));
        String real = "{\"type\":\"public-key\",\"id\":"
                + "\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-Pw\"}";
        byte[] options = service.requestOptions("alice", Optional.of(AuthServer.loginView(a)));
        String json = new String(options, StandardCharsets.UTF_8);
        assertTrue(json.startsWith("{\"rpId\":\"localhost\",\"allowCredentials\":[{\"type\":\"public-key\",\"id\":\""),
                json);
        assertTrue(json.endsWith("}],\"userVerification\":\"preferred\",\"timeout\":60000}"), json);
        assertTrue(json.contains(real), "the real id is one of the list");
        assertEquals(WebAuthnService.ALLOW_CREDENTIALS, json.split("public-key").length - 1, "with three decoys");
        assertEquals(0x228, options.length, "the length the worked example shows: four 64-byte ids");
    }

    @Test
    void decoyIdIsTheDocumentedDerivation() throws Exception {
        byte[] options = service.requestOptions("nobody", Optional.empty());
        String json = new String(options, StandardCharsets.UTF_8);
        // prk = HKDF-Extract(SHA-256, 0^32, decoy_secret); id = HKDF-Expand-Label(prk, "webauthn decoy id",
        // SHA-256("nobody"), 64), recomputed here with bare HMACs.
        byte[] prk = hmac(new byte[32], decoySecret);
        byte[] label = "oca1 webauthn decoy id".getBytes(StandardCharsets.US_ASCII);
        byte[] context = MessageDigest.getInstance("SHA-256").digest("nobody".getBytes(StandardCharsets.UTF_8));
        byte[] info = new byte[2 + 1 + label.length + 1 + context.length];
        info[1] = 64;
        info[2] = (byte) label.length;
        System.arraycopy(label, 0, info, 3, label.length);
        info[3 + label.length] = (byte) context.length;
        System.arraycopy(context, 0, info, 4 + label.length, context.length);
        byte[] t1 = hmac(prk, concat(info, new byte[] {1}));
        byte[] t2 = hmac(prk, concat(t1, info, new byte[] {2}));
        assertTrue(json.contains("\"id\":\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(concat(t1, t2))
                + "\""), "decoy number 0 is in the list: " + json);
        assertArrayEquals(options, service.requestOptions("nobody", Optional.empty()), "stable per name");
        assertFalse(Arrays.equals(options, service.requestOptions("nobody2", Optional.empty())));
    }

    @Test
    void anAccountWithoutKeysGetsItsDecoyAndAnAdminsRealOptionsRequireVerification() {
        store.createAccount("keyless", Account.Kind.PERSON, Account.Role.ADMIN, new byte[] {1}, null, null);
        LoginAccount keyless = new LoginAccount("keyless", Account.Role.ADMIN, null, Optional.empty(), false);
        String decoy = new String(service.requestOptions("keyless", Optional.of(keyless)), StandardCharsets.UTF_8);
        assertEquals(new String(service.requestOptions("keyless", Optional.empty()), StandardCharsets.UTF_8), decoy,
                "a name without keys looks exactly like an unknown name");
        store.addWebAuthnCredential(new WebAuthnCredential("keyless", new byte[] {9, 9}, new byte[32],
                new byte[] {(byte) 0xa5}, 0, "key", false, Instant.now(), Optional.empty()));
        String real = new String(service.requestOptions("keyless", Optional.of(keyless)), StandardCharsets.UTF_8);
        assertEquals(true, real.contains("\"userVerification\":\"preferred\""), "never announced: " + real);
        assertEquals(decoy.length() - 86 + 3, real.length(), "a 2-byte id (3 characters) in place of a 64-byte decoy");
        assertEquals(true, real.contains("\"id\":\"CQk\""), real);
    }

    private static byte[] hmac(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }
}
