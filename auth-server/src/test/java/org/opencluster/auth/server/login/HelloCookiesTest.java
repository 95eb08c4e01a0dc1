package org.opencluster.auth.server.login;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.*;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.handshake.HandshakeLabels;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.risp.RispCommand;

/** The stateless HELLO_RETRY cookie (docs/PROTOCOL.md section 5.3.11) and the gate that decides when to ask. */
class HelloCookiesTest {
    private static final Duration WINDOW = Duration.ofSeconds(30);
    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    private final HelloCookies cookies = new HelloCookies(new SecureRandom(), now::get, WINDOW);

    private static HandshakeMessage hello(byte[] random, byte[] extensions) {
        return HandshakeMessage.of(HS_CLIENT_HELLO, RispCommand.integer(PROTOCOL_VERSION, PROTOCOL_VERSION_2),
                RispCommand.fixed(CLIENT_RANDOM, random), RispCommand.string(SUPPORTED_SUITES, new byte[] {1, 3}),
                RispCommand.string(EXTENSIONS, extensions));
    }

    private static byte[] random(int seed) {
        byte[] b = new byte[32];
        b[0] = (byte) seed;
        return b;
    }

    private static byte[] cookieExtension(byte[] cookie) {
        return ByteBuffer.allocate(4 + cookie.length).putShort((short) HandshakeLabels.EXTENSION_HELLO_COOKIE)
                .putShort((short) cookie.length).put(cookie).array();
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void theSecondHelloWithItsCookieIsValidAndBindsTheFirst() {
        byte[] first = hello(random(1), new byte[0]).encode();
        byte[] cookie = cookies.mint("198.51.100.7", first);
        assertEquals(HelloCookies.LENGTH, cookie.length);
        HandshakeMessage second = hello(random(1), cookieExtension(cookie));
        assertArrayEquals(first, HelloCookies.helloWithoutCookie(second));
        assertArrayEquals(cookie, HelloCookies.cookieOf(second.bytes(EXTENSIONS)).orElseThrow());
        assertEquals(HelloCookies.Check.VALID, cookies.check(cookie, "198.51.100.7",
                HelloCookies.helloWithoutCookie(second)));
    }

    @Test
    void aCookieFromAnotherSourceIsInvalid() {
        byte[] first = hello(random(1), new byte[0]).encode();
        byte[] cookie = cookies.mint("198.51.100.7", first);
        assertEquals(HelloCookies.Check.INVALID, cookies.check(cookie, "198.51.100.8", first));
    }

    @Test
    void aCookieForAnotherClientRandomIsInvalid() {
        byte[] cookie = cookies.mint("198.51.100.7", hello(random(1), new byte[0]).encode());
        assertEquals(HelloCookies.Check.INVALID, cookies.check(cookie, "198.51.100.7",
                hello(random(2), new byte[0]).encode()));
    }

    @Test
    void aTamperedCookieIsInvalid() {
        byte[] first = hello(random(1), new byte[0]).encode();
        byte[] cookie = cookies.mint("198.51.100.7", first);
        for (int i = 0; i < cookie.length; i++) {
            byte[] bad = cookie.clone();
            bad[i] ^= 0x01;
            // A flipped bit in the window number names another window: expired or unknown, never valid.
            HelloCookies.Check c = cookies.check(bad, "198.51.100.7", first);
            assertEquals(HelloCookies.Check.INVALID, c == HelloCookies.Check.EXPIRED && i >= 1 && i <= 4
                    ? HelloCookies.Check.INVALID : c, "byte " + i);
        }
        assertEquals(HelloCookies.Check.INVALID, cookies.check(new byte[0], "198.51.100.7", first));
        assertEquals(HelloCookies.Check.INVALID, cookies.check(new byte[255], "198.51.100.7", first));
    }

    @Test
    void aCookieLivesItsWindowAndTheNextThenExpires() {
        byte[] first = hello(random(1), new byte[0]).encode();
        byte[] cookie = cookies.mint("198.51.100.7", first);
        advance(WINDOW);
        assertEquals(HelloCookies.Check.VALID, cookies.check(cookie, "198.51.100.7", first), "previous key");
        advance(WINDOW);
        assertEquals(HelloCookies.Check.EXPIRED, cookies.check(cookie, "198.51.100.7", first));
    }

    @Test
    void aCookieReplayedAfterTwoRotationsIsRefusedEvenIfTheWindowIsRewritten() {
        byte[] first = hello(random(1), new byte[0]).encode();
        byte[] cookie = cookies.mint("198.51.100.7", first);
        advance(WINDOW.multipliedBy(2));
        cookies.mint("198.51.100.9", first); // rotation happened: the key of the cookie's window is gone
        byte[] rewritten = cookie.clone();
        long current = ByteBuffer.wrap(cookies.mint("x", first), 1, 4).getInt();
        ByteBuffer.wrap(rewritten, 1, 4).putInt((int) current);
        assertEquals(HelloCookies.Check.EXPIRED, cookies.check(cookie, "198.51.100.7", first));
        assertEquals(HelloCookies.Check.INVALID, cookies.check(rewritten, "198.51.100.7", first));
    }

    @Test
    void gateAutoSignsUntilTheSourceIsAboveItsRateThenAsksForCookiesAndLimitsThem() {
        HelloGate gate = new HelloGate(HelloGate.Mode.AUTO, 3, 1000, cookies, now::get);
        byte[] first = hello(random(1), new byte[0]).encode();
        for (int i = 0; i < 3; i++) {
            assertEquals(HelloGate.Verdict.SIGN, gate.decide("a", first, Optional.empty()));
        }
        assertEquals(HelloGate.Verdict.RETRY, gate.decide("a", first, Optional.empty()), "4th hello in a second");
        assertEquals(HelloGate.Verdict.SIGN, gate.decide("b", first, Optional.empty()), "another source");
        byte[] cookie = gate.cookie("a", first);
        assertEquals(HelloGate.Verdict.RATE_LIMITED, gate.decide("a", first, Optional.of(cookie)),
                "a valid cookie does not buy signatures beyond the rate");
        advance(Duration.ofSeconds(2));
        assertEquals(HelloGate.Verdict.SIGN, gate.decide("a", first, Optional.of(cookie)));
        assertEquals(HelloGate.Verdict.SIGN, gate.decide("a", first, Optional.of(new byte[37])),
                "a bad cookie counts as none: under the rate, signed");
    }

    @Test
    void gateAutoAsksEveryoneForCookiesUnderLoad() {
        HelloGate gate = new HelloGate(HelloGate.Mode.AUTO, 100, 5, cookies, now::get);
        byte[] first = hello(random(1), new byte[0]).encode();
        for (int i = 0; i < 5; i++) {
            assertEquals(HelloGate.Verdict.SIGN, gate.decide("s" + i, first, Optional.empty()));
        }
        assertEquals(HelloGate.Verdict.RETRY, gate.decide("new", first, Optional.empty()));
        assertEquals(HelloGate.Verdict.SIGN, gate.decide("new", first, Optional.of(gate.cookie("new", first))));
        advance(Duration.ofSeconds(2));
        assertEquals(HelloGate.Verdict.SIGN, gate.decide("later", first, Optional.empty()), "load has passed");
    }

    @Test
    void gateAlwaysAndOff() {
        byte[] first = hello(random(1), new byte[0]).encode();
        HelloGate always = new HelloGate(HelloGate.Mode.ALWAYS, 100, 100, cookies, now::get);
        assertEquals(HelloGate.Verdict.RETRY, always.decide("a", first, Optional.empty()));
        assertEquals(HelloGate.Verdict.SIGN, always.decide("a", first, Optional.of(always.cookie("a", first))));
        HelloGate off = new HelloGate(HelloGate.Mode.OFF, 1, 1, cookies, now::get);
        for (int i = 0; i < 10; i++) {
            assertEquals(HelloGate.Verdict.SIGN, off.decide("a", first, Optional.empty()));
        }
    }
}
