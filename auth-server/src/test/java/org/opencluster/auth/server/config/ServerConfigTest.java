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

    /**
     * Issue 17 item 5: the admin listener is off unless configured; a port alone listens on loopback only, an
     * address listens there on purpose; off and port 0 turn it off (the old code refused the key as unknown).
     */
    @Test
    void theAdminListenerIsOffByDefaultAndLoopbackForAPortAlone() throws Exception {
        assertTrue(ServerConfig.defaults(dir).adminListen().isEmpty());
        Path port = Files.writeString(dir.resolve("admin.properties"), "admin.listen = 9464\n");
        java.net.InetSocketAddress a = ServerConfig.load(port).adminListen().orElseThrow();
        assertTrue(a.getAddress().isLoopbackAddress(), a.toString());
        assertEquals(9464, a.getPort());
        assertEquals(a, ServerConfig.load(port).toBuilder().build().adminListen().orElseThrow(), "kept by toBuilder");
        Path any = Files.writeString(dir.resolve("admin-any.properties"), "admin.listen = 0.0.0.0:9464\n");
        assertTrue(ServerConfig.load(any).adminListen().orElseThrow().getAddress().isAnyLocalAddress());
        for (String off : new String[] {"off", "127.0.0.1:0", "0"}) {
            Path p = Files.writeString(dir.resolve("admin-off.properties"), "admin.listen = " + off + "\n");
            assertTrue(ServerConfig.load(p).adminListen().isEmpty(), off);
        }
        Path bad = Files.writeString(dir.resolve("admin-bad.properties"), "admin.listen = loopback\n");
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.load(bad));
    }

    /**
     * proxy.trusted: off by default; address blocks (IPv4, IPv6, a bare address is one host) that decide which peers
     * must send a PROXY header; a host name, a bad prefix or a bad address is refused naming the key and the entry.
     */
    @Test
    void trustedProxiesAreOffByDefaultAndAddressBlocksOnly() throws Exception {
        assertTrue(ServerConfig.defaults(dir).trustedProxies().isEmpty());
        Path p = Files.writeString(dir.resolve("proxy.properties"),
                "proxy.trusted = 10.0.0.0/24, 192.0.2.7, 2001:db8::/64\n");
        org.opencluster.auth.server.limit.TrustedProxies t = ServerConfig.load(p).trustedProxies();
        assertEquals(t.toString(), ServerConfig.load(p).toBuilder().build().trustedProxies().toString(), "toBuilder");
        for (String in : new String[] {"10.0.0.1", "10.0.0.255", "192.0.2.7", "2001:db8::1", "2001:db8::ffff:1"}) {
            assertTrue(t.trusts(new java.net.InetSocketAddress(java.net.InetAddress.getByName(in), 1)), in);
        }
        for (String out : new String[] {"10.0.1.1", "192.0.2.8", "2001:db8:0:1::1", "127.0.0.1", "::1"}) {
            assertFalse(t.trusts(new java.net.InetSocketAddress(java.net.InetAddress.getByName(out), 1)), out);
        }
        assertTrue(ServerConfig.load(Files.writeString(dir.resolve("off.properties"), "proxy.trusted = off\n"))
                .trustedProxies().isEmpty());
        for (String bad : new String[] {"balancer.example", "10.0.0.0/33", "10.0.0.0/", "2001:db8::/129",
            "10.0.0.256", "10.0.0.1,,10.0.0.2", "10.0.0.0/-1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerConfig.load(
                    Files.writeString(dir.resolve("bad.properties"), "proxy.trusted = " + bad + "\n")), bad);
            assertTrue(e.getMessage().contains("proxy.trusted"), e::getMessage);
        }
    }

    /** login.require-oprf (issue 14): off by default, true or false only (a typo must not silently mean false). */
    @Test
    void requireOprfIsOffByDefaultAndTakesTrueOrFalseOnly() throws Exception {
        assertFalse(ServerConfig.defaults(dir).requireOprf());
        assertTrue(ServerConfig.load(Files.writeString(dir.resolve("o.properties"), "login.require-oprf = true"))
                .requireOprf());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerConfig.load(
                Files.writeString(dir.resolve("typo.properties"), "login.require-oprf = yes")));
        assertTrue(e.getMessage().contains("login.require-oprf"), e::getMessage);
    }

    @Test
    void deviceLoginLimitsAreConfigurable() throws Exception {
        ServerConfig defaults = ServerConfig.defaults(dir);
        assertEquals(5, defaults.maxDeviceFailures());
        assertEquals(Duration.ofHours(1), defaults.maxLockout());
        assertEquals(Duration.ofDays(90), defaults.deviceTokenLifetime());
        Path f = Files.writeString(dir.resolve("d.properties"), String.join("\n", "login.device-failures = 3",
                "login.max-lockout = PT2H", "login.device-token-lifetime = P30D"));
        ServerConfig c = ServerConfig.load(f);
        assertEquals(3, c.maxDeviceFailures());
        assertEquals(Duration.ofHours(2), c.maxLockout());
        assertEquals(Duration.ofDays(30), c.deviceTokenLifetime());
        assertEquals(3, c.toBuilder().build().maxDeviceFailures(), "kept by toBuilder");
        Path zero = Files.writeString(dir.resolve("e.properties"), "login.device-failures = 0\n");
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.load(zero));
    }

    /** Issue 16: a node's name and how fresh its view of the other nodes' actions must be. */
    @Test
    void clusterKeysAreConfigurableAndChecked() throws Exception {
        ServerConfig defaults = ServerConfig.defaults(dir);
        assertEquals(Duration.ofSeconds(2), defaults.clusterReread());
        assertEquals(Duration.ofSeconds(10), defaults.clusterMaxStaleness());
        assertTrue(defaults.clusterNodeId().endsWith(":4700"), defaults.clusterNodeId());
        Path f = Files.writeString(dir.resolve("c.properties"), String.join("\n", "cluster.node-id = node-2",
                "cluster.reread-interval = PT0.5S", "cluster.max-staleness = PT3S"));
        ServerConfig c = ServerConfig.load(f);
        assertEquals("node-2", c.toBuilder().build().clusterNodeId(), "kept by toBuilder");
        assertEquals(Duration.ofMillis(500), c.clusterReread());
        assertEquals(Duration.ofSeconds(3), c.clusterMaxStaleness());
        // The two timing keys in either order: the staleness limit is checked against the final interval.
        Path slowFirst = Files.writeString(dir.resolve("o.properties"), String.join("\n",
                "cluster.reread-interval = PT8S", "cluster.max-staleness = PT30S"));
        assertEquals(Duration.ofSeconds(8), ServerConfig.load(slowFirst).clusterReread());
        for (String bad : new String[] {"cluster.node-id = a b", "cluster.max-staleness = PT3S",
                "cluster.reread-interval = PT0.01S", "cluster.max-staleness = PT30S\ncluster.reread-interval = PT20S",
                "cluster.reread-interval = PT6S"}) {
            Path p = Files.writeString(dir.resolve("bad.properties"), bad + "\n");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerConfig.load(p), bad);
            assertTrue(e.getMessage().contains("cluster."), e.getMessage());
        }
    }

    /** Issue 15: the database timeouts bound how long an operation waits in an outage (the pool's default: 30 s). */
    @Test
    void databaseTimeoutsAreConfigurableAndBoundedByDefault() throws Exception {
        ServerConfig defaults = ServerConfig.defaults(dir);
        assertEquals(Duration.ofSeconds(5), defaults.dbTimeouts().connect());
        assertEquals(Duration.ofSeconds(10), defaults.dbTimeouts().statement());
        Path f = Files.writeString(dir.resolve("t.properties"), String.join("\n", "db.connect-timeout = PT2S",
                "db.statement-timeout = PT3S"));
        ServerConfig c = ServerConfig.load(f);
        assertEquals(Duration.ofSeconds(2), c.dbTimeouts().connect());
        assertEquals(Duration.ofSeconds(3), c.toBuilder().build().dbTimeouts().statement(), "kept by toBuilder");
        Path tiny = Files.writeString(dir.resolve("u.properties"), "db.connect-timeout = PT0.1S\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerConfig.load(tiny));
        assertTrue(e.getMessage().contains("db.connect-timeout"), e.getMessage());
    }

    @Test
    void httpsOriginsAreNormalisedAndOnlyHttpsOriginsAreAccepted() throws Exception {
        assertTrue(ServerConfig.defaults(dir).httpsOrigins().isEmpty(), "default: the listener's own origins");
        Path f = Files.writeString(dir.resolve("origins.properties"),
                "https.origins = HTTPS://Auth.Example:443, https://auth.example:8443\n");
        assertEquals(java.util.Set.of("https://auth.example", "https://auth.example:8443"),
                ServerConfig.load(f).httpsOrigins());
        for (String bad : new String[] {"http://auth.example", "https://auth.example/page", "auth.example",
            "https://user@auth.example"}) {
            Path p = Files.writeString(dir.resolve("bad-origin.properties"), "https.origins = " + bad + "\n");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerConfig.load(p), bad);
            assertTrue(e.getMessage().contains("https.origins"), e.getMessage());
        }
    }

    @Test
    void theThrottlesTrackedKeysAreConfigurable() throws Exception {
        assertEquals(org.opencluster.auth.server.limit.LoginThrottle.DEFAULT_MAX_TRACKED_KEYS,
                ServerConfig.defaults(dir).maxTrackedKeys());
        Path f = Files.writeString(dir.resolve("tracked.properties"), "login.max-tracked-keys = 5000\n");
        assertEquals(5000, ServerConfig.load(f).maxTrackedKeys());
        Path zero = Files.writeString(dir.resolve("tracked0.properties"), "login.max-tracked-keys = 0\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerConfig.load(zero));
        assertTrue(e.getMessage().contains("login.max-tracked-keys"), e.getMessage());
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

    /** Issue 13 item 9: the HTTPS certificate's names, defaulted from the listener, canonical, no wildcards. */
    @Test
    void httpsNamesDefaultToTheListenerAndLoopbackAndAreConfigurable() throws Exception {
        assertEquals(java.util.List.of("localhost", "127.0.0.1", "0:0:0:0:0:0:0:1"),
                ServerConfig.defaults(dir).toBuilder().httpsListen(new java.net.InetSocketAddress("0.0.0.0", 8443))
                        .build().httpsNames(), "a wildcard listener adds no name");
        assertEquals(java.util.List.of("10.1.2.3", "localhost", "127.0.0.1", "0:0:0:0:0:0:0:1"),
                ServerConfig.defaults(dir).toBuilder().httpsListen(new java.net.InetSocketAddress("10.1.2.3", 8443))
                        .build().httpsNames());
        Path f = Files.writeString(dir.resolve("names.properties"), "https.names = Auth.Example.TEST, 10.0.0.1,::1\n");
        ServerConfig c = ServerConfig.load(f);
        assertEquals(java.util.List.of("auth.example.test", "10.0.0.1", "0:0:0:0:0:0:0:1"), c.httpsNames());
        assertEquals(c.httpsNames(), c.toBuilder().build().httpsNames());
        assertEquals(c.caKey().replace("ca-key.pk8", "tls-ca-key.pk8"), c.tlsCaKey(), "beside ca.key");
        Path token = Files.writeString(dir.resolve("tls.properties"), "tls-ca.key = pkcs11:token=tls;object=ca\n");
        assertEquals("pkcs11:token=tls;object=ca", ServerConfig.load(token).tlsCaKey());
        for (String bad : new String[] {"*.example.test", "bank..example", "-x.example", "a b"}) {
            Path p = Files.writeString(dir.resolve("bad.properties"), "https.names = localhost, " + bad + "\n");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerConfig.load(p));
            assertTrue(e.getMessage().contains("https.names"), e.getMessage());
        }
    }

    /** Issue 12: what an anonymous client may cost, each key with its safe default, parsed, kept by toBuilder. */
    @Test
    void exposureLimitsHaveSafeDefaultsAndAreConfigurable() throws Exception {
        ServerConfig d = ServerConfig.defaults(dir);
        assertEquals(Duration.ofSeconds(10), d.handshakeTimeout());
        assertEquals(32, d.sourceIpv4Prefix());
        assertEquals(64, d.sourceIpv6Prefix());
        assertEquals(256, d.connectionsPerSource());
        assertEquals(16, d.handshakesPerSource());
        assertEquals(32 * 1024, d.preAuthBytesPerConnection());
        assertEquals(16L << 20, d.preAuthBytes());
        assertEquals(Duration.ofSeconds(10), d.httpsHeaderTimeout());
        assertEquals(Duration.ofSeconds(30), d.httpsBodyTimeout());
        Path f = Files.writeString(dir.resolve("exposure.properties"), String.join("\n", "handshake.timeout = PT5S",
                "source.ipv4-prefix = 24", "source.ipv6-prefix = 56", "connections.per-source = 100",
                "handshakes.per-source = 8", "preauth.max-bytes-per-connection = 20000", "preauth.max-bytes = 1000000",
                "https.header-timeout = PT4S", "https.body-timeout = PT20S"));
        ServerConfig c = ServerConfig.load(f).toBuilder().build();
        assertEquals(Duration.ofSeconds(5), c.handshakeTimeout());
        assertEquals(24, c.sourceIpv4Prefix());
        assertEquals(56, c.sourceIpv6Prefix());
        assertEquals(100, c.connectionsPerSource());
        assertEquals(8, c.handshakesPerSource());
        assertEquals(20000, c.preAuthBytesPerConnection());
        assertEquals(1000000, c.preAuthBytes());
        assertEquals(Duration.ofSeconds(4), c.httpsHeaderTimeout());
        assertEquals(Duration.ofSeconds(20), c.httpsBodyTimeout());
        for (String bad : new String[] {"source.ipv4-prefix = 33", "source.ipv6-prefix = 0", "handshake.timeout = PT0S",
                "connections.per-source = 0", "preauth.max-bytes = 100", "https.body-timeout = 30"}) {
            Path p = Files.writeString(dir.resolve("bad.properties"), bad + "\n");
            assertThrows(IllegalArgumentException.class, () -> ServerConfig.load(p), bad);
        }
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

    @Test
    void keyPolicySettingsAreReadAndChecked() throws Exception {
        assertEquals(org.opencluster.auth.server.provision.KeyPolicy.DEFAULT, ServerConfig.defaults(dir).keyPolicy());
        Path f = Files.writeString(dir.resolve("keys.properties"), "keys.allowed = P-384, Ed25519, RSA\n"
                + "keys.rsa-min-bits = 3072\n");
        org.opencluster.auth.server.provision.KeyPolicy k = ServerConfig.load(f).keyPolicy();
        assertEquals(java.util.EnumSet.of(org.opencluster.auth.server.provision.KeyPolicy.Type.P_384,
                org.opencluster.auth.server.provision.KeyPolicy.Type.ED25519,
                org.opencluster.auth.server.provision.KeyPolicy.Type.RSA), k.allowed());
        assertEquals(3072, k.rsaMinBits());
        assertEquals(k, ServerConfig.load(f).toBuilder().build().keyPolicy());
        for (String bad : new String[] {"keys.allowed = brainpoolP256r1", "keys.allowed = ,",
            "keys.rsa-min-bits = 1024", "keys.rsa-min-bits = many"}) {
            Path b = Files.writeString(dir.resolve("bad-keys.properties"), bad + "\n");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerConfig.load(b));
            assertTrue(e.getMessage().contains("'" + bad.substring(0, bad.indexOf(' ')) + "'"), e.getMessage());
        }
    }

    /** Issue 15 item 7: a relative keyfile: path was relative to the working directory; now to the data directory. */
    @Test
    void aRelativeKeyFileIsInsideTheDataDirectory(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path file = java.nio.file.Files.writeString(tmp.resolve("c.properties"),
                "data.dir=d\nserver.key=keyfile:keys/server.pk8\ntls-ca.key=keyfile:" + tmp.resolve("tls.pk8") + "\n");
        ServerConfig c = ServerConfig.load(file);
        assertEquals("keyfile:" + tmp.resolve("d/keys/server.pk8").toAbsolutePath(), c.serverKey());
        assertEquals("keyfile:" + tmp.resolve("tls.pk8"), c.tlsCaKey(), "an absolute path is taken as given");
        assertEquals(c.serverKey(), c.toBuilder().build().serverKey(), "rebuilding does not move it");
    }

    @Test
    void envelopeKdfFloorSettingsAreReadAndChecked() throws Exception {
        assertEquals(new org.opencluster.auth.token.envelope.KdfParameters(65536, 3, 1),
                ServerConfig.defaults(dir).envelopeKdfFloor(), "the default floor is the clients' sealing default");
        Path f = Files.writeString(dir.resolve("kdf.properties"), "envelope.min-memory-kib = 131072\n"
                + "envelope.min-iterations = 4\nenvelope.min-parallelism = 2\n");
        assertEquals(new org.opencluster.auth.token.envelope.KdfParameters(131072, 4, 2),
                ServerConfig.load(f).envelopeKdfFloor());
        assertEquals(ServerConfig.load(f).envelopeKdfFloor(), ServerConfig.load(f).toBuilder().build()
                .envelopeKdfFloor());
        for (String bad : new String[] {"envelope.min-memory-kib = 1024", "envelope.min-iterations = 1",
            "envelope.min-parallelism = none"}) {
            Path b = Files.writeString(dir.resolve("bad-kdf.properties"), bad + "\n");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerConfig.load(b));
            assertTrue(e.getMessage().contains("'" + bad.substring(0, bad.indexOf(' ')) + "'"), e.getMessage());
        }
    }
}
