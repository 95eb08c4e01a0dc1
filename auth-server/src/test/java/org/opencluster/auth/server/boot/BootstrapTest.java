package org.opencluster.auth.server.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import org.opencluster.auth.protocol.handshake.EnrolmentCodes;
import org.opencluster.auth.server.login.EnrolmentCodeKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.store.JdbcAccountStore;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;

class BootstrapTest {
    @TempDir
    Path dir;

    @Test
    void initIsIdempotentKeepsKeysPrivateAndTheFirstAdminCodeIsSingleUseAndOnlyTheNewestWorks() throws Exception {
        ServerConfig config = ServerConfig.defaults(dir.resolve("data"));
        Bootstrap boot = new Bootstrap(config, new ServerKeys(Pkcs11Tokens.builder().build()), Clock.systemUTC(),
                new SecureRandom());
        try (JdbcAccountStore store = Bootstrap.openStore(config)) {
            Bootstrap.Result first = boot.init(store);
            Path serverKey = ServerKeys.keyPath(config.serverKey());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(serverKey)));
            assertEquals("rw-------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(Bootstrap.decoySecretFile(config))));
            first.serverCertificate().verify(first.caCertificate().getPublicKey());
            assertTrue(store.activeEnrolmentCodes("root", Instant.now()).isEmpty(), "init alone issues no code");

            EnrolmentCodeKey codes = EnrolmentCodeKey.fromDecoySecret(Bootstrap.readDecoySecret(config),
                    new SecureRandom());
            String older = Bootstrap.issueFirstAdminCode(store, codes, Clock.systemUTC()).orElseThrow().code();
            String code = Bootstrap.issueFirstAdminCode(store, codes, Clock.systemUTC()).orElseThrow().code();
            assertTrue(code.matches("[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}"), code);

            byte[] keyBefore = Files.readAllBytes(serverKey);
            Bootstrap.Result second = boot.init(store);
            assertArrayEquals(keyBefore, Files.readAllBytes(serverKey), "keys are never regenerated");
            assertEquals(first.caCertificate(), second.caCertificate());
            assertEquals(first.httpsChain(), second.httpsChain(), "the TLS CA and HTTPS certificate are kept");

            assertFalse(store.consumeEnrolmentCode(codes.verifier(EnrolmentCodes.hash(older)),
                    Bootstrap.BOOTSTRAP_ADMIN, Instant.now()), "a newer first-admin code ends the older one");
            assertTrue(store.consumeEnrolmentCode(codes.verifier(EnrolmentCodes.hash(code.toLowerCase()
                    .replace("-", ""))), Bootstrap.BOOTSTRAP_ADMIN, Instant.now()), "case and dashes do not matter");
            assertFalse(store.consumeEnrolmentCode(codes.verifier(EnrolmentCodes.hash(code)),
                    Bootstrap.BOOTSTRAP_ADMIN, Instant.now()), "single use");

            store.createAccount("root", Account.Kind.PERSON, Account.Role.ADMIN, new byte[] {1}, null, null);
            assertTrue(Bootstrap.issueFirstAdminCode(store, codes, Clock.systemUTC()).isEmpty(),
                    "no code once an admin exists");
        }
    }

    @Test
    void aServerCertificateForAnotherKeyIsRefusedAtInit() throws Exception {
        ServerConfig config = ServerConfig.defaults(dir.resolve("data"));
        Bootstrap boot = new Bootstrap(config, new ServerKeys(Pkcs11Tokens.builder().build()), Clock.systemUTC(),
                new SecureRandom());
        try (JdbcAccountStore store = Bootstrap.openStore(config)) {
            boot.init(store);
            Files.delete(ServerKeys.keyPath(config.serverKey()));
            java.io.IOException e = assertThrows(java.io.IOException.class, () -> boot.init(store));
            assertTrue(e.getMessage().contains("certifies another key") && e.getMessage().contains("server.crt"),
                    e.getMessage());
            Files.delete(Bootstrap.serverCertificateFile(config));
            boot.init(store).serverCertificate().verify(boot.init(store).caCertificate().getPublicKey());
        }
    }

    @Test
    void aKeyFileReadableByOthersIsRefused() throws Exception {
        Path key = dir.resolve("k.pk8");
        ServerKeys.generate("keyfile:" + key, new SecureRandom());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        java.io.IOException e = assertThrows(java.io.IOException.class,
                () -> new ServerKeys(Pkcs11Tokens.builder().build()).open("x", "keyfile:" + key));
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
        assertThrows(java.io.IOException.class, () -> ServerKeys.generate("keyfile:" + key, new SecureRandom()),
                "never overwrites a key");
    }
}
