package org.opencluster.auth.server.provision;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.opencluster.auth.server.ca.ClusterCa;
import org.opencluster.auth.protocol.handshake.EnvelopeField;
import org.opencluster.auth.protocol.names.AccountNames;
import org.opencluster.auth.protocol.pake.PakeException;
import org.opencluster.auth.protocol.pake.RegistrationRecord;
import org.opencluster.auth.server.login.HandshakeSettings;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.store.AccountStore;
import org.opencluster.auth.server.store.EnrolmentCodeUse;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.envelope.EnvelopePolicy;
import org.opencluster.auth.token.envelope.KdfParameters;
import org.opencluster.auth.token.envelope.PassphraseEnvelope;

/**
 * Server side of provisioning, the one place an account comes into being (the ENROL_ACCOUNT command and local
 * tooling both end here). The server sees only a certification request signed by the new key: the CA checks its
 * signature (proof of possession) and certifies the key under the name the server chose. A person's account also
 * stores the envelope the person's own client sealed; a service's key is generated inside its own PKCS#11 token and
 * never leaves it, so its account has no envelope (at login the server sends the decoy an unknown name gets, and
 * the service's client ignores it).
 */
public final class AccountEnrolment {
    private final ClusterCa ca;
    private final AccountStore store;
    private final KeyPolicy keys;
    private final EnvelopePolicy envelopes;

    /** The server's default floor on envelope KDF parameters: what clients seal with by default (64 MiB, t = 3). */
    public static final KdfParameters DEFAULT_KDF_FLOOR = KdfParameters.DEFAULT;

    /** With the default key policy ({@link KeyPolicy#DEFAULT}) and KDF floor ({@link #DEFAULT_KDF_FLOOR}). */
    public AccountEnrolment(ClusterCa ca, AccountStore store) {
        this(ca, store, KeyPolicy.DEFAULT, DEFAULT_KDF_FLOOR);
    }

    /** With the default KDF floor ({@link #DEFAULT_KDF_FLOOR}). */
    public AccountEnrolment(ClusterCa ca, AccountStore store, KeyPolicy keys) {
        this(ca, store, keys, DEFAULT_KDF_FLOOR);
    }

    /**
     * @param kdfFloor the least Argon2id cost an envelope may carry (configuration keys {@code envelope.min-*}): a
     *                 client that seals cheaper envelopes is refused with {@code KDF_TOO_WEAK}
     */
    public AccountEnrolment(ClusterCa ca, AccountStore store, KeyPolicy keys, KdfParameters kdfFloor) {
        this.ca = Objects.requireNonNull(ca, "ca");
        this.store = Objects.requireNonNull(store, "store");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.envelopes = EnvelopePolicy.builder().floor(kdfFloor).build();
    }

    /**
     * Certifies the request's key for {@code name} and creates the SERVICE account.
     *
     * @return the chain to store back on the service's token: the issued certificate, then the CA certificate
     * @throws IllegalArgumentException when the request's signature does not verify, the key policy refuses the key
     *                                  or the name is invalid
     * @throws org.opencluster.auth.server.store.StoreException (conflict) when the name is taken
     */
    public List<X509Certificate> enrol(String name, Account.Role role, PKCS10CertificationRequest csr,
            Duration validity) {
        return enrol(name, Account.Kind.SERVICE, role, csr, null, validity);
    }

    /**
     * Certifies the request's key for {@code name} and creates the account of {@code kind}.
     *
     * @param envelope the person's passphrase envelope; absent for a service, and for a person whose key is on a
     *                 card (the server then sends the decoy, which the card holder's client ignores)
     * @return the issued certificate, then the CA certificate
     */
    public List<X509Certificate> enrol(String name, Account.Kind kind, Account.Role role, PKCS10CertificationRequest csr,
            byte[] envelope, Duration validity) {
        return enrol(name, kind, role, csr, envelope, validity, Optional.empty());
    }

    /**
     * As above, using {@code code} up in the transaction that creates the account (ENROL_ACCOUNT): a code used
     * meanwhile is a {@link org.opencluster.auth.server.store.StoreException#codeUsedUp() conflict} and nothing is
     * signed or stored.
     */
    public List<X509Certificate> enrol(String name, Account.Kind kind, Account.Role role, PKCS10CertificationRequest csr,
            byte[] envelope, Duration validity, Optional<EnrolmentCodeUse> code) {
        return enrol(name, kind, role, csr, envelope, null, validity, code);
    }

