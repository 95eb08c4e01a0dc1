package org.opencluster.auth.server.limit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import org.opencluster.auth.protocol.handshake.HandshakeLabels;
import org.opencluster.auth.protocol.suite.HashAlgorithm;
import org.opencluster.auth.protocol.suite.Hkdf;

/**
 * Device tokens (docs/PROTOCOL.md section 5.14): after a successful login the server gives the client a token that
 * names its device for that account, MACed with a key only the server has. Presenting it later exempts the device
 * from the account-wide lock (it has its own limit).
 *
 * <p>Layout, 41 bytes: {@code u8 version (1) || 16-byte device id || u64 issue time (Unix seconds, big-endian) ||
 * first 16 bytes of HMAC-SHA256(key, version || device id || issue time || UTF-8 account name)}. The key is
 * HKDF-Expand-Label(HKDF-Extract(zero salt, decoy secret), "device token key", "", 32) with SHA-256, so no new secret
 * file is needed and the key cannot collide with any other use of the decoy secret.
 *
 * <p>The issue time is wall-clock on purpose: a token's age must survive restarts, which a monotonic clock cannot
 * measure. A token from the future (beyond a 5-minute skew) or older than the lifetime is not valid.
 */
public final class DeviceTokens {
    public static final int VERSION = 1;
    public static final int DEVICE_ID_LENGTH = 16;
    public static final int MAC_LENGTH = 16;
    public static final int LENGTH = 1 + DEVICE_ID_LENGTH + 8 + MAC_LENGTH;
    private static final long SKEW_SECONDS = 300;

    private final byte[] key;
    private final Clock wallClock;
    private final long lifetimeSeconds;
    private final SecureRandom random;

    private DeviceTokens(byte[] key, Clock wallClock, Duration lifetime, SecureRandom random) {
        this.key = key;
        this.wallClock = Objects.requireNonNull(wallClock);
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("the device token lifetime must be positive");
        }
        this.lifetimeSeconds = lifetime.toSeconds();
        this.random = Objects.requireNonNull(random);
    }

    /** Tokens keyed from the server's decoy secret: they stay valid across restarts. */
    public static DeviceTokens fromDecoySecret(byte[] decoySecret, Clock wallClock, Duration lifetime,
            SecureRandom random) {
        byte[] prk = Hkdf.extract(HashAlgorithm.SHA256, new byte[0], decoySecret);
        try {
            return new DeviceTokens(Hkdf.expandLabel(HashAlgorithm.SHA256, prk, HandshakeLabels.DEVICE_TOKEN_KEY,
                    new byte[0], 32), wallClock, lifetime, random);
        } finally {
            Arrays.fill(prk, (byte) 0);
        }
    }

    /** Tokens under a random key: valid for the life of this object (tests, embedded throttles). */
    public static DeviceTokens ephemeral() {
        SecureRandom random = new SecureRandom();
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        return fromDecoySecret(secret, Clock.systemUTC(), Duration.ofDays(90), random);
    }

    /**
     * The device id (hex) of {@code token} when it is a valid, unexpired token for {@code account}; empty otherwise
     * (any length, version or MAC mismatch: the caller treats the device as unknown).
     */
    public Optional<String> verify(byte[] token, String account) {
        if (token.length != LENGTH || token[0] != VERSION) {
            return Optional.empty();
        }
        byte[] body = Arrays.copyOf(token, LENGTH - MAC_LENGTH);
        byte[] mac = Arrays.copyOfRange(token, LENGTH - MAC_LENGTH, LENGTH);
        boolean macOk = MessageDigest.isEqual(mac(body, account), mac);
        long issued = ByteBuffer.wrap(token, 1 + DEVICE_ID_LENGTH, 8).getLong();
        long now = wallClock.instant().getEpochSecond();
        boolean fresh = issued - now <= SKEW_SECONDS && now - issued < lifetimeSeconds;
        if (!macOk || !fresh) {
            return Optional.empty();
        }
        return Optional.of(HexFormat.of().formatHex(token, 1, 1 + DEVICE_ID_LENGTH));
    }

    /** A token for {@code account}: the same device id when the device is known, a new random one otherwise. */
    public byte[] issue(String account, Optional<String> deviceId) {
        byte[] id = deviceId.map(h -> HexFormat.of().parseHex(h)).orElseGet(() -> {
            byte[] fresh = new byte[DEVICE_ID_LENGTH];
            random.nextBytes(fresh);
            return fresh;
        });
        ByteBuffer body = ByteBuffer.allocate(LENGTH - MAC_LENGTH).put((byte) VERSION).put(id)
                .putLong(wallClock.instant().getEpochSecond());
        byte[] b = body.array();
        return ByteBuffer.allocate(LENGTH).put(b).put(mac(b, account)).array();
    }

    private byte[] mac(byte[] body, String account) {
        byte[] name = account.getBytes(StandardCharsets.UTF_8);
        byte[] input = ByteBuffer.allocate(body.length + name.length).put(body).put(name).array();
        return Arrays.copyOf(Hkdf.hmac(HashAlgorithm.SHA256, key, input), MAC_LENGTH);
    }
}
