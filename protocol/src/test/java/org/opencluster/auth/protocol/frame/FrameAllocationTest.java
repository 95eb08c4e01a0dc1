package org.opencluster.auth.protocol.frame;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.opencluster.auth.protocol.suite.CipherSuite;

/**
 * The data path must not copy frames into fresh arrays: what a seal + open of a 16 KiB frame allocates must stay
 * far below the frame size (what remains is the JCA's per-init parameter objects, about 1-2 KB per operation).
 * This caught JDK 17's ChaCha20-Poly1305 buffering its input (35 KB per 16 KiB open) before RecordCipher's
 * workaround.
 */
class FrameAllocationTest {
    private static final int SIZE = 16384;

    @ParameterizedTest
    @MethodSource("org.opencluster.auth.protocol.frame.FrameTest#suites")
    void sealAndOpenOfA16KibFrameAllocateFarLessThanTheFrame(CipherSuite suite) throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        try (FrameSealer sealer = new FrameSealer(FrameTest.secret(suite, 1), FrameConfig.defaults());
             FrameOpener opener = new FrameOpener(FrameTest.secret(suite, 1), FrameConfig.defaults())) {
            ByteBuffer plaintext = ByteBuffer.allocate(SIZE);
            ByteBuffer frame = ByteBuffer.allocate(sealer.frameLength(SIZE));
            ByteBuffer out = ByteBuffer.allocate(SIZE);
            int rounds = 2000;
            long before = 0;
            for (int i = 0; i < 2 * rounds; i++) {
                if (i == rounds) {
                    before = threads.getThreadAllocatedBytes(tid);
                }
                plaintext.clear();
                frame.clear();
                sealer.seal(plaintext, frame);
                frame.flip();
                out.clear();
                opener.openFrame(frame, out);
            }
            long perFrame = (threads.getThreadAllocatedBytes(tid) - before) / rounds;
            assertTrue(perFrame < 8192, suite.name() + ": " + perFrame + " bytes allocated per 16 KiB seal+open");
        }
    }
}
