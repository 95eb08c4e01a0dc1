package org.opencluster.auth.server.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.client.login.WebAuthnAuthenticator;

/**
 * A FIDO2 authenticator in software, for tests only: a P-256 key, attestation "none", authenticator data with
 * flags and a signature counter, clientDataJSON with the challenge and an origin, ES256 signatures. Its knobs let
 * a test make it misbehave (wrong origin, no user verification, a counter that goes back, ignoring the allow
 * list) the way a broken or cloned key, or a phishing page, would.
 */
final class SoftwareAuthenticator {
    static final String ORIGIN = "https://localhost:8443";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder UNB64 = Base64.getUrlDecoder();
    private static final int UP = 0x01;
    private static final int UV = 0x04;
    private static final int AT = 0x40;

    private final KeyPair keys;
    final byte[] credentialId = new byte[64];
    private byte[] userHandle;
    private long counter;
    String origin = ORIGIN;
    boolean verifiesUser = true;
    boolean ignoresAllowList;
    /** The last assertion JSON made (for replay tests). */
    byte[] lastAssertion;

    SoftwareAuthenticator(SecureRandom random) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), random);
        keys = g.generateKeyPair();
        random.nextBytes(credentialId);
    }

    void counter(long value) {
        counter = value;
    }

    /** navigator.credentials.create() with the server's options JSON; returns the credential's JSON. */
    String create(String creationOptionsJson) throws Exception {
        JsonNode options = JSON.readTree(creationOptionsJson).get("publicKey");
        return create(creationOptionsJson, UNB64.decode(options.get("challenge").asText()));
    }

    /** As {@link #create(String)} but signing {@code challenge} in place of the server's. */
    String create(String creationOptionsJson, byte[] challenge) throws Exception {
        JsonNode options = JSON.readTree(creationOptionsJson).get("publicKey");
        String rpId = options.get("rp").get("id").asText();
        for (JsonNode excluded : options.path("excludeCredentials")) {
            if (excluded.get("id").asText().equals(B64.encodeToString(credentialId))) {
                throw new IllegalStateException("InvalidStateError: this authenticator is registered already");
            }
        }
        userHandle = UNB64.decode(options.get("user").get("id").asText());
        byte[] clientData = clientData("webauthn.create", challenge);
        ByteArrayOutputStream authData = new ByteArrayOutputStream();
        authData.write(sha256(rpId.getBytes(StandardCharsets.UTF_8)));
        authData.write(UP | (verifiesUser ? UV : 0) | AT);
        authData.write(ByteBuffer.allocate(4).putInt((int) counter).array());
        authData.write(new byte[16]); // AAGUID: none
        authData.write(credentialId.length >>> 8);
        authData.write(credentialId.length);
        authData.write(credentialId);
        authData.write(coseKey());
        byte[] ad = authData.toByteArray();
        ByteArrayOutputStream att = new ByteArrayOutputStream();
        att.write(0xa3);
        text(att, "fmt");
        text(att, "none");
        text(att, "attStmt");
        att.write(0xa0);
        text(att, "authData");
        att.write(0x59);
        att.write(ad.length >>> 8);
        att.write(ad.length);
        att.write(ad);
        ObjectNode response = JSON.createObjectNode();
        response.put("clientDataJSON", B64.encodeToString(clientData));
        response.put("attestationObject", B64.encodeToString(att.toByteArray()));
        response.putArray("transports").add("usb");
        return credential(response).toString();
    }

    /** navigator.credentials.get() for the handshake's options and challenge; returns the assertion JSON. */
    byte[] get(byte[] requestOptionsJson, byte[] challenge) throws Exception {
        JsonNode options = JSON.readTree(requestOptionsJson);
        boolean allowed = false;
        for (JsonNode c : options.get("allowCredentials")) {
            allowed |= c.get("id").asText().equals(B64.encodeToString(credentialId));
        }
        if (!allowed && !ignoresAllowList) {
            throw new IllegalStateException("NotAllowedError: none of the allowed credentials is on this key");
        }
        counter++;
        ByteArrayOutputStream authData = new ByteArrayOutputStream();
        authData.write(sha256(options.get("rpId").asText().getBytes(StandardCharsets.UTF_8)));
        authData.write(UP | (verifiesUser ? UV : 0));
        authData.write(ByteBuffer.allocate(4).putInt((int) counter).array());
        byte[] ad = authData.toByteArray();
        byte[] clientData = clientData("webauthn.get", challenge);
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(keys.getPrivate());
        s.update(ad);
        s.update(sha256(clientData));
        ObjectNode response = JSON.createObjectNode();
        response.put("authenticatorData", B64.encodeToString(ad));
        response.put("clientDataJSON", B64.encodeToString(clientData));
        response.put("signature", B64.encodeToString(s.sign()));
        if (userHandle != null) {
            response.put("userHandle", B64.encodeToString(userHandle));
        }
        lastAssertion = credential(response).toString().getBytes(StandardCharsets.UTF_8);
        return lastAssertion.clone();
    }

    /** The handshake's callback. */
    WebAuthnAuthenticator login() {
        return (options, challenge) -> {
            try {
                return get(options, challenge);
            } catch (Exception e) {
                throw new LoginException(-1, "the security key made no assertion: " + e.getMessage(), e);
            }
        };
    }

    private ObjectNode credential(ObjectNode response) {
        ObjectNode c = JSON.createObjectNode();
        c.put("type", "public-key");
        c.put("id", B64.encodeToString(credentialId));
        c.put("rawId", B64.encodeToString(credentialId));
        c.set("response", response);
        c.putObject("clientExtensionResults");
        return c;
    }

    private byte[] clientData(String type, byte[] challenge) {
        ObjectNode cd = JSON.createObjectNode();
        cd.put("type", type);
        cd.put("challenge", B64.encodeToString(challenge));
        cd.put("origin", origin);
        cd.put("crossOrigin", false);
        return cd.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** COSE_Key of the P-256 public key: {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y}. */
    private byte[] coseKey() {
        ECPublicKey pub = (ECPublicKey) keys.getPublic();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xa5);
        out.write(0x01);
        out.write(0x02);
        out.write(0x03);
        out.write(0x26);
        out.write(0x20);
        out.write(0x01);
        out.write(0x21);
        out.write(0x58);
        out.write(32);
        out.writeBytes(unsigned32(pub.getW().getAffineX()));
        out.write(0x22);
        out.write(0x58);
        out.write(32);
        out.writeBytes(unsigned32(pub.getW().getAffineY()));
        return out.toByteArray();
    }

    private static byte[] unsigned32(BigInteger v) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[32];
        int n = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - n, out, 32 - n, n);
        return out;
    }

    private static void text(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(0x60 | b.length);
        out.writeBytes(b);
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }
}