    /**
     * As above, with the person's OPAQUE registration record ({@code opaqueRecord}, 129 bytes, or null): the
     * envelope is then sealed under the registration's export key and the account is at credential version 2 from
     * its first login (docs/PROTOCOL.md 8.1).
     */
    public List<X509Certificate> enrol(String name, Account.Kind kind, Account.Role role, PKCS10CertificationRequest csr,
            byte[] envelope, byte[] opaqueRecord, Duration validity, Optional<EnrolmentCodeUse> code) {
        AccountNames.require(name); // the one rule, whichever entry point the name came through
        checkEnvelope(name, kind, envelope, opaqueRecord);
        keys.check(csr.getSubjectPublicKeyInfo());
        return register(name, kind, role, csr.getSubjectPublicKeyInfo(), () -> ca.issue(name, subject(kind), csr,
                validity), envelope, opaqueRecord, code);
    }

    /**
     * Certifies a derive-only key whose possession the caller has verified by key agreement (it cannot sign a
     * request), for key agreement only, and creates the account of {@code kind}.
     */
    public List<X509Certificate> enrolKeyAgreement(String name, Account.Kind kind, Account.Role role,
            java.security.PublicKey key, byte[] envelope, Duration validity, Optional<EnrolmentCodeUse> code) {
        AccountNames.require(name);
        checkEnvelope(name, kind, envelope, null);
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(key.getEncoded());
        keys.check(spki);
        return register(name, kind, role, spki, () -> ca.issueForKeyAgreement(name, subject(kind), key, validity),
                envelope, null, code);
    }

    /**
     * Replaces the key of {@code current} (a logged-in account) by the key of {@code csr}, whose signature the CA
     * checks, with {@code envelope} (a person's new envelope, or empty for a key in a token). The name, kind and
     * role stay; the old key, certificate and envelope are gone once this returns.
     *
     * @throws IllegalArgumentException as {@link #enrol}, or when the key is the current one
     * @throws org.opencluster.auth.server.store.StoreException (conflict) when the account's key changed meanwhile
     */
    public List<X509Certificate> rekey(Account current, PKCS10CertificationRequest csr, byte[] envelope,
            Duration validity) {
        return rekey(current, csr, envelope, null, validity);
    }

    /**
     * As above, with the OPAQUE registration record of the new passphrase ({@code opaqueRecord}, or null): a
     * passphrase change at credential version 2, envelope and record replaced in one statement (docs/PROTOCOL.md
     * 8.3).
     */
    public List<X509Certificate> rekey(Account current, PKCS10CertificationRequest csr, byte[] envelope,
            byte[] opaqueRecord, Duration validity) {
        String name = current.username();
        checkEnvelope(name, current.kind(), envelope, opaqueRecord);
        keys.check(csr.getSubjectPublicKeyInfo());
        return replace(current, csr.getSubjectPublicKeyInfo(), () -> ca.issue(name, subject(current.kind()), csr,
                validity), envelope, opaqueRecord);
    }

    /** {@link #rekey} for a derive-only key whose possession the caller verified by key agreement. */
    public List<X509Certificate> rekeyKeyAgreement(Account current, java.security.PublicKey key, byte[] envelope,
            Duration validity) {
        String name = current.username();
        checkEnvelope(name, current.kind(), envelope, null);
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(key.getEncoded());
        keys.check(spki);
        return replace(current, spki, () -> ca.issueForKeyAgreement(name, subject(current.kind()), key, validity),
                envelope, null);
    }

    /** Refuses, before any key work, a key the policy would refuse at enrolment. */
    public void checkKey(SubjectPublicKeyInfo spki) {
        keys.check(spki);
    }

