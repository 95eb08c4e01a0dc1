package org.opencluster.auth.protocol.suite;

import java.util.Objects;

/**
 * One negotiable combination of key-exchange group, record AEAD and hash (HKDF, HMAC, transcript). Instances are
 * only created by {@link SuiteRegistry}, the single place where suites are defined.
 *
 * @param id    16-bit wire id, as carried in the suite policy and the client's choice
 * @param name  stable display name, e.g. {@code OCA_X25519_AES_256_GCM_SHA384}
 */
public record CipherSuite(int id, String name, KeyExchangeGroup group, AeadAlgorithm aead, HashAlgorithm hash) {

    public CipherSuite {
        if (id <= 0 || id > 0xffff) {
            throw new IllegalArgumentException("suite id must be 0x0001-0xffff: " + id);
        }
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(aead, "aead");
        Objects.requireNonNull(hash, "hash");
    }

    /** The id as 0xhhhh. */
    public String hexId() {
        return String.format("0x%04x", id);
    }

    @Override
    public String toString() {
        return name + "(" + hexId() + ")";
    }
}
