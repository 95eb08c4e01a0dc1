package org.opencluster.auth.protocol.pake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.bouncycastle.math.ec.ECPoint;
import org.opencluster.auth.testsupport.RealComponent;
import org.junit.jupiter.api.Test;

/**
 * The libcrypto multiplier and how it is chosen. Where libcrypto is installed (always under {@code CI=true}: the
 * setup installs libssl3) it must be the one chosen and agree with the Java multipliers; a setting of {@code off},
 * an unknown setting, an unsupported platform, a library that does not load and a library that computes something
 * else each leave the Java multipliers in place, with the reason in the status line.
 */
class NativeP256Test {
    private static final BigInteger N = P256Group.ORDER;
    /** secp256k1: a curve libcrypto has whose products are not P-256's. */
    private static final int NID_SECP256K1 = 714;
    private static final Supplier<NativeP256> MUST_NOT_LOAD = () -> fail("the library must not be loaded");

    private static NativeP256 requireLibcrypto() {
        RealComponent.require(NativeP256.instance() != null,
                "OpenSSL libcrypto (apt-get install libssl3); chosen: " + NativeP256.status());
        return NativeP256.instance();
    }

    @Test
    void libcryptoIsChosenWhereItIsInstalled() {
        requireLibcrypto();
        assertTrue(P256Group.multiplierStatus().startsWith("libcrypto (libcrypto"), P256Group.multiplierStatus());
        assertEquals(null, NativeP256.selfTest(NativeP256.instance()));
    }

    @Test
    void aPointOffTheCurveIsRefusedByLibcrypto() {
        NativeP256 fast = requireLibcrypto();
        ECPoint offCurve = P256Group.CURVE.createPoint(BigInteger.ONE, BigInteger.ONE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> fast.multiply(BigInteger.TWO, offCurve));
        assertEquals("not a point of P-256", e.getMessage());
    }

    @Test
    void fourThreadsAtOnceAgreeWithTheJavaMultipliers() throws Exception {
        NativeP256 fast = requireLibcrypto();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long seed = t;
                runs.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < 300; i++) {
                        BigInteger k = new BigInteger(256, random).mod(N.subtract(BigInteger.ONE))
                                .add(BigInteger.ONE);
                        ECPoint point = GeneratorMultiplier.multiply(
                                new BigInteger(256, random).mod(N.subtract(BigInteger.ONE)).add(BigInteger.ONE));
                        assertEquals(GeneratorMultiplier.multiply(k), fast.multiplyGenerator(k));
                        assertEquals(RegularWindowMultiplier.multiply(point, k, N), fast.multiply(k, point));
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void offAnUnknownSettingAndAnUnsupportedPlatformChooseJava() {
        NativeP256.Selection off = NativeP256.select("off", true, MUST_NOT_LOAD);
        assertNull(off.multiplier());
        assertEquals("java (oca.p256.native=off)", off.status());
        NativeP256.Selection unknown = NativeP256.select("fast\nplease", true, MUST_NOT_LOAD);
        assertNull(unknown.multiplier());
        assertEquals("java (oca.p256.native must be auto or off, was fast please)", unknown.status());
        NativeP256.Selection platform = NativeP256.select("auto", false, MUST_NOT_LOAD);
        assertNull(platform.multiplier());
        assertEquals("java (libcrypto is used on 64-bit Linux and macOS only)", platform.status());
    }

    @Test
    void aLibraryThatDoesNotLoadLeavesJavaWithTheReason() {
        NativeP256.Selection missing = NativeP256.select(null, true, () -> {
            throw new UnsatisfiedLinkError("Unable to load library 'crypto'");
        });
        assertNull(missing.multiplier());
        assertEquals("java (libcrypto not usable: Unable to load library 'crypto')", missing.status());
    }

    /** Bound to another curve, the real library computes other points: the self-test must refuse it. */
    @Test
    void aLibraryThatComputesSomethingElseFailsTheSelfTest() {
        requireLibcrypto();
        NativeP256.Selection wrong = NativeP256.select("AUTO", true, () -> NativeP256.load(NID_SECP256K1));
        assertNull(wrong.multiplier());
        assertTrue(wrong.status().startsWith("java (libcrypto libcrypto"), wrong.status());
        assertTrue(wrong.status().contains("failed the self-test: k*G differs"), wrong.status());
        NativeP256.Selection right = NativeP256.select("auto", true, () -> NativeP256.load(415));
        assertNotNull(right.multiplier());
    }
}
