package org.opencluster.auth.server.webauthn;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.yubico.webauthn.AssertionRequest;
import com.yubico.webauthn.AssertionResult;
import com.yubico.webauthn.FinishAssertionOptions;
import com.yubico.webauthn.RelyingParty;
import com.yubico.webauthn.data.AttestationConveyancePreference;
import com.yubico.webauthn.data.AuthenticatorAssertionResponse;
import com.yubico.webauthn.data.ByteArray;
import com.yubico.webauthn.data.ClientAssertionExtensionOutputs;
import com.yubico.webauthn.data.PublicKeyCredential;
import com.yubico.webauthn.data.PublicKeyCredentialDescriptor;
import com.yubico.webauthn.data.PublicKeyCredentialRequestOptions;
import com.yubico.webauthn.data.RelyingPartyIdentity;
import com.yubico.webauthn.data.UserVerificationRequirement;
import com.yubico.webauthn.exception.AssertionFailedException;
import com.yubico.webauthn.exception.InvalidSignatureCountException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.opencluster.auth.protocol.handshake.HandshakeCommands;
import org.opencluster.auth.server.login.LoginAccount;
import org.opencluster.auth.server.login.WebAuthnLogins;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.store.WebAuthnCredential;
import org.opencluster.auth.server.store.WebAuthnCredentialStore;
import org.opencluster.auth.server.log.LogValues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Security-key logins (proof kind 4) over Yubico's java-webauthn-server: the relying party is built from the
 * server configuration, credentials come from the store. The challenge is not chosen here: the handshake derives
 * it from its transcript, so an assertion is only good for the session it was made in.
 */
