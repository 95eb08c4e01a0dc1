package org.opencluster.auth.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAreSafe() {
        ServerConfig c = ServerConfig.defaults(dir);
        assertTrue(c.listen().getAddress().isLoopbackAddress(), "loopback only by default");
        assertTrue(c.dbUrl().startsWith("jdbc:h2:file:"));
        assertTrue(c.serverKey().startsWith("keyfile:"));
        assertEquals(Duration.ofMinutes(5), c.idleTimeout());
    }

    @Test
    void fileValuesAreParsedAndPasswordsNeverPrinted() throws Exception {
        Path f = Files.writeString(dir.resolve("oca-server.properties"), String.join("\n",
                "listen = 0.0.0.0:4800", "data.dir = state", "session.idle = PT30S", "login.max-account-failures = 3",
                "db.url = jdbc:postgresql://db/oca", "db.password = s3cret", "server.key = pkcs11:token=srv"));
        ServerConfig c = ServerConfig.load(f);
        assertEquals(4800, c.listen().getPort());
        assertEquals(dir.resolve("state"), c.dataDir());
        assertEquals(Duration.ofSeconds(30), c.idleTimeout());
        assertEquals(3, c.maxAccountFailures());
        assertEquals("pkcs11:token=srv", c.serverKey());
        assertFalse(c.toString().contains("s3cret"));
    }

    @Test
    void typosAndBadValuesAreRefusedWithTheKeyNamed() throws Exception {
        Path typo = Files.writeString(dir.resolve("a.properties"), "sesion.idle = PT1M\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerConfig.load(typo));
        assertTrue(e.getMessage().contains("unknown key 'sesion.idle'"), e.getMessage());
        Path bad = Files.writeString(dir.resolve("b.properties"), "session.idle = 5 minutes\n");
        e = assertThrows(IllegalArgumentException.class, () -> ServerConfig.load(bad));
        assertTrue(e.getMessage().contains("'session.idle'") && e.getMessage().contains("PT5M"), e.getMessage());
        Path negative = Files.writeString(dir.resolve("c.properties"), "session.idle = PT-5M\n");
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.load(negative));
    }

    @Test
    void webAuthnRelyingPartyIsConfigurable() throws Exception {
        ServerConfig defaults = ServerConfig.defaults(dir);
        assertEquals("localhost", defaults.webAuthnRpId());
        assertTrue(defaults.webAuthnOrigins().isEmpty(), "no origins configured: https://<rp id> on any port");
        Path f = Files.writeString(dir.resolve("webauthn.properties"),
                "webauthn.rp-id = auth.example\nwebauthn.origins = https://auth.example, https://auth.example:8443\n");
        ServerConfig c = ServerConfig.load(f);
        assertEquals("auth.example", c.webAuthnRpId());
        assertEquals(java.util.Set.of("https://auth.example", "https://auth.example:8443"), c.webAuthnOrigins());
        assertEquals(c.webAuthnOrigins(), c.toBuilder().build().webAuthnOrigins());
        Path empty = Files.writeString(dir.resolve("empty-rp.properties"), "webauthn.rp-id =\n");
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.load(empty));
    }

    @Test
    void helloCookieSettingsAreReadAndChecked() throws Exception {
        org.opencluster.auth.server.login.HelloGate.Settings d = ServerConfig.defaults(dir).hello();
        assertEquals(org.opencluster.auth.server.login.HelloGate.Mode.AUTO, d.mode());
        assertEquals(100, d.perSourceRate());
        assertEquals(500, d.loadThreshold());
        Path f = Files.writeString(dir.resolve("hello.properties"),
                "hello.cookies = always\nhello.per-source-rate = 7\nhello.load-threshold = 40\n");
        org.opencluster.auth.server.login.HelloGate.Settings h = ServerConfig.load(f).hello();
        assertEquals(new org.opencluster.auth.server.login.HelloGate.Settings(
                org.opencluster.auth.server.login.HelloGate.Mode.ALWAYS, 7, 40), h);
        assertEquals(h, ServerConfig.load(f).toBuilder().build().hello());
        for (String bad : new String[] {"hello.cookies = sometimes", "hello.per-source-rate = 0",
            "hello.load-threshold = many"}) {
            Path b = Files.writeString(dir.resolve("bad-hello.properties"), bad + "\n");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerConfig.load(b));
            assertTrue(e.getMessage().contains("'" + bad.substring(0, bad.indexOf(' ')) + "'"), e.getMessage());
        }
    }
}
