package org.opencluster.auth.protocol.pake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.opencluster.auth.testsupport.SharedVectors;

/**
 * RFC 9807 vectors from {@code ../shared/vectors/opaque-rfc9807-p256.json} (appendix C.1.3 and C.1.4, the P-256
 * configurations, identity KSF): #0 real record without identities, #1 real record with identities alice/bob,
 * #2 the fake-record case. For the real ones: oprf_key, registration_request, registration_response, the upload
 * (record), envelope, masking_key, randomized_password, auth_key (through the envelope tag), client_public_key,
 * export_key, the credential request (KE1's first Noe bytes) and the credential response (KE2's first 162
 * bytes), then RecoverCredentials from that response. For the fake one: the credential response of KE2 built
 * from the fake masking key and an all-zero envelope. The AKE parts (keyshares, MACs, session_key, KE3) are not
 * implemented and not checked.
 */
class OpaqueVectorsTest {
    private static final HexFormat HEX = HexFormat.of();

    static List<JsonNode> all() {
        List<JsonNode> out = new ArrayList<>();
        SharedVectors.load("opaque-rfc9807-p256.json").get("vectors").forEach(out::add);
        return out;
    }

    static Stream<Arguments> vectors(boolean fake) {
        List<Arguments> out = new ArrayList<>();
        List<JsonNode> all = all();
        for (int i = 0; i < all.size(); i++) {
            JsonNode v = all.get(i);
            if (Boolean.parseBoolean(v.get("config").get("Fake").asText().toLowerCase()) == fake) {
                out.add(Arguments.of("OPAQUE P-256 #" + i + (fake ? " fake" : " real")
                        + (v.get("inputs").has("client_identity") ? " with identities" : ""), v));
            }
        }
        return out.stream();
    }

    static Stream<Arguments> realVectors() {
        return vectors(false);
    }

    static Stream<Arguments> fakeVectors() {
        return vectors(true);
    }

