package org.opencluster.auth.token.piv;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.opencluster.auth.token.EncryptionScheme;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.PinSource;
import org.opencluster.auth.token.PinStatus;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.TokenOperation;

/**
 * One key slot of a PIV card as a {@link Token}: one token per slot, because PIV assigns each slot a purpose.
 * Slot 9A (authentication), 9C (signature, PIN before every use) and 9E (card authentication, no PIN) sign;
 * slot 9D (key management) does ECDH. Open with {@link PivCards}.
 *
 * <p>Each operation runs in one exclusive PC/SC transaction: SELECT PIV, the PIN check of the {@link PinPolicy},
 * GENERAL AUTHENTICATE. ECDSA: the message is hashed here (SHA-256 for P-256, SHA-384 for P-384) and the card
 * signs the hash; the signature is verified against the public key before it is returned, so a certificate that
 * does not belong to the card's key is reported at once rather than as a failed login later.
 *
 * <p>A card removed (or reset by another program) after opening makes every later operation fail with
 * {@link TokenError#TOKEN_REMOVED}; reinserting does not revive this object: open the slot again.
 */
public final class PivToken implements Token {
    /** Salts of RSA-PSS signatures; SecureRandom is thread-safe. */
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
    private final PivConnection connection;
    private final PivSlot slot;
    private final PivAlgorithm algorithm;
    private final PublicKey publicKey;
    private final List<X509Certificate> chain;
    private final KeyType keyType;
    private final PinSource pinSource;
    private final PinPolicy pinPolicy;
    private final String label;
    private boolean verifiedByThisToken;
    private boolean closed;

    PivToken(PivConnection connection, PivSlot slot, PivAlgorithm algorithm, PublicKey publicKey,
             List<X509Certificate> chain, PinSource pinSource, PinPolicy pinPolicy) {
        this.connection = connection;
        this.slot = slot;
        this.algorithm = algorithm;
        this.publicKey = publicKey;
        this.chain = List.copyOf(chain);
        this.keyType = algorithm.keyType();
        this.pinSource = pinSource;
        this.pinPolicy = pinPolicy;
        this.label = connection.readerName() + "/" + slot.hex();
    }

    /** "reader name/slot", e.g. {@code "Yubico YubiKey OTP+FIDO+CCID 00 00/9A"}. */
    @Override
    public String label() {
        return label;
    }

    public PivSlot slot() {
        return slot;
    }

    public PivAlgorithm algorithm() {
        return algorithm;
    }

    @Override
    public List<X509Certificate> certificateChain() {
        return chain;
    }

    @Override
    public PublicKey publicKey() {
        return publicKey;
    }

    @Override
    public KeyType keyType() {
        return keyType;
    }

    @Override
    public Set<TokenOperation> operations() {
        if (slot == PivSlot.KEY_MANAGEMENT) {
            // PIV's key-management slot: key agreement with EC, key transport (decryption) with RSA.
            return EnumSet.of(algorithm.isRsa() ? TokenOperation.DECRYPT : TokenOperation.KEY_AGREEMENT);
        }
        return EnumSet.of(TokenOperation.SIGN);
    }

    /**
     * What the card says about the PIN now, without spending a try: retries left, or {@code retriesLeft == -1}
     * when the card is currently verified (it then does not say), {@code locked} when blocked.
     */
    public synchronized PinStatus pinStatus() throws TokenException {
        ensureOpen();
        try {
            int left = connection.transact(PivClient::pinTriesLeft);
            return statusOf(left);
        } catch (PivCardException e) {
            throw toTokenException("read the PIN status of " + label, e);
        }
    }

    @Override
    public synchronized byte[] sign(SignatureScheme scheme, byte[] message) throws TokenException {
        ensureOpen();
        if (!signatureSchemes().contains(scheme)) {
            throw new TokenException(TokenError.MECHANISM_UNSUPPORTED, "'" + label + "' cannot sign with " + scheme
                    + (operations().contains(TokenOperation.SIGN) ? "; it holds a " + keyType + " key"
                    : ": slot 9D is for key agreement; sign with slot 9A"));
        }
        byte[] signature = algorithm.isRsa() ? rsaSign(scheme, message) : ecdsaSign(scheme, message);
        // Never returned unverified: a certificate that belongs to another key shows here, not as a failed login.
        if (!verifies(scheme, message, signature)) {
            throw new TokenException(TokenError.DEVICE_ERROR, "the signature from " + label + " does not verify with"
                    + " the slot's public key: the certificate in slot " + slot.hex() + " belongs to another key;"
                    + " provision the slot again");
        }
        return signature;
    }

