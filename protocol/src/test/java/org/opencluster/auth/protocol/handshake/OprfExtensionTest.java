package org.opencluster.auth.protocol.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.pake.OpaqueClient;

/**
 * The OPRF extension 0x0001 of LOGIN_REQUEST (docs/PROTOCOL.md 5.3.2, 5.5.6), parsed in the one place: absent,
 * a valid element, and the refusals (wrong length, not a point) that must be MALFORMED_MESSAGE before the server
 * evaluates anything.
 */
class OprfExtensionTest {
    private static byte[] element() throws Exception {
        return OpaqueClient.createCredentialRequest("pw".getBytes(), new SecureRandom()).request().serialize();
    }

    @Test
    void absentMeansTheClientDoesNotSpeakTheStep() throws Exception {
        byte[] ext = HandshakeExtensions.writer().add(HandshakeLabels.EXTENSION_DEVICE_TOKEN, new byte[0]).toBytes();
        HandshakeExtensions.check(ext);
        assertTrue(HandshakeExtensions.oprfRequest(ext).isEmpty());
    }

    @Test
    void aBlindedElementIsTheCredentialRequest() throws Exception {
        byte[] element = element();
        byte[] ext = HandshakeExtensions.writer().add(HandshakeLabels.EXTENSION_OPRF, element)
                .add(HandshakeLabels.EXTENSION_DEVICE_TOKEN, new byte[0]).toBytes();
        HandshakeExtensions.check(ext);
        assertArrayEquals(element, HandshakeExtensions.oprfRequest(ext).orElseThrow().blindedMessage());
    }

    @Test
    void aWrongLengthOrAPointOffTheCurveIsMalformed() throws Exception {
        byte[] element = element();
        byte[] notOnCurve = element.clone();
        notOnCurve[0] = 0x04; // not a compressed-point prefix
        for (byte[] data : new byte[][] {Arrays.copyOf(element, 32), Arrays.copyOf(element, 34), notOnCurve,
                new byte[33]}) {
            byte[] ext = HandshakeExtensions.writer().add(HandshakeLabels.EXTENSION_OPRF, data).toBytes();
            HandshakeException e = assertThrows(HandshakeException.class, () -> HandshakeExtensions.oprfRequest(ext));
            assertEquals(HandshakeError.MALFORMED_MESSAGE, e.error());
        }
    }
}
