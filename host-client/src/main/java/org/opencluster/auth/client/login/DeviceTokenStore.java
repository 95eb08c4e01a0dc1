package org.opencluster.auth.client.login;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a client keeps its device tokens (docs/PROTOCOL.md section 5.14), one per server key and username. A
 * client with a store sends the DEVICE_TOKEN extension in LOGIN_REQUEST (its token, or empty for "none yet") and
 * saves the token a successful LOGIN_RESULT carries. A device token is not a credential: it only tells the server
 * "this device logged in to this account before", which exempts it from the lock strangers can cause.
 */
public interface DeviceTokenStore {
    /**
     * The token kept for this server and name.
     *
     * @param serverKey the server key's fingerprint ({@code SHA256:...} of its SubjectPublicKeyInfo)
     */
    Optional<byte[]> find(String serverKey, String username);

    /** Keeps {@code token} for this server and name, replacing any older one. */
    void save(String serverKey, String username, byte[] token);

    /** A store in memory (tests, or a process that logs in many times). */
    static DeviceTokenStore inMemory() {
        Map<String, byte[]> tokens = new ConcurrentHashMap<>();
        return new DeviceTokenStore() {
            @Override
            public Optional<byte[]> find(String serverKey, String username) {
                return Optional.ofNullable(tokens.get(serverKey + " " + username)).map(byte[]::clone);
            }

            @Override
            public void save(String serverKey, String username, byte[] token) {
                tokens.put(serverKey + " " + username, token.clone());
            }
        };
    }
}
