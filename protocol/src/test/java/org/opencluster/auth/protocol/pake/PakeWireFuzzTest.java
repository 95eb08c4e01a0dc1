package org.opencluster.auth.protocol.pake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * <p>{@code recovery}: a credential response for a fixed client (the password and login blind of RFC 9807 vector
 * C.1.3 #0, identity KSF) goes through {@link CredentialResponse#deserialize} and the recovery after the OPRF
 * ({@link OpaqueClient#recoverCredentials(byte[], CredentialResponse, byte[], byte[])}, which the public method
 * calls once it has the randomized password): unmasking, the envelope, its tag and the server key checked after
 * it. The randomized password is the vector's, derived once through the public path from the genuine evaluated
 * element; a fuzzed evaluated element is validated by the decoder and otherwise only feeds the OPRF finalisation
 * and the KSF, which parse nothing and would cost most of each execution. Byte 0 of the input picks the mode:
 * <ul>
 *   <li>even, <em>wire</em>: the rest is the response as received.
 *   <li>odd, <em>authentic</em>: the rest is XORed over {@code server_public_key || masking_nonce} of the vector,
 *       the fixture registers that server key as the vector's client would (an envelope with the vector's
 *       envelope nonce, so the vector's client key pair, tagged under the randomized password; unperturbed it
 *       rebuilds the vector's response, checked once) and masks it as the server does, and what remains
 *       of the input is XORed over the encoded response. Without that last perturbation the tag verifies, so the
 *       fuzzer's server key reaches the check made after the tag.
 * </ul>
 * Contract: only {@link PakeException} with {@code MALFORMED_MESSAGE}, {@code INVALID_ELEMENT} or
 * {@code ENVELOPE_RECOVERY}; an unperturbed authentic response opens, or fails with {@code INVALID_ELEMENT} exactly
 * when its server key is not a point; a response that opens yields the vector's export key and the server key
 * that was registered (a wire response opens only with the vector's masked part and masking nonce).
 */
class PakeWireFuzzTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] PASSWORD = HEX.parseHex("436f7272656374486f72736542617474657279537461706c65");
    private static final BigInteger BLIND = new BigInteger(
            "c497fddf6056d241e6cf9fb7ac37c384f49b357a221eb0a802c989b9942256c1", 16);
    private static final byte[] EXPORT_KEY = HEX.parseHex(
            "c3c9a1b0e33ac84dd83d0b7e8af6794e17e7a3caadff289fbd9dc769a853c64b");
    private static final byte[] SERVER_PUBLIC_KEY = HEX.parseHex(
            "035f40ff9cf88aa1f5cd4fe5fd3da9ea65a4923a5594f84fd9f2092d6067784874");
    private static final byte[] MASKING_NONCE = HEX.parseHex(
            "38fe59af0df2c79f57b8780278f5ae47355fe1f817119041951c80f612fdfc6d");
    private static final byte[] ENVELOPE_NONCE = HEX.parseHex(
            "a921f2a014513bd8a90e477a629794e89fec12d12206dde662ebdcf65670e51f");
    /** The vector's credential response: the first 162 bytes of its KE2. */
    private static final CredentialResponse GENUINE;
    private static final byte[] RANDOMIZED_PASSWORD;
    private static final byte[] MASKING_KEY;
    /** The client public key the vector's envelope nonce and randomized password derive. */
    private static final byte[] CLIENT_PUBLIC_KEY;
    private static final Set<PakeError> RECOVERY_ERRORS = Set.of(PakeError.MALFORMED_MESSAGE,
            PakeError.INVALID_ELEMENT, PakeError.ENVELOPE_RECOVERY);

    static {
        try {
            GENUINE = CredentialResponse.deserialize(HEX.parseHex(
                    "0246da9fe4d41d5ba69faa6c509a1d5bafd49a48615a47a8dd4b0823cc1476481138fe59af0df2c79f57b8780278f5ae"
                    + "47355fe1f817119041951c80f612fdfc6d2f0c547f70deaeca54d878c14c1aa5e1ab405dec833777132eea905c2fbb12"
                    + "504a67dcbe0e66740c76b62c13b04a38a77926e19072953319ec65e41f9bfd2ae26837b6ce688bf9af2542f04eec9ab9"
                    + "6a1b9328812dc2f5c89182ed47fead61f09f"));
            RANDOMIZED_PASSWORD = OpaqueClient.randomizedPassword(PASSWORD, BLIND, GENUINE.evaluatedMessage(),
                    KeyStretching.identity());
            RegistrationRecord record = EnvelopeStore.store(RANDOMIZED_PASSWORD, ENVELOPE_NONCE, SERVER_PUBLIC_KEY,
                    null, null).record();
            MASKING_KEY = record.maskingKey();
            CLIENT_PUBLIC_KEY = record.clientPublicKey();
        } catch (PakeException e) {
            throw new ExceptionInInitializerError(e);
        }
        // The fixture's registration must be the vector's: unperturbed, it rebuilds the genuine response.
        if (!Arrays.equals(GENUINE.serialize(), authenticResponse(SERVER_PUBLIC_KEY, MASKING_NONCE))) {
            throw new ExceptionInInitializerError("the authentic-mode fixture does not rebuild the vector's response");
        }
    }

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
        if (input.length == 0) {
            return;
        }
        byte[] rest = Arrays.copyOfRange(input, 1, input.length);
        boolean authentic = (input[0] & 1) != 0;
        byte[] registeredServerKey;
        byte[] wire = rest;
        boolean perturbed = false;
        if (authentic) {
            byte[] plain = Oprf.concat(SERVER_PUBLIC_KEY, MASKING_NONCE);
            int plainLength = Math.min(rest.length, plain.length);
            xor(plain, rest, plainLength);
            registeredServerKey = Arrays.copyOfRange(plain, 0, OpaqueP256.NPK);
            wire = authenticResponse(registeredServerKey, Arrays.copyOfRange(plain, OpaqueP256.NPK, plain.length));
            byte[] delta = Arrays.copyOfRange(rest, plainLength, rest.length);
            perturbed = !Arrays.equals(delta, new byte[delta.length]);
            if (delta.length > wire.length) {
                wire = Arrays.copyOf(wire, delta.length);
                perturbed = true;
            }
            xor(wire, delta, delta.length);
        } else {
            registeredServerKey = SERVER_PUBLIC_KEY;
        }
        RecoveredCredentials recovered;
        try {
            recovered = OpaqueClient.recoverCredentials(RANDOMIZED_PASSWORD, CredentialResponse.deserialize(wire),
                    null, null);
        } catch (PakeException e) {
            assertTrue(RECOVERY_ERRORS.contains(e.error()), e.error().toString());
            if (authentic && !perturbed) {
                assertEquals(PakeError.INVALID_ELEMENT, e.error(), "an authentic response fails only on its key");
            }
            return;
        }
        assertArrayEquals(EXPORT_KEY, recovered.exportKey());
        assertArrayEquals(registeredServerKey, recovered.credentials().serverPublicKey());
        assertDoesNotThrow(() -> P256Group.deserializeElement(registeredServerKey),
                "a server key that is not a point was accepted");
    }

    /**
     * The response the server sends for a record the vector's client registered with {@code serverKey}: the same
     * envelope nonce, so the same client key pair, and the tag over that key pair and {@code serverKey}.
     */
    private static byte[] authenticResponse(byte[] serverKey, byte[] maskingNonce) {
        byte[] tag = EnvelopeStore.authTag(RANDOMIZED_PASSWORD, ENVELOPE_NONCE,
                CleartextCredentials.create(serverKey, CLIENT_PUBLIC_KEY, null, null));
        byte[] masked = CredentialMasking.xorPad(MASKING_KEY, maskingNonce,
                Oprf.concat(serverKey, new Envelope(ENVELOPE_NONCE, tag).serialize()));
        return new CredentialResponse(GENUINE.evaluatedMessage(), maskingNonce, masked).serialize();
    }

    private static void xor(byte[] target, byte[] delta, int length) {
        for (int i = 0; i < length; i++) {
            target[i] ^= delta[i];
        }
    }
}
