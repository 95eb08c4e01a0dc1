package org.opencluster.auth.token.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.softhsm.SoftHsmFixture;

/**
 * The module stays mapped while we hold its function list. JNA keeps libraries weakly and unloads a collected one;
 * in this JVM nothing else (no SunPKCS11) holds SoftHSM2, so if CryptokiSlots let its library go, the calls after
 * the collections below would jump into unmapped memory and crash this test's JVM (as PinStateTest's did once).
 */
class CryptokiSlotsLifetimeTest {
    private static SoftHsmFixture hsm;

    @BeforeAll
    static void setUp() throws Exception {
        hsm = SoftHsmSupport.fixture(CryptokiSlotsLifetimeTest.class);
        hsm.initToken("lifetime", SoftHsmSupport.SO_PIN, "2468");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (hsm != null) {
            hsm.close();
        }
    }

    @Test
    void slotsStillAnswerAfterTheCollectorRan() throws Exception {
        CryptokiSlots slots = CryptokiSlots.load(hsm.module());
        List<String> before = labels(slots); // SoftHSM2 adds an empty slot for the next token
        assertTrue(before.contains("lifetime"), before.toString());
        for (int i = 0; i < 5; i++) {
            collectGarbage();
            assertEquals(before, labels(slots));
        }
    }

    private static List<String> labels(CryptokiSlots slots) throws Exception {
        return slots.tokens().stream().map(CryptokiTokenInfo::label).collect(Collectors.toList());
    }

    /** Runs the collector until a fresh object is known to be collected, then gives cleaners a moment. */
    private static void collectGarbage() throws InterruptedException {
        WeakReference<Object> probe = new WeakReference<>(new Object());
        while (probe.get() != null) {
            System.gc();
            Thread.sleep(10);
        }
        Thread.sleep(100);
    }
}
