package org.opencluster.auth.server.login;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import org.opencluster.auth.protocol.handshake.HandshakeCommandIds;
import org.opencluster.auth.protocol.handshake.HandshakeExtensions;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.HandshakeLabels;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.risp.RispCommand;

/**
 * Fuzz targets for what the server reads out of a client's EXTENSIONS field before any key generation: the layout
 * check and lookups of {@link HandshakeExtensions} (the one parser of both sides), and the HELLO_COOKIE round of
 * section 5.3.11 ({@link HelloCookies}).
 *
 * <p>{@code extensions}: the input is an EXTENSIONS field. Contract: {@link HandshakeExtensions#check} throws only
 * {@link HandshakeException}; on a list it accepts, the flags say exactly whether ENROLMENT and WEBAUTHN are present,
 * {@code find} and {@code without} never throw, and the list without a type is still accepted, has lost exactly
 * that extension and nothing else.
 *
 * <p>{@code helloCookie}: the input is the EXTENSIONS field of a CLIENT_HELLO (whatever cookie it carries). Contract:
 * on a list {@code check} accepts, {@link HelloCookies#check} of the carried cookie never throws and is never VALID
 * (nobody minted it; forging is the attack), and a cookie minted for the hello without its cookie is VALID when the
 * same source sends the hello again carrying it (what a client does after HELLO_RETRY) and INVALID from another
 * source.
 */
class ClientHelloFuzzTest {
    private static final int[] KNOWN_TYPES = {HandshakeLabels.EXTENSION_ENROLMENT, HandshakeLabels.EXTENSION_WEBAUTHN,
        HandshakeLabels.EXTENSION_DEVICE_TOKEN, HandshakeLabels.EXTENSION_HELLO_COOKIE};
    /** A frozen clock: the fuzzer's cookies are all of window 0 (expiry is HelloCookiesTest's business). */
    private static final HelloCookies COOKIES = new HelloCookies(new SecureRandom(), () -> 0L, Duration.ofSeconds(30));
    private static final String SOURCE = "203.0.113.7";

    @FuzzTest
    void extensions(byte[] ext) {
        int flags;
        try {
            flags = HandshakeExtensions.check(ext);
        } catch (HandshakeException refused) {
            return;
        } catch (RuntimeException | Error e) {
            throw new AssertionError("only HandshakeException may escape HandshakeExtensions.check", e);
        }
        assertEquals((flags & HandshakeExtensions.ENROLMENT_REQUESTED) != 0,
                HandshakeExtensions.find(ext, HandshakeLabels.EXTENSION_ENROLMENT).isPresent());
        assertEquals((flags & HandshakeExtensions.WEBAUTHN_REQUESTED) != 0,
                HandshakeExtensions.find(ext, HandshakeLabels.EXTENSION_WEBAUTHN).isPresent());
        for (int type : KNOWN_TYPES) {
            Optional<byte[]> data = HandshakeExtensions.find(ext, type);
            byte[] rest = HandshakeExtensions.without(ext, type);
            assertEquals(ext.length - data.map(d -> 4 + d.length).orElse(0), rest.length);
            assertTrue(HandshakeExtensions.find(rest, type).isEmpty());
            try {
                HandshakeExtensions.check(rest);
            } catch (HandshakeException e) {
                throw new AssertionError("a checked list without one extension no longer checks", e);
            }
            for (int other : KNOWN_TYPES) {
                if (other != type) {
                    assertEquals(HandshakeExtensions.find(ext, other).map(ByteBuffer::wrap),
                            HandshakeExtensions.find(rest, other).map(ByteBuffer::wrap));
                }
            }
        }
    }

    @FuzzTest
    void helloCookie(byte[] ext) {
        try {
            HandshakeExtensions.check(ext);
        } catch (HandshakeException refused) {
            return; // the server answers MALFORMED_MESSAGE before the cookie is looked at
        }
        HandshakeMessage hello = hello(ext);
        byte[] withoutCookie = HelloCookies.helloWithoutCookie(hello);
        Optional<byte[]> carried = HelloCookies.cookieOf(ext);
        if (carried.isPresent()) {
            assertNotEquals(HelloCookies.Check.VALID, COOKIES.check(carried.get(), SOURCE, withoutCookie),
                    "a cookie nobody minted was accepted");
        }
        // The retry: the same hello again, with the minted cookie as its HELLO_COOKIE extension.
        byte[] minted = COOKIES.mint(SOURCE, withoutCookie);
        byte[] again = withCookie(HandshakeExtensions.without(ext, HandshakeLabels.EXTENSION_HELLO_COOKIE), minted);
        HandshakeMessage second = hello(again);
        assertArrayEquals(minted, HelloCookies.cookieOf(again).orElseThrow());
        assertArrayEquals(withoutCookie, HelloCookies.helloWithoutCookie(second));
        assertEquals(HelloCookies.Check.VALID, COOKIES.check(minted, SOURCE, HelloCookies.helloWithoutCookie(second)));
        assertEquals(HelloCookies.Check.INVALID, COOKIES.check(minted, "198.51.100.9", withoutCookie));
    }

    private static HandshakeMessage hello(byte[] ext) {
        return HandshakeMessage.of(HandshakeCommandIds.HS_CLIENT_HELLO,
                RispCommand.integer(HandshakeCommandIds.PROTOCOL_VERSION, HandshakeCommandIds.PROTOCOL_VERSION_2),
                RispCommand.fixed(HandshakeCommandIds.CLIENT_RANDOM, new byte[32]),
                RispCommand.string(HandshakeCommandIds.SUPPORTED_SUITES, new byte[] {1, 3}),
                RispCommand.string(HandshakeCommandIds.EXTENSIONS, ext));
    }

    /** The list with the HELLO_COOKIE extension inserted where its type sorts (the list has none). */
    private static byte[] withCookie(byte[] ext, byte[] cookie) {
        ByteBuffer out = ByteBuffer.allocate(ext.length + 4 + cookie.length);
        int i = 0;
        while (i < ext.length && (((ext[i] & 0xff) << 8) | (ext[i + 1] & 0xff)) < HandshakeLabels.EXTENSION_HELLO_COOKIE) {
            i += 4 + (((ext[i + 2] & 0xff) << 8) | (ext[i + 3] & 0xff));
        }
        out.put(ext, 0, i).putShort((short) HandshakeLabels.EXTENSION_HELLO_COOKIE).putShort((short) cookie.length)
                .put(cookie).put(ext, i, ext.length - i);
        return out.array();
    }
}