    @Test
    void theFileHoldsTwoRealAndOneFakeP256Vector() {
        assertEquals(2, realVectors().count());
        assertEquals(1, fakeVectors().count());
        for (JsonNode v : all()) {
            assertEquals("P256-SHA256", v.get("config").get("OPRF").asText());
            assertEquals("Identity", v.get("config").get("KSF").asText());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("realVectors")
    void registrationMatchesRfc9807(String name, JsonNode v) throws PakeException {
        JsonNode in = v.get("inputs");
        JsonNode mid = v.get("intermediates");
        JsonNode out = v.get("outputs");
        byte[] password = bytes(in, "password");
        byte[] credentialId = bytes(in, "credential_identifier");
        byte[] oprfSeed = bytes(in, "oprf_seed");
        byte[] serverPublicKey = bytes(in, "server_public_key");

        assertArrayEquals(bytes(mid, "oprf_key"),
                P256Group.serializeScalar(OpaqueServer.oprfKey(credentialId, oprfSeed)), "oprf_key");
        PendingRequest<RegistrationRequest> pending = OpaqueClient.createRegistrationRequest(password,
                scalar(in, "blind_registration"));
        assertArrayEquals(bytes(out, "registration_request"), pending.request().serialize(), "registration_request");

        RegistrationResponse response = OpaqueServer.createRegistrationResponse(
                RegistrationRequest.deserialize(pending.request().serialize()), serverPublicKey, credentialId,
                oprfSeed);
        assertArrayEquals(bytes(out, "registration_response"), response.serialize(), "registration_response");

        FinalizedRegistration finalized = OpaqueClient.finalizeRegistrationRequest(password, pending.blind(),
                RegistrationResponse.deserialize(response.serialize()), optional(in, "server_identity"),
                optional(in, "client_identity"), KeyStretching.identity(), bytes(in, "envelope_nonce"));
        RegistrationRecord record = finalized.record();
        assertArrayEquals(bytes(out, "registration_upload"), record.serialize(), "registration_upload");
        assertArrayEquals(bytes(mid, "envelope"), record.envelope().serialize(), "envelope");
        assertArrayEquals(bytes(mid, "masking_key"), record.maskingKey(), "masking_key");
        assertArrayEquals(bytes(mid, "client_public_key"), record.clientPublicKey(), "client_public_key");
        assertArrayEquals(bytes(out, "export_key"), finalized.exportKey(), "export_key");
        assertArrayEquals(bytes(mid, "masking_key"), EnvelopeStore.maskingKey(bytes(mid, "randomized_password")),
                "masking_key from randomized_password");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("realVectors")
    void credentialRetrievalMatchesRfc9807(String name, JsonNode v) throws PakeException {
        JsonNode in = v.get("inputs");
        JsonNode out = v.get("outputs");
        byte[] password = bytes(in, "password");
        RegistrationRecord record = RegistrationRecord.deserialize(bytes(out, "registration_upload"));

        PendingRequest<CredentialRequest> pending = OpaqueClient.createCredentialRequest(password,
                scalar(in, "blind_login"));
        byte[] ke1 = bytes(out, "KE1");
        assertArrayEquals(Arrays.copyOf(ke1, OpaqueP256.NOE), pending.request().serialize(), "KE1 credential_request");

        CredentialResponse response = OpaqueServer.createCredentialResponse(
                CredentialRequest.deserialize(pending.request().serialize()), bytes(in, "server_public_key"), record,
                bytes(in, "credential_identifier"), bytes(in, "oprf_seed"), bytes(in, "masking_nonce"));
        byte[] ke2 = bytes(out, "KE2");
        assertArrayEquals(Arrays.copyOf(ke2, CredentialResponse.LENGTH), response.serialize(),
                "KE2 credential_response");

        RecoveredCredentials recovered = OpaqueClient.recoverCredentials(password, pending.blind(),
                CredentialResponse.deserialize(Arrays.copyOf(ke2, CredentialResponse.LENGTH)),
                optional(in, "server_identity"), optional(in, "client_identity"), KeyStretching.identity());
        assertArrayEquals(bytes(out, "export_key"), recovered.exportKey(), "export_key");
        assertArrayEquals(bytes(in, "server_public_key"), recovered.credentials().serverPublicKey());
        assertArrayEquals(bytes(v.get("intermediates"), "client_public_key"),
                recovered.clientKeyPair().serializedPublicKey(), "client_public_key");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fakeVectors")
    void fakeRecordCredentialResponseMatchesRfc9807(String name, JsonNode v) throws PakeException {
        JsonNode in = v.get("inputs");
        RegistrationRecord fake = new RegistrationRecord(bytes(in, "client_public_key"), bytes(in, "masking_key"),
                Envelope.zeroes());
        byte[] ke1 = bytes(in, "KE1");
        CredentialResponse response = OpaqueServer.createCredentialResponse(
                CredentialRequest.deserialize(Arrays.copyOf(ke1, OpaqueP256.NOE)), bytes(in, "server_public_key"),
                fake, bytes(in, "credential_identifier"), bytes(in, "oprf_seed"), bytes(in, "masking_nonce"));
        assertArrayEquals(Arrays.copyOf(bytes(v.get("outputs"), "KE2"), CredentialResponse.LENGTH),
                response.serialize(), "KE2 credential_response");
        assertArrayEquals(bytes(in, "client_public_key"), P256Group.serializeElement(
                P256Group.multiplyGenerator(scalar(in, "client_private_key"))), "fake client key pair");
    }

    private static byte[] bytes(JsonNode node, String field) {
        return HEX.parseHex(node.get(field).asText());
    }

    private static byte[] optional(JsonNode node, String field) {
        return node.has(field) ? bytes(node, field) : null;
    }

    private static BigInteger scalar(JsonNode node, String field) throws PakeException {
        return P256Group.deserializeScalar(bytes(node, field));
    }
}
