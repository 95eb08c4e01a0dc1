package org.opencluster.auth.server.provision;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * Which account keys the CA certifies (configuration keys {@code keys.allowed}, {@code keys.rsa-min-bits}). Checked
 * at every enrolment path before anything is signed: a key the handshake cannot use (a brainpool curve) or that is
 * too weak (RSA-1024) would otherwise be certified and give an account that is dead or easy to forge.
 *
 * @param allowed    the key types that may enrol
 * @param rsaMinBits the smallest RSA modulus accepted, in bits
 */
public record KeyPolicy(Set<Type> allowed, int rsaMinBits) {
    /** The key types the handshake can prove with, by their configuration name. */
    public enum Type {
        P_256("P-256"), P_384("P-384"), ED25519("Ed25519"), X25519("X25519"), RSA("RSA");

        private final String configName;

        Type(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        static Type parse(String name) {
            for (Type t : values()) {
                if (t.configName.equalsIgnoreCase(name)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown key type '" + name + "' (known: "
                    + Arrays.stream(values()).map(Type::configName).collect(Collectors.joining(", ")) + ")");
        }
    }

    /** Smallest RSA modulus the configuration may allow: below it, factoring is within reach. */
    public static final int RSA_FLOOR_BITS = 2048;
    /** P-256, P-384, Ed25519, X25519 and RSA of at least 2048 bits. */
    public static final KeyPolicy DEFAULT = new KeyPolicy(EnumSet.allOf(Type.class), RSA_FLOOR_BITS);

    private static final String EC = "1.2.840.10045.2.1";
    private static final String P256 = "1.2.840.10045.3.1.7";
    private static final String P384 = "1.3.132.0.34";
    private static final String ED25519_OID = "1.3.101.112";
    private static final String X25519_OID = "1.3.101.110";
    private static final String RSA_OID = "1.2.840.113549.1.1.1";

    public KeyPolicy {
        if (allowed.isEmpty()) {
            throw new IllegalArgumentException("keys.allowed must name at least one key type");
        }
        allowed = Collections.unmodifiableSet(EnumSet.copyOf(allowed));
        if (rsaMinBits < RSA_FLOOR_BITS || rsaMinBits > 16384) {
            throw new IllegalArgumentException("keys.rsa-min-bits must be " + RSA_FLOOR_BITS + "..16384, got "
                    + rsaMinBits);
        }
    }

    /** {@code keys.allowed}: a comma-separated list of key type names. */
    public KeyPolicy withAllowed(String list) {
        Set<Type> types = EnumSet.noneOf(Type.class);
        for (String part : list.split(",")) {
            if (!part.isBlank()) {
                types.add(Type.parse(part.strip()));
            }
        }
        return new KeyPolicy(types, rsaMinBits);
    }

    /** {@code keys.rsa-min-bits}. */
    public KeyPolicy withRsaMinBits(int bits) {
        return new KeyPolicy(allowed, bits);
    }

    /**
     * Refuses a key this policy does not allow.
     *
     * @throws IllegalArgumentException naming the key's type and what the policy allows
     */
    public void check(SubjectPublicKeyInfo spki) {
        Objects.requireNonNull(spki, "spki");
        AlgorithmIdentifier alg = spki.getAlgorithm();
        String oid = alg.getAlgorithm().getId();
        Type type;
        switch (oid) {
            case EC:
                type = curve(alg);
                break;
            case ED25519_OID:
                type = Type.ED25519;
                break;
            case X25519_OID:
                type = Type.X25519;
                break;
            case RSA_OID:
                type = Type.RSA;
                int bits = rsaBits(spki);
                if (bits < rsaMinBits) {
                    throw refused("an RSA key of " + bits + " bits (the least is " + rsaMinBits + ")");
                }
                break;
            default:
                throw refused("a key of algorithm " + oid);
        }
        if (!allowed.contains(type)) {
            throw refused("a " + type.configName() + " key");
        }
    }

    private Type curve(AlgorithmIdentifier alg) {
        if (!(alg.getParameters() instanceof ASN1ObjectIdentifier)) {
            throw refused("an EC key with explicit or absent curve parameters");
        }
        String curve = ((ASN1ObjectIdentifier) alg.getParameters()).getId();
        if (curve.equals(P256)) {
            return Type.P_256;
        }
        if (curve.equals(P384)) {
            return Type.P_384;
        }
        String name = org.bouncycastle.asn1.x9.ECNamedCurveTable.getName((ASN1ObjectIdentifier) alg.getParameters());
        throw refused("an EC key on curve " + (name != null ? name : curve));
    }

    private int rsaBits(SubjectPublicKeyInfo spki) {
        try {
            ASN1Primitive key = spki.parsePublicKey();
            return RSAPublicKey.getInstance(key).getModulus().bitLength();
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the RSA public key does not decode", e);
        }
    }

    private IllegalArgumentException refused(String what) {
        return new IllegalArgumentException("the server's key policy refuses " + what + "; allowed: "
                + allowed.stream().map(t -> t == Type.RSA ? "RSA >= " + rsaMinBits + " bits" : t.configName())
                        .collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return "KeyPolicy[" + allowed.stream().map(Type::configName).collect(Collectors.joining(","))
                + ", rsa-min-bits=" + rsaMinBits + "]";
    }
}