    /** The message hashed here (SHA-256 for P-256, SHA-384 for P-384), the hash signed by the card. */
    private byte[] ecdsaSign(SignatureScheme scheme, byte[] message) throws TokenException {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance(algorithm == PivAlgorithm.EC_P256 ? "SHA-256" : "SHA-384")
                    .digest(message);
        } catch (GeneralSecurityException e) {
            throw new TokenException(TokenError.MECHANISM_UNSUPPORTED, "this JVM lacks the hash of " + scheme, e);
        }
        byte[] signature = withPin("sign with " + label, c -> c.sign(slot, algorithm, hash));
        try {
            return EcdsaDer.requireStrict(signature, algorithm.fieldBytes());
        } catch (IllegalArgumentException e) {
            throw new TokenException(TokenError.DEVICE_ERROR, "the card '" + label + "' answered a malformed"
                    + " signature (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public synchronized byte[] agree(PublicKey peerPublicKey) throws TokenException {
        ensureOpen();
        if (!operations().contains(TokenOperation.KEY_AGREEMENT)) {
            throw new TokenException(TokenError.MECHANISM_UNSUPPORTED, "'" + label + "' " + (algorithm.isRsa()
                    ? "holds an RSA key, which signs or decrypts but does no key agreement"
                    : "is a signing slot; use slot 9D (key management) for key agreement"));
        }
        if (EcPoints.algorithmOf(peerPublicKey).orElse(null) != algorithm
                || !EcPoints.isOnCurve((ECPublicKey) peerPublicKey)) {
            throw new TokenException(TokenError.INVALID_PEER_KEY, "the peer key is not a point on "
                    + algorithm.curveName() + ", the curve of " + label);
        }
        ECPublicKey peer = (ECPublicKey) peerPublicKey;
        return withPin("do ECDH with " + label, c -> c.deriveSharedSecret(slot, algorithm, peer));
    }

    /** PSS-encoded here, the raw RSA operation on the card, all under one PIN check. */
    private byte[] rsaSign(SignatureScheme scheme, byte[] message) throws TokenException {
        return CardRsa.signPss((java.security.interfaces.RSAPublicKey) publicKey, scheme, message, RANDOM,
                block -> withPin("sign with " + label, c -> c.sign(slot, algorithm, block)));
    }

    /** RSA-OAEP with the key-management slot's RSA key (PIV key transport). */
    @Override
    public synchronized byte[] decrypt(EncryptionScheme scheme, byte[] ciphertext) throws TokenException {
        ensureOpen();
        if (!operations().contains(TokenOperation.DECRYPT)) {
            throw new TokenException(TokenError.MECHANISM_UNSUPPORTED, "'" + label + "' holds a " + keyType
                    + " key in slot " + slot.hex() + ", which cannot decrypt " + scheme
                    + (algorithm.isRsa() ? "; decrypt with slot 9D" : ""));
        }
        return CardRsa.decryptOaep((java.security.interfaces.RSAPublicKey) publicKey, scheme, ciphertext,
                block -> withPin("decrypt with " + label, c -> c.sign(slot, algorithm, block)));
    }

    /** Runs {@code work} with the PIN handled as the policy says; see {@link PinPolicy}. */
    private byte[] withPin(String what, PivConnection.CardWork<byte[]> work) throws TokenException {
        try {
            return connection.transact(c -> {
                authorise(c);
                try {
                    return work.run(c);
                } finally {
                    if (pinPolicy == PinPolicy.EVERY_OPERATION && slot != PivSlot.CARD_AUTHENTICATION) {
                        forgetVerification(c);
                    }
                }
            });
        } catch (PivCardException e) {
            throw toTokenException(what, e);
        }
    }

    private void authorise(PivClient c) throws PivCardException, TokenException {
        if (slot == PivSlot.CARD_AUTHENTICATION) {
            return; // 9E is usable without a PIN by definition (SP 800-73-4, physical access control)
        }
        int before = c.pinTriesLeft();
        boolean keep = pinPolicy == PinPolicy.KEEP_CARD_VERIFIED && slot != PivSlot.SIGNATURE;
        if (keep && verifiedByThisToken && before == -1) {
            return;
        }
        if (before == 0) {
            throw new TokenException(TokenError.PIN_LOCKED, "the PIN of the card in '" + connection.readerName()
                    + "' is blocked: unblock it with the PUK (yubico-piv-tool -a unblock-pin)", statusOf(0), null);
        }
        char[] pin = pinSource.readPin();
        try {
            c.verifyPin(pin);
            verifiedByThisToken = true;
        } catch (PivCardException e) {
            if (e.error() == PivCardError.INVALID_ARGUMENT) {
                throw new TokenException(TokenError.WRONG_PIN, "a PIV PIN has 6 to 8 printable ASCII characters; no"
                        + " attempt was spent (" + statusOf(before).describe() + ")", statusOf(before), null);
            }
            throw e;
        } finally {
            Arrays.fill(pin, '\0');
        }
    }

    private static void forgetVerification(PivClient c) {
        try {
            c.resetPinStatus();
        } catch (PivCardException e) {
            // Card gone (nothing to forget) or a card without the SP 800-73-4 reset: its state ends at removal.
        }
    }

    private boolean verifies(SignatureScheme scheme, byte[] message, byte[] signature) {
        try {
            Signature v = Signature.getInstance(scheme.jcaAlgorithm());
            if (scheme.jcaParameters().isPresent()) {
                v.setParameter(scheme.jcaParameters().get());
            }
            v.initVerify(publicKey);
            v.update(message);
            return v.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false; // malformed DER from the card is as bad as a wrong signature
        }
    }

    /** The card's counter as read; PIV does not tell the try limit, so "count low" is only set after a wrong PIN. */
    private static PinStatus statusOf(int left) {
        if (left < 0) {
            return PinStatus.UNKNOWN;
        }
        return new PinStatus(left, false, left == 1, left == 0);
    }

    private static PinStatus afterWrongPin(int left) {
        return new PinStatus(Math.max(left, 0), true, left == 1, left <= 0);
    }

    static TokenException toTokenException(String what, PivCardException e) {
        String m = "cannot " + what + ": " + e.getMessage();
        switch (e.error()) {
            case CARD_REMOVED:
                return new TokenException(TokenError.TOKEN_REMOVED, "cannot " + what + ": the card was removed or"
                        + " reset; insert it and open the token again", e);
            case WRONG_PIN:
                return new TokenException(TokenError.WRONG_PIN, "wrong PIN, cannot " + what + ": "
                        + afterWrongPin(e.triesLeft()).describe(), afterWrongPin(e.triesLeft()), e);
            case BLOCKED:
                return new TokenException(TokenError.PIN_LOCKED, "the PIN is blocked (" + what + "): unblock it with"
                        + " the PUK", afterWrongPin(0), e);
            case NOT_FOUND:
                return new TokenException(TokenError.KEY_NOT_FOUND, m + " (generate a key in the slot first)", e);
            case TRANSPORT:
            default:
                return new TokenException(TokenError.DEVICE_ERROR, m, e);
        }
    }

    private void ensureOpen() throws TokenException {
        if (closed) {
            throw new TokenException(TokenError.TOKEN_CLOSED, "'" + label + "' has been closed");
        }
    }

    /** Makes the card forget a kept PIN verification (best effort) and releases the connection. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (verifiedByThisToken && pinPolicy == PinPolicy.KEEP_CARD_VERIFIED) {
            try {
                connection.transact(c -> {
                    forgetVerification(c);
                    return null;
                });
            } catch (PivCardException | TokenException e) {
                // card already gone: its verification went with it
            }
        }
        connection.close();
    }

    @Override
    public String toString() {
        return "PivToken[" + label + ", " + keyType + ", " + pinPolicy + "]";
    }
}