public final class WebAuthnService implements WebAuthnLogins, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebAuthnService.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebAuthnSettings settings;
    private final WebAuthnCredentialStore store;
    private final RelyingParty relyingParty;
    private final DecoyCredentials decoys;
    private final Clock clock;
    private final PublicKey decoyVerificationKey;

    public WebAuthnService(WebAuthnSettings settings, WebAuthnCredentialStore store, byte[] decoySecret, Clock clock) {
        this.settings = settings;
        this.store = store;
        this.clock = clock;
        this.decoys = new DecoyCredentials(decoySecret);
        this.relyingParty = RelyingParty.builder()
                .identity(RelyingPartyIdentity.builder().id(settings.rpId()).name(settings.rpName()).build())
                .credentialRepository(new StoreCredentialRepository(store))
                .origins(settings.origins())
                .allowOriginPort(false)
                .attestationConveyancePreference(AttestationConveyancePreference.NONE)
                .validateSignatureCounter(true)
                .clock(clock)
                .build();
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            this.decoyVerificationKey = g.generateKeyPair().getPublic();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-256 is not available", e);
        }
    }

    public WebAuthnSettings settings() {
        return settings;
    }

    RelyingParty relyingParty() {
        return relyingParty;
    }

    /**
     * Every WEBAUTHN_OPTIONS lists this many credential ids (or a multiple of it for a person with more keys), real
     * ones and stable decoys sorted together, so the list says neither whether a name has security keys nor how
     * many (issue 13 item 4). Four covers a person with a key on the keyring, one in the drawer and two spares.
     */
    public static final int ALLOW_CREDENTIALS = 4;

    @Override
    public byte[] requestOptions(String username, Optional<LoginAccount> account) {
        List<byte[]> ids = new ArrayList<>(account.isPresent() ? usable(username).stream()
                .map(WebAuthnCredential::credentialId).collect(Collectors.toList()) : List.of());
        int slots = Math.max(1, (ids.size() + ALLOW_CREDENTIALS - 1) / ALLOW_CREDENTIALS) * ALLOW_CREDENTIALS;
        for (int i = 0; ids.size() < slots; i++) {
            ids.add(decoys.idFor(username, i));
        }
        ids.sort(Arrays::compareUnsigned);
        ObjectNode options = JSON.createObjectNode();
        options.put("rpId", settings.rpId());
        ArrayNode allow = options.putArray("allowCredentials");
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        for (byte[] id : ids) {
            allow.addObject().put("type", "public-key").put("id", b64.encodeToString(id));
        }
        // Never "required", which told whoever asked that a name is an admin: user verification is enforced when
        // the assertion is verified (an admin's assertion without the UV flag is refused), not announced.
        options.put("userVerification", "preferred");
        options.put("timeout", settings.timeout().toMillis());
        try {
            byte[] out = JSON.writeValueAsBytes(options);
            if (out.length > HandshakeCommands.MAX_WEBAUTHN_OPTIONS) {
                throw new IllegalStateException(username + " has more security keys than WEBAUTHN_OPTIONS can carry");
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("request options do not serialise", e);
        }
    }

    @Override
    public boolean verify(String username, Optional<LoginAccount> account, byte[] challenge, byte[] proofJson) {
        PublicKeyCredential<AuthenticatorAssertionResponse, ClientAssertionExtensionOutputs> credential;
        try {
            credential = PublicKeyCredential.parseAssertionResponseJson(new String(proofJson, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            LOG.info("event=webauthn.login.refused user={} reason=unparsable_assertion", LogValues.quote(username));
            spendVerificationWork(proofJson);
            return false;
        }
        List<WebAuthnCredential> usable = account.isPresent() ? usable(username) : List.of();
        if (usable.isEmpty()) {
            spendVerificationWork(proofJson);
            return false;
        }
        boolean admin = isAdmin(account);
        AssertionRequest request = AssertionRequest.builder()
                .publicKeyCredentialRequestOptions(PublicKeyCredentialRequestOptions.builder()
                        .challenge(new ByteArray(challenge))
                        .rpId(settings.rpId())
                        .allowCredentials(usable.stream().map(c -> PublicKeyCredentialDescriptor.builder()
                                .id(new ByteArray(c.credentialId())).build()).collect(Collectors.toList()))
                        .userVerification(admin ? UserVerificationRequirement.REQUIRED
                                : UserVerificationRequirement.PREFERRED)
                        .timeout(settings.timeout().toMillis())
                        .build())
                .username(username)
                .build();
        try {
            AssertionResult result = relyingParty.finishAssertion(FinishAssertionOptions.builder().request(request)
                    .response(credential).build());
            if (!result.isSuccess() || admin && !result.isUserVerified()) {
                LOG.info("event=webauthn.login.refused user={} reason=not_verified", LogValues.quote(username));
                return false;
            }
            return recordUse(username, result);
        } catch (InvalidSignatureCountException e) {
            store.flagWebAuthnCredential(credential.getId().getBytes());
            LOG.warn("event=webauthn.credential.flagged user={} reason=signature_counter_went_back"
                    + " (a cloned or faulty key; the credential is refused until removed and registered again)",
                    LogValues.quote(username));
            return false;
        } catch (AssertionFailedException | RuntimeException e) {
            LOG.info("event=webauthn.login.refused user={} reason={}", LogValues.quote(username),
                    LogValues.quote(e.getMessage()));
            return false;
        }
    }

    /** Moves the stored counter forward atomically; a counter that does not advance flags the credential. */
    private boolean recordUse(String username, AssertionResult result) {
        byte[] id = result.getCredentialId().getBytes();
        Optional<WebAuthnCredential> stored = store.findWebAuthnCredential(id);
        if (stored.isEmpty() || !stored.get().username().equals(username) || stored.get().flagged()) {
            return false;
        }
        long before = stored.get().signatureCount();
        long now = result.getSignatureCount();
        if (!(before == 0 && now == 0) && now <= before) {
            // The library saw an older counter; a login in between moved it. Refused, not flagged: a concurrent
            // use is not proof of a clone, but this assertion cannot both be fresh and not advance it.
            return false;
        }
        return store.recordWebAuthnUse(id, before, now, clock.instant());
    }

    /** Comparable work to a real check (JSON parse done, one P-256 verification), so decoys take as long. */
    private void spendVerificationWork(byte[] proofJson) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initVerify(decoyVerificationKey);
            s.update(proofJson);
            s.verify(new byte[] {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01});
        } catch (GeneralSecurityException | RuntimeException e) {
            // the outcome is always "refused"
        }
    }

    private List<WebAuthnCredential> usable(String username) {
        return store.webAuthnCredentials(username).stream().filter(c -> !c.flagged()).collect(Collectors.toList());
    }

    private static boolean isAdmin(Optional<LoginAccount> account) {
        return account.map(a -> a.role() == Account.Role.ADMIN).orElse(false);
    }

    @Override
    public void close() {
        decoys.close();
    }
}
