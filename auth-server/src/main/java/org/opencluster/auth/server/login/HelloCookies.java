package org.opencluster.auth.server.login;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.opencluster.auth.protocol.handshake.HandshakeCommandIds;
import org.opencluster.auth.protocol.handshake.HandshakeExtensions;
import org.opencluster.auth.protocol.handshake.HandshakeLabels;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.risp.RispCommand;

/**
 * The stateless cookies of HELLO_RETRY (docs/PROTOCOL.md section 5.3.11): an HMAC over the source, the CLIENT_HELLO
 * without its cookie extension and a coarse window of a monotonic clock, under a key of this process that is
 * replaced every window (the previous window's key still verifies). Minting or checking one is a single HMAC of a
 * few hundred bytes; nothing is remembered between the retry and the second CLIENT_HELLO.
 *
 * <p>Cookie bytes: {@code u8 format (1) || u32 window || HMAC-SHA256(key[window], input)} (37 bytes), where input is
 * {@code "oca2 hello cookie" || 0x00 || u32 window || u16 len || source (UTF-8) || CLIENT_HELLO bytes without the
 * HELLO_COOKIE extension}. The window number is only a key selector: a forged one finds no key or a wrong MAC.
 */
public final class HelloCookies {
    /** Default window: a cookie lives one to two windows, plenty for one round trip. */
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(30);
    static final int FORMAT = 1;
    static final int TAG_LENGTH = 32;
    /** Length of every cookie this class mints. */
    public static final int LENGTH = 1 + 4 + TAG_LENGTH;
    private static final byte[] LABEL = "oca2 hello cookie\0".getBytes(StandardCharsets.US_ASCII);
    private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    });

    /** What a presented cookie is worth. */
    public enum Check { VALID, EXPIRED, INVALID }

    /** The keys of the current window and of the one before (null before the first rotation). */
    private record Keys(long window, SecretKeySpec current, SecretKeySpec previous) {
    }

    private final SecureRandom random;
    private final LongSupplier nanoTime;
    private final long windowNanos;
    private final long origin;
    private volatile Keys keys;

    public HelloCookies(SecureRandom random, LongSupplier nanoTime, Duration window) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("the cookie window must be positive");
        }
        this.random = random;
        this.nanoTime = nanoTime;
        this.windowNanos = window.toNanos();
        this.origin = nanoTime.getAsLong();
        this.keys = new Keys(0, newKey(), null);
    }

    public HelloCookies(SecureRandom random) {
        this(random, System::nanoTime, DEFAULT_WINDOW);
    }

    /** A cookie for this source and this CLIENT_HELLO (given without its cookie extension). */
    public byte[] mint(String source, byte[] helloWithoutCookie) {
        Keys k = current();
        byte[] cookie = new byte[LENGTH];
        ByteBuffer.wrap(cookie).put((byte) FORMAT).putInt((int) k.window());
        System.arraycopy(tag(k.current(), k.window(), source, helloWithoutCookie), 0, cookie, 5, TAG_LENGTH);
        return cookie;
    }

    /** Whether {@code cookie} was minted here, for this source and hello, in this window or the one before. */
    public Check check(byte[] cookie, String source, byte[] helloWithoutCookie) {
        if (cookie.length != LENGTH || cookie[0] != FORMAT) {
            return Check.INVALID;
        }
        Keys k = current();
        long window = ByteBuffer.wrap(cookie, 1, 4).getInt() & 0xffffffffL;
        SecretKeySpec key = window == k.window() ? k.current() : window == k.window() - 1 ? k.previous() : null;
        if (key == null) {
            // Older than the previous window (its key is gone), or from a window not yet reached (forged).
            return window < k.window() ? Check.EXPIRED : Check.INVALID;
        }
        byte[] expected = tag(key, window, source, helloWithoutCookie);
        return MessageDigest.isEqual(expected, Arrays.copyOfRange(cookie, 5, LENGTH)) ? Check.VALID : Check.INVALID;
    }

    private Keys current() {
        long window = Math.floorDiv(nanoTime.getAsLong() - origin, windowNanos) & 0xffffffffL;
        Keys k = keys;
        if (window == k.window()) {
            return k;
        }
        synchronized (this) {
            k = keys;
            if (window != k.window()) {
                // The old current key verifies one more window; anything older is forgotten.
                k = new Keys(window, newKey(), window == k.window() + 1 ? k.current() : null);
                keys = k;
            }
            return k;
        }
    }

    private SecretKeySpec newKey() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return new SecretKeySpec(b, "HmacSHA256");
    }

    private static byte[] tag(SecretKeySpec key, long window, String source, byte[] hello) {
        Mac mac = MACS.get();
        try {
            mac.init(key);
        } catch (java.security.InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
        byte[] src = source.getBytes(StandardCharsets.UTF_8);
        mac.update(LABEL);
        mac.update(ByteBuffer.allocate(6).putInt((int) window).putShort((short) Math.min(src.length, 0xffff))
                .array());
        mac.update(src, 0, Math.min(src.length, 0xffff));
        mac.update(hello);
        return mac.doFinal();
    }

    /** The data of the HELLO_COOKIE extension of a CLIENT_HELLO's EXTENSIONS (already checked well formed). */
    public static Optional<byte[]> cookieOf(byte[] extensions) {
        return HandshakeExtensions.find(extensions, HandshakeLabels.EXTENSION_HELLO_COOKIE);
    }

    /**
     * The message bytes of {@code hello} with the HELLO_COOKIE extension removed from EXTENSIONS: for a client that
     * follows section 5.3.11, exactly the first CLIENT_HELLO, which the cookie was minted over.
     */
    public static byte[] helloWithoutCookie(HandshakeMessage hello) {
        byte[] ext = hello.bytes(HandshakeCommandIds.EXTENSIONS);
        byte[] kept = HandshakeExtensions.without(ext, HandshakeLabels.EXTENSION_HELLO_COOKIE);
        if (kept == ext) {
            return hello.encode();
        }
        return HandshakeMessage.of(HandshakeCommandIds.HS_CLIENT_HELLO,
                hello.field(HandshakeCommandIds.PROTOCOL_VERSION), hello.field(HandshakeCommandIds.CLIENT_RANDOM),
                hello.field(HandshakeCommandIds.SUPPORTED_SUITES),
                RispCommand.string(HandshakeCommandIds.EXTENSIONS, kept)).encode();
    }
}
