package org.opencluster.auth.protocol.suite;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one place where cipher suites are defined. A policy, a handshake or an admin command can only name a suite
 * that is in the registry; adding a suite means adding one line to {@link #standard()} (and, for a new group or
 * AEAD, one constant in {@link KeyExchangeGroup} or {@link AeadAlgorithm} with its implementation class). A suite
 * whose AEAD or group this JVM cannot serve is refused when the registry is built.
 */
public final class SuiteRegistry {

    /** X25519MLKEM768 (post-quantum hybrid) + AES-256-GCM, SHA-384. */
    public static final int OCA_X25519MLKEM768_AES_256_GCM_SHA384 = 0x0105;
    /** X25519MLKEM768 (post-quantum hybrid) + ChaCha20-Poly1305, SHA-256. */
    public static final int OCA_X25519MLKEM768_CHACHA20_POLY1305_SHA256 = 0x0106;

    /** X25519 + AES-256-GCM, SHA-384 for HKDF and the transcript (the TLS 1.3 pairing for AES-256). */
    public static final int OCA_X25519_AES_256_GCM_SHA384 = 0x0101;
    /** X25519 + ChaCha20-Poly1305, SHA-256. */
    public static final int OCA_X25519_CHACHA20_POLY1305_SHA256 = 0x0102;
    /** P-256 ECDH + AES-256-GCM, SHA-384. */
    public static final int OCA_P256_AES_256_GCM_SHA384 = 0x0103;
    /** P-256 ECDH + ChaCha20-Poly1305, SHA-256. */
    public static final int OCA_P256_CHACHA20_POLY1305_SHA256 = 0x0104;

    private static final SuiteRegistry STANDARD = builder()
            .define(OCA_X25519MLKEM768_AES_256_GCM_SHA384, "OCA_X25519MLKEM768_AES_256_GCM_SHA384",
                    KeyExchangeGroup.X25519MLKEM768, AeadAlgorithm.AES_256_GCM, HashAlgorithm.SHA384)
            .define(OCA_X25519MLKEM768_CHACHA20_POLY1305_SHA256, "OCA_X25519MLKEM768_CHACHA20_POLY1305_SHA256",
                    KeyExchangeGroup.X25519MLKEM768, AeadAlgorithm.CHACHA20_POLY1305, HashAlgorithm.SHA256)
            .define(OCA_X25519_AES_256_GCM_SHA384, "OCA_X25519_AES_256_GCM_SHA384",
                    KeyExchangeGroup.X25519, AeadAlgorithm.AES_256_GCM, HashAlgorithm.SHA384)
            .define(OCA_X25519_CHACHA20_POLY1305_SHA256, "OCA_X25519_CHACHA20_POLY1305_SHA256",
                    KeyExchangeGroup.X25519, AeadAlgorithm.CHACHA20_POLY1305, HashAlgorithm.SHA256)
            .define(OCA_P256_AES_256_GCM_SHA384, "OCA_P256_AES_256_GCM_SHA384",
                    KeyExchangeGroup.P256, AeadAlgorithm.AES_256_GCM, HashAlgorithm.SHA384)
            .define(OCA_P256_CHACHA20_POLY1305_SHA256, "OCA_P256_CHACHA20_POLY1305_SHA256",
                    KeyExchangeGroup.P256, AeadAlgorithm.CHACHA20_POLY1305, HashAlgorithm.SHA256)
            .build();

    private final Map<Integer, CipherSuite> byId;

    private SuiteRegistry(Map<Integer, CipherSuite> byId) {
        this.byId = Collections.unmodifiableMap(new LinkedHashMap<>(byId));
    }

    /** The suites of protocol version 1, in the default preference order (immutable). */
    public static SuiteRegistry standard() {
        return STANDARD;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Optional<CipherSuite> byId(int id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** The suite with {@code id}, or {@link SuiteError#UNKNOWN_SUITE}. */
    public CipherSuite require(int id) throws SuiteException {
        CipherSuite suite = byId.get(id);
        if (suite == null) {
            throw new SuiteException(SuiteError.UNKNOWN_SUITE,
                    String.format("suite id 0x%04x is not defined; known: %s", id, byId.values()));
        }
        return suite;
    }

    /** Every defined suite, in definition (default preference) order. */
    public List<CipherSuite> all() {
        return List.copyOf(byId.values());
    }

    /** Builds a registry; ids and names must be unique. */
    public static final class Builder {
        private final Map<Integer, CipherSuite> suites = new LinkedHashMap<>();
        private final List<String> names = new ArrayList<>();

        private Builder() {
        }

        public Builder define(int id, String name, KeyExchangeGroup group, AeadAlgorithm aead, HashAlgorithm hash) {
            CipherSuite suite = new CipherSuite(id, name, group, aead, hash);
            if (suites.containsKey(id)) {
                throw new IllegalArgumentException("suite id defined twice: " + suite.hexId());
            }
            if (names.contains(name)) {
                throw new IllegalArgumentException("suite name defined twice: " + name);
            }
            requireServable(suite);
            suites.put(id, suite);
            names.add(name);
            return this;
        }

        /**
         * The record layer and the handshake must be able to serve the suite: the AEAD's cipher exists in this JVM
         * and its nonce can carry the 64-bit sequence; the group has an implementation that says it is that group.
         */
        private static void requireServable(CipherSuite suite) {
            AeadAlgorithm aead = suite.aead();
            try {
                aead.newCipher();
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalArgumentException(suite + ": " + aead.displayName() + " (" + aead.transformation()
                        + ") is not available in this JVM", e);
            }
            if (aead.nonceLength() < AeadAlgorithm.MIN_NONCE_LENGTH || aead.tagLength() <= 0
                    || aead.keyLength() <= 0) {
                throw new IllegalArgumentException(suite + ": the record layer cannot serve " + aead.displayName());
            }
            KeyExchange exchange = suite.group().keyExchange();
            if (exchange == null || exchange.group() != suite.group()) {
                throw new IllegalArgumentException(suite + ": no key exchange implements " + suite.group());
            }
        }

        public SuiteRegistry build() {
            if (suites.isEmpty()) {
                throw new IllegalStateException("a suite registry needs at least one suite");
            }
            return new SuiteRegistry(suites);
        }
    }
}
