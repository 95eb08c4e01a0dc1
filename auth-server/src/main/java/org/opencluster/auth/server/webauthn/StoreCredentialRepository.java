package org.opencluster.auth.server.webauthn;

import com.yubico.webauthn.CredentialRepository;
import com.yubico.webauthn.RegisteredCredential;
import com.yubico.webauthn.data.ByteArray;
import com.yubico.webauthn.data.PublicKeyCredentialDescriptor;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.opencluster.auth.server.store.WebAuthnCredential;
import org.opencluster.auth.server.store.WebAuthnCredentialStore;

/**
 * The WebAuthn library's view of the store. Flagged credentials (a counter that went backwards) are invisible:
 * neither offered nor accepted.
 */
final class StoreCredentialRepository implements CredentialRepository {
    private final WebAuthnCredentialStore store;

    StoreCredentialRepository(WebAuthnCredentialStore store) {
        this.store = store;
    }

    @Override
    public Set<PublicKeyCredentialDescriptor> getCredentialIdsForUsername(String username) {
        return store.webAuthnCredentials(username).stream().filter(c -> !c.flagged())
                .map(c -> PublicKeyCredentialDescriptor.builder().id(new ByteArray(c.credentialId())).build())
                .collect(Collectors.toSet());
    }

    @Override
    public Optional<ByteArray> getUserHandleForUsername(String username) {
        return store.webAuthnCredentials(username).stream().findFirst().map(c -> new ByteArray(c.userHandle()));
    }

    @Override
    public Optional<String> getUsernameForUserHandle(ByteArray userHandle) {
        return store.usernameForUserHandle(userHandle.getBytes());
    }

    @Override
    public Optional<RegisteredCredential> lookup(ByteArray credentialId, ByteArray userHandle) {
        return store.findWebAuthnCredential(credentialId.getBytes())
                .filter(c -> !c.flagged() && Arrays.equals(c.userHandle(), userHandle.getBytes()))
                .map(StoreCredentialRepository::registered);
    }

    @Override
    public Set<RegisteredCredential> lookupAll(ByteArray credentialId) {
        return store.findWebAuthnCredential(credentialId.getBytes()).stream()
                .map(StoreCredentialRepository::registered).collect(Collectors.toSet());
    }

    private static RegisteredCredential registered(WebAuthnCredential c) {
        return RegisteredCredential.builder().credentialId(new ByteArray(c.credentialId()))
                .userHandle(new ByteArray(c.userHandle())).publicKeyCose(new ByteArray(c.publicKeyCose()))
                .signatureCount(c.signatureCount()).build();
    }
}
