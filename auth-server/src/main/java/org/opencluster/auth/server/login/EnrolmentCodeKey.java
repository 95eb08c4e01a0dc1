package org.opencluster.auth.server.login;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import org.opencluster.auth.protocol.handshake.EnrolmentCodes;
import org.opencluster.auth.protocol.suite.HashAlgorithm;
import org.opencluster.auth.protocol.suite.Hkdf;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.store.AccountStore;
import org.opencluster.auth.server.store.EnrolmentCode;

/**
 * What the store keeps of an enrolment code: {@code verifier = HMAC-SHA256(code_key, code_hash)}, where
 * {@code code_hash = SHA-256(code)} is what the client sends in its enrolment proof (docs/PROTOCOL.md 5.5.3) and
 * {@code code_key} is derived from the decoy secret, which lives in the data directory's key files, never in the
 * database. A copy of the database alone therefore holds nothing a client could send; and since the verifier is
 * one-way, not even the database together with the key files gives a code (codes carry 120 random bits).
 */
public final class EnrolmentCodeKey {
    /** HKDF label (SHA-256, prefix "oca1 ") of the code key under the decoy secret; server-internal. */
    static final String CODE_KEY_LABEL = "enrolment code verifier";
    /** Bytes of {@code code_hash} (SHA-256). */
    public static final int CODE_HASH_LENGTH = 32;

    private final byte[] key;
    private final SecureRandom random;

    private EnrolmentCodeKey(byte[] key, SecureRandom random) {
        this.key = key;
        this.random = random;
    }

    /** The key under the server's decoy secret (file {@code decoy.secret}, shared by every node of a cluster). */
    public static EnrolmentCodeKey fromDecoySecret(byte[] decoySecret, SecureRandom random) {
        byte[] prk = Hkdf.extract(HashAlgorithm.SHA256, new byte[0], decoySecret);
        try {
            return new EnrolmentCodeKey(Hkdf.expandLabel(HashAlgorithm.SHA256, prk, CODE_KEY_LABEL, new byte[0], 32),
                    random);
        } finally {
            Arrays.fill(prk, (byte) 0);
        }
    }

    /** The stored form of the code whose {@code code_hash} a client presented. */
    public byte[] verifier(byte[] codeHash) {
        return Hkdf.hmac(HashAlgorithm.SHA256, key, codeHash);
    }

    /**
     * Makes a new one-time code, stores only its verifier and returns the code itself, to be shown once.
     *
     * @param username the one name the code may enrol, or empty for any name (the first admin's code)
     */
    public String issue(AccountStore store, String purpose, Optional<String> username, Account.Role role,
            Account.Kind kind, Instant expiresAt) {
        NewCode c = make(purpose, username, role, kind, expiresAt);
        store.addEnrolmentCode(c.stored());
        return c.code();
    }

    /** A new one-time code and what the store is to keep of it, for a caller that stores it in its own transaction. */
    public NewCode make(String purpose, Optional<String> username, Account.Role role, Account.Kind kind,
            Instant expiresAt) {
        String code = EnrolmentCodes.generate(random);
        byte[] codeHash = EnrolmentCodes.hash(code);
        try {
            return new NewCode(code, new EnrolmentCode(verifier(codeHash), purpose, username, role, kind, expiresAt));
        } finally {
            Arrays.fill(codeHash, (byte) 0);
        }
    }

    /** A code to show once, and its stored form. */
    public record NewCode(String code, EnrolmentCode stored) {
    }
}