    private void checkEnvelope(String name, Account.Kind kind, byte[] envelope, byte[] opaqueRecord) {
        if (opaqueRecord != null) {
            checkOpaqueRecord(envelope, opaqueRecord);
        }
        if (envelope == null || envelope.length == 0) {
            return;
        }
        if (kind == Account.Kind.SERVICE) {
            throw new IllegalArgumentException("a service keeps its key in its token: no envelope");
        }
        // Checked here, not at the first login: an envelope the server cannot serve would leave an account nobody
        // can ever log in to (docs/PROTOCOL.md 8.1).
        int max = HandshakeSettings.DEFAULT_ENVELOPE_FIELD_LENGTH - EnvelopeField.LENGTH_PREFIX;
        if (envelope.length > max) {
            throw new IllegalArgumentException("an envelope of " + envelope.length + " bytes does not fit the "
                    + "ENVELOPE field (at most " + max + "); seal the key alone, or use a smaller key type");
        }
        try {
            PassphraseEnvelope.checkSealedFor(name, envelope, envelopes);
        } catch (TokenException e) {
            if (e.error() == org.opencluster.auth.token.TokenError.KDF_TOO_WEAK) {
                throw new WeakKdfException("the envelope is refused (" + e.error() + "): " + e.getMessage());
            }
            throw new IllegalArgumentException("the envelope is refused (" + e.error() + "): " + e.getMessage());
        }
    }

    /** A registration record goes with an envelope (sealed under its export key) and decodes (a point, 129 bytes). */
    private static void checkOpaqueRecord(byte[] envelope, byte[] opaqueRecord) {
        if (envelope == null || envelope.length == 0) {
            throw new IllegalArgumentException("an OPAQUE registration record comes with the envelope sealed under"
                    + " its export key");
        }
        try {
            RegistrationRecord.deserialize(opaqueRecord).wipe();
        } catch (PakeException e) {
            throw new IllegalArgumentException("the OPAQUE registration record is refused: " + e.getMessage());
        }
    }

    private static ClusterCa.Subject subject(Account.Kind kind) {
        return kind == Account.Kind.PERSON ? ClusterCa.Subject.PERSON : ClusterCa.Subject.SERVICE;
    }

    /**
     * Creates the account and only then, inside the store's transaction, has the CA sign: a taken name (or a store
     * that refuses) means nothing was signed, and a refused certification (bad request signature) leaves no account.
     */
    private List<X509Certificate> register(String name, Account.Kind kind, Account.Role role,
            SubjectPublicKeyInfo spki, Supplier<X509Certificate> issue, byte[] envelope, byte[] opaqueRecord,
            Optional<EnrolmentCodeUse> code) {
        X509Certificate[] issued = new X509Certificate[1];
        store.createCertifiedAccount(name, kind, role, encoded(spki), certification(issue, issued),
                envelope == null || envelope.length == 0 ? null : envelope, opaqueRecord, code);
        return List.of(issued[0], ca.certificate());
    }

    /** Swaps the key in the store (compare and set on the current key), the CA signing inside its transaction. */
    private List<X509Certificate> replace(Account current, SubjectPublicKeyInfo spki, Supplier<X509Certificate> issue,
            byte[] envelope, byte[] opaqueRecord) {
        byte[] newKey = encoded(spki);
        if (java.security.MessageDigest.isEqual(newKey, current.publicKey())) {
            throw new IllegalArgumentException("the new key is the current key: generate a new one");
        }
        X509Certificate[] issued = new X509Certificate[1];
        if (!store.replaceKey(current.username(), current.publicKey(), newKey, certification(issue, issued),
                envelope == null || envelope.length == 0 ? null : envelope, opaqueRecord)) {
            throw new org.opencluster.auth.server.store.StoreException("the key of " + current.username()
                    + " changed meanwhile", true, null);
        }
        return List.of(issued[0], ca.certificate());
    }

    private static AccountStore.Certification certification(Supplier<X509Certificate> issue,
            X509Certificate[] issued) {
        return () -> {
            issued[0] = issue.get();
            try {
                return issued[0].getEncoded();
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException("the issued certificate cannot be encoded", e);
            }
        };
    }

    private static byte[] encoded(SubjectPublicKeyInfo spki) {
        try {
            return spki.getEncoded();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("the public key does not encode", e);
        }
    }

    /** An envelope whose KDF parameters are below the server's floor (answered with {@code KDF_TOO_WEAK}). */
    public static final class WeakKdfException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        WeakKdfException(String message) {
            super(message);
        }
    }
}
