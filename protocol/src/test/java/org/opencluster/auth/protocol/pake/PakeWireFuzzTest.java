package org.opencluster.auth.protocol.pake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;

/**
 * Fuzz targets for the decoders of the OPRF and OPAQUE wire messages.
 *
 * <p>{@code decoders}: byte 0 picks a decoder (element, scalar, credential response, registration record,
 * registration response, credential request, envelope), the rest is its input. Contract: only
 * {@link PakeException} is thrown, and whatever decodes re-encodes to exactly the input (the encodings are strict).
 *
 * <p>{@code recovery}: the input is a credential response for a fixed client (the password and login blind of RFC
 * 9807 vector C.1.3 #0), run through {@link OpaqueClient#recoverCredentials}. Contract: only
 * {@link PakeException} with {@code MALFORMED_MESSAGE}, {@code INVALID_ELEMENT} or {@code ENVELOPE_RECOVERY};
 * a response that opens yields the vector's export key (only the genuine response can).
 */
class PakeWireFuzzTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] PASSWORD = HEX.parseHex("436f7272656374486f72736542617474657279537461706c65");
    private static final BigInteger BLIND = new BigInteger(
            "c497fddf6056d241e6cf9fb7ac37c384f49b357a221eb0a802c989b9942256c1", 16);
    private static final byte[] EXPORT_KEY = HEX.parseHex(
            "c3c9a1b0e33ac84dd83d0b7e8af6794e17e7a3caadff289fbd9dc769a853c64b");
    private static final Set<PakeError> RECOVERY_ERRORS = Set.of(PakeError.MALFORMED_MESSAGE,
            PakeError.INVALID_ELEMENT, PakeError.ENVELOPE_RECOVERY);

    @FuzzTest
    void decoders(byte[] input) {
        if (input.length == 0) {
            return;
        }
        byte[] wire = Arrays.copyOfRange(input, 1, input.length);
        try {
            byte[] reencoded = switch (input[0] & 7) {
                case 0 -> P256Group.serializeElement(P256Group.deserializeElement(wire));
                case 1 -> P256Group.serializeScalar(P256Group.deserializeScalar(wire));
                case 2 -> CredentialResponse.deserialize(wire).serialize();
                case 3 -> RegistrationRecord.deserialize(wire).serialize();
                case 4 -> RegistrationResponse.deserialize(wire).serialize();
                case 5 -> CredentialRequest.deserialize(wire).serialize();
                default -> Envelope.deserialize(wire).serialize();
            };
            assertArrayEquals(wire, reencoded, "decoded messages re-encode to their input");
        } catch (PakeException expected) {
            // the decoders' contract
        }
    }

    @FuzzTest
    void recovery(byte[] input) {
        try {
            RecoveredCredentials recovered = OpaqueClient.recoverCredentials(PASSWORD, BLIND,
                    CredentialResponse.deserialize(input), null, null, KeyStretching.identity());
            assertArrayEquals(EXPORT_KEY, recovered.exportKey());
        } catch (PakeException e) {
            assertTrue(RECOVERY_ERRORS.contains(e.error()), e.error().toString());
        }
    }
}
