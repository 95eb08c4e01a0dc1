package org.opencluster.auth.server.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A stored account. People get their credential as a passphrase envelope that only they can open; services hold
 * their key in their own token, so the server keeps only the public key and certificate.
 */
public final class Account {
    /** The two kinds of account of the design note. */
    public enum Kind { PERSON, SERVICE }

    /**
     * What an account may do. ENROLLING is a session's role only, never an account's: the role of a session opened
     * by a one-time code ({@code dispatch.Caller}), kept here so the store, which records roles, depends on no layer
     * above it.
     */
    public enum Role { USER, ADMIN, ENROLLING }

    private final long id;
    private final String username;
    private final Kind kind;
    private final Role role;
    private final byte[] publicKey;
    private final byte[] certificate;
    private final byte[] envelope;
    private final boolean disabled;
    private final Instant createdAt;
    private final byte[] opaqueRecord;

    public Account(long id, String username, Kind kind, Role role, byte[] publicKey, byte[] certificate,
            byte[] envelope, boolean disabled, Instant createdAt) {
        this(id, username, kind, role, publicKey, certificate, envelope, disabled, createdAt, null);
    }

    /** @param opaqueRecord the person's OPAQUE registration record (credential version 2), or null */
    public Account(long id, String username, Kind kind, Account.Role role, byte[] publicKey, byte[] certificate,
            byte[] envelope, boolean disabled, Instant createdAt, byte[] opaqueRecord) {
        this.id = id;
        this.username = Objects.requireNonNull(username, "username");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.role = Objects.requireNonNull(role, "role");
        this.publicKey = publicKey == null ? null : publicKey.clone();
        this.certificate = certificate == null ? null : certificate.clone();
        this.envelope = envelope == null ? null : envelope.clone();
        this.disabled = disabled;
        this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
        this.opaqueRecord = opaqueRecord == null ? null : opaqueRecord.clone();
    }

    /** The OPAQUE registration record of a credential-version-2 person, a copy. */
    public Optional<byte[]> opaqueRecord() {
        return Optional.ofNullable(opaqueRecord).map(byte[]::clone);
    }

    /**
     * The credential version (docs/PROTOCOL.md 5.5.6): 2 with an OPAQUE record, 1 for a person with an envelope
     * only, 0 for an account without a passphrase envelope.
     */
    public int credentialVersion() {
        return opaqueRecord != null ? 2 : envelope != null ? 1 : 0;
    }

    public long id() {
        return id;
    }

    public String username() {
        return username;
    }

    public Kind kind() {
        return kind;
    }

    public Role role() {
        return role;
    }

    /**
     * SubjectPublicKeyInfo (DER), a copy.
     *
     * @throws IllegalStateException for a person who enrolled with a security key only ({@link #hasPublicKey()})
     */
    public byte[] publicKey() {
        if (publicKey == null) {
            throw new IllegalStateException(username + " has no key pair, only security keys");
        }
        return publicKey.clone();
    }

    /** False for a person whose only credentials are WebAuthn security keys. */
    public boolean hasPublicKey() {
        return publicKey != null;
    }

    /** X.509 certificate (DER), a copy. */
    public Optional<byte[]> certificate() {
        return Optional.ofNullable(certificate).map(byte[]::clone);
    }

    /** The passphrase envelope of a person, a copy. */
    public Optional<byte[]> envelope() {
        return Optional.ofNullable(envelope).map(byte[]::clone);
    }

    public boolean disabled() {
        return disabled;
    }

    public Instant createdAt() {
        return createdAt;
    }

    @Override
    public String toString() {
        return "Account[" + username + ", " + kind + ", " + role + (disabled ? ", disabled" : "") + "]";
    }
}
