/*
 * docs/PROTOCOL.md section 5.11.2, computed by an implementation independent of the server's: the JDK's own
 * ML-KEM-768 (javax.crypto.KEM, JDK 24 and later), XDH (X25519) and HMAC, and the key schedule written from sections
 * 5.4.1 and 5.4.2. The server's code uses Bouncy Castle's ML-KEM and X25519 and its own HKDF.
 *
 * Run (JDK 25):  java docs/examples/HybridKeyExchangeExample.java
 * Checked by protocol's HybridWorkedExampleTest, which runs this file when a JDK 25 is found and compares its lines
 * with the section (and computes them itself with the server's code on any JDK).
 */
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.KEM;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public class HybridKeyExchangeExample {
    private static final HexFormat HEX = HexFormat.of();

    /** A "random" source that hands out exactly the given bytes, in order: the example's fixed inputs. */
    static final class Fixed extends SecureRandom {
        private final byte[] bytes;
        private int next;

        Fixed(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public void nextBytes(byte[] out) {
            if (next + out.length > bytes.length) {
                throw new IllegalStateException("the example's fixed input is used up");
            }
            System.arraycopy(bytes, next, out, 0, out.length);
            next += out.length;
        }
    }

    public static void main(String[] args) throws Exception {
        byte[] serverSeed = range(0x00, 64);      // FIPS 203 d || z
        byte[] clientM = range(0x40, 32);         // FIPS 203 m (the encapsulation's randomness)
        byte[] serverX = HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"); // RFC 7748 Bob
        byte[] clientX = HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"); // Alice
        byte[] thChoice = new byte[48];
        Arrays.fill(thChoice, (byte) 0x01);

        KeyPairGenerator kpg = KeyPairGenerator.getInstance("ML-KEM");
        kpg.initialize(NamedParameterSpec.ML_KEM_768, new Fixed(serverSeed));
        KeyPair serverKem = kpg.generateKeyPair();
        byte[] spki = serverKem.getPublic().getEncoded();
        byte[] ek = Arrays.copyOfRange(spki, spki.length - 1184, spki.length);
        KeyPair server25519 = x25519(serverX);
        KeyPair client25519 = x25519(clientX);
        byte[] serverShare = concat(ek, u(server25519.getPublic()));

        KEM.Encapsulated enc = KEM.getInstance("ML-KEM").newEncapsulator(serverKem.getPublic(), new Fixed(clientM))
                .encapsulate();
        byte[] ct = enc.encapsulation();
        byte[] mlkemSs = enc.key().getEncoded();
        byte[] x25519Ss = agree(client25519, u(server25519.getPublic()));
        byte[] clientShare = concat(ct, u(client25519.getPublic()));
        byte[] ecdhShared = concat(mlkemSs, x25519Ss);
        byte[] serverSide = concat(KEM.getInstance("ML-KEM").newDecapsulator(serverKem.getPrivate())
                .decapsulate(ct).getEncoded(), agree(server25519, u(client25519.getPublic())));
        if (!Arrays.equals(ecdhShared, serverSide)) {
            throw new AssertionError("the two sides disagree");
        }

        String h = "HmacSHA384";
        byte[] early = extract(h, new byte[48], new byte[48]);
        byte[] derived0 = expandLabel(h, early, "derived", new byte[0], 48);
        byte[] hs = extract(h, derived0, ecdhShared);
        byte[] cHs = expandLabel(h, hs, "c hs traffic", thChoice, 48);
        byte[] sHs = expandLabel(h, hs, "s hs traffic", thChoice, 48);

        line("server share, SHA-256", sha256(serverShare));
        line("server share, first 16 bytes", Arrays.copyOf(serverShare, 16));
        line("client share, SHA-256", sha256(clientShare));
        line("client share, first 16 bytes", Arrays.copyOf(clientShare, 16));
        line("mlkem_ss", mlkemSs);
        line("x25519_ss", x25519Ss);
        line("handshake_secret", hs);
        line("c_hs", cHs);
        line("c_hs.key", expandLabel(h, cHs, "key", new byte[0], 32));
        line("c_hs.iv", expandLabel(h, cHs, "iv", new byte[0], 12));
        line("s_hs", sHs);
    }

    static byte[] range(int first, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }

    static KeyPair x25519(byte[] privateKey) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("X25519");
        g.initialize(NamedParameterSpec.X25519, new Fixed(privateKey));
        return g.generateKeyPair();
    }

    /** The 32-byte little-endian u-coordinate of an X25519 public key (RFC 7748). */
    static byte[] u(PublicKey key) {
        byte[] be = ((XECPublicKey) key).getU().toByteArray();
        byte[] le = new byte[32];
        for (int i = 0; i < 32 && i < be.length; i++) {
            le[i] = be[be.length - 1 - i];
        }
        return le;
    }

    static byte[] agree(KeyPair mine, byte[] peerU) throws Exception {
        byte[] be = new byte[32];
        for (int i = 0; i < 32; i++) {
            be[i] = peerU[31 - i];
        }
        PublicKey peer = KeyFactory.getInstance("XDH").generatePublic(
                new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, be)));
        KeyAgreement ka = KeyAgreement.getInstance("XDH");
        ka.init(mine.getPrivate());
        ka.doPhase(peer, true);
        return ka.generateSecret();
    }

    static byte[] extract(String hmac, byte[] salt, byte[] ikm) throws Exception {
        Mac mac = Mac.getInstance(hmac);
        mac.init(new SecretKeySpec(salt, hmac));
        return mac.doFinal(ikm);
    }

    /** HKDF-Expand-Label of section 5.4.1: info = u16 n || u8 len || "oca1 " || label || u8 len || context. */
    static byte[] expandLabel(String hmac, byte[] secret, String label, byte[] context, int n) throws Exception {
        byte[] full = ("oca1 " + label).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] info = new byte[2 + 1 + full.length + 1 + context.length];
        info[0] = (byte) (n >>> 8);
        info[1] = (byte) n;
        info[2] = (byte) full.length;
        System.arraycopy(full, 0, info, 3, full.length);
        info[3 + full.length] = (byte) context.length;
        System.arraycopy(context, 0, info, 4 + full.length, context.length);
        Mac mac = Mac.getInstance(hmac);
        mac.init(new SecretKeySpec(secret, hmac));
        byte[] out = new byte[n];
        byte[] t = new byte[0];
        for (int done = 0, i = 1; done < n; i++) {
            mac.update(t);
            mac.update(info);
            mac.update((byte) i);
            t = mac.doFinal();
            System.arraycopy(t, 0, out, done, Math.min(t.length, n - done));
            done += t.length;
        }
        return out;
    }

    static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static void line(String name, byte[] value) {
        System.out.printf("%-30s = %s%n", name, HEX.formatHex(value));
    }
}
