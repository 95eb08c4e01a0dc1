package org.opencluster.auth.server.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.token.EncryptionScheme;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;

/**
 * The server key's back-off and reopen rules without a real token: a stand-in that fails like a removed PKCS#11
 * token while {@link #away} is set. The old server held its token as opened at start, so one removal failed every
 * later operation (issue 15, token row); these tests fail on it at the first reopen.
 */
class HealingTokenTest {
    private static final byte[] MESSAGE = {1, 2, 3};
    private final AtomicBoolean away = new AtomicBoolean();
    private final AtomicInteger opens = new AtomicInteger();
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final byte[] pkcs8 = SoftwareKeys.generatePkcs8(KeyType.EC_P256, new SecureRandom());

    /** A token on the "device": works until the device goes away; a closed one stays dead, as a provider does. */
    private Token onDevice() throws TokenException {
        SoftwareToken real = SoftwareToken.fromPkcs8("hsm/server-key", pkcs8, List.of());
        return new Token() {
            private boolean closed;

            @Override public String label() { return real.label(); }
            @Override public List<java.security.cert.X509Certificate> certificateChain() { return List.of(); }
            @Override public PublicKey publicKey() { return real.publicKey(); }
            @Override public KeyType keyType() { return real.keyType(); }

            @Override
            public byte[] sign(SignatureScheme scheme, byte[] message) throws TokenException {
                if (closed || away.get()) {
                    throw new TokenException(TokenError.TOKEN_REMOVED, "CKR_DEVICE_REMOVED");
                }
                return real.sign(scheme, message);
            }

            @Override
            public byte[] agree(PublicKey peer) throws TokenException {
                throw new TokenException(TokenError.INVALID_PEER_KEY, "not on the curve");
            }

            @Override
            public byte[] decrypt(EncryptionScheme scheme, byte[] ciphertext) throws TokenException {
                throw new TokenException(TokenError.MECHANISM_UNSUPPORTED, "no");
            }

            @Override public void close() { closed = true; }
        };
    }

    private HealingToken healing() throws TokenException {
        return new HealingToken("server", onDevice(), () -> {
            opens.incrementAndGet();
            if (away.get()) {
                throw new TokenException(TokenError.TOKEN_ABSENT, "no token matching");
            }
            return onDevice();
        }, nanos::get, Clock.systemUTC());
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    private static TokenError failure(HealingToken t) {
        return assertThrows(TokenException.class, () -> t.sign(SignatureScheme.ECDSA_P256_SHA256, MESSAGE)).error();
    }

    @Test
    void aLostTokenFailsFastReopensWithDoublingBackOffAndRecovers() throws Exception {
        HealingToken key = healing();
        key.sign(SignatureScheme.ECDSA_P256_SHA256, MESSAGE);
        away.set(true);
        assertEquals(TokenError.TOKEN_REMOVED, failure(key));
        assertEquals(TokenHealth.State.LOST, key.health().state());
        assertEquals(TokenError.TOKEN_REMOVED, key.health().lastError().orElseThrow());
        assertEquals(TokenError.TOKEN_REMOVED, failure(key));
        assertEquals(0, opens.get(), "within the first 0.5 s nothing touches the module");
        // Reopens at 0.5 s, then 1, 2, 4, 8, 16 s apart, then every 30 s.
        long[] gapsMillis = {500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000};
        for (int i = 0; i < gapsMillis.length; i++) {
            advance(Duration.ofMillis(gapsMillis[i] - 1));
            failure(key);
            assertEquals(i, opens.get(), "not yet due after " + (gapsMillis[i] - 1) + " ms");
            advance(Duration.ofMillis(1));
            failure(key);
            assertEquals(i + 1, opens.get(), "due after " + gapsMillis[i] + " ms");
        }
        away.set(false);
        advance(Duration.ofSeconds(30));
        key.sign(SignatureScheme.ECDSA_P256_SHA256, MESSAGE);
        assertEquals(TokenHealth.State.UP, key.health().state());
        assertEquals(1, key.health().recoveries());
        key.sign(SignatureScheme.ECDSA_P256_SHA256, MESSAGE);
        assertEquals(gapsMillis.length + 1, opens.get(), "once up, no more reopening");
    }

    @Test
    void errorsAboutTheRequestLeaveTheTokenUp() throws Exception {
        HealingToken key = healing();
        assertEquals(TokenError.INVALID_PEER_KEY, assertThrows(TokenException.class,
                () -> key.agree(key.publicKey())).error());
        assertEquals(TokenHealth.State.UP, key.health().state());
        key.sign(SignatureScheme.ECDSA_P256_SHA256, MESSAGE);
        assertEquals(0, opens.get());
    }

    @Test
    void aTokenThatComesBackWithAnotherKeyStaysLost() throws Exception {
        HealingToken key = new HealingToken("server", onDevice(), () -> SoftwareToken.fromPkcs8("impostor",
                SoftwareKeys.generatePkcs8(KeyType.EC_P256, new SecureRandom()), List.of()), nanos::get,
                Clock.systemUTC());
        away.set(true);
        failure(key);
        away.set(false);
        advance(Duration.ofSeconds(1));
        assertEquals(TokenError.TOKEN_REMOVED, failure(key));
        assertEquals(TokenHealth.State.LOST, key.health().state());
    }
}
