package org.opencluster.auth.protocol.pake;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.util.BigIntegers;

/**
 * P-256 scalar multiplication by the system's OpenSSL libcrypto (1.1 or 3), called through JNA's direct mapping.
 *
 * <p>Why: the OPRF step adds two variable-point multiplications to every passphrase login on the client and one on
 * the server. libcrypto's P-256 ({@code ecp_nistz256}: constant-time, hand-written assembly on x86-64 and AArch64)
 * does one in about a third of the time of the Java multiplier ({@link RegularWindowMultiplier}), which is what
 * keeps the OPRF step near the 25 % CPU budget of issue 14. The Java multipliers stay as the fallback, and as the
 * reference the library must agree with before it is used ({@link #selfTest}).
 *
 * <p>Choice: the system property {@code oca.p256.native} is {@code auto} (the default: libcrypto when it loads
 * and passes the self-test, else Java) or {@code off} (always Java). {@link #status()} says what was chosen and why;
 * the server logs it at start ({@code event=oprf.p256_multiplier}).
 *
 * <p>Secrets: the scalar is written into native memory owned by this class, handed to libcrypto as a BIGNUM flagged
 * {@code BN_FLG_CONSTTIME}, and both the buffer and the BIGNUM are wiped ({@code BN_clear_free}) before returning;
 * the result point is wiped ({@code EC_POINT_clear_free}). A point is passed as an uncompressed SEC1 encoding, which
 * libcrypto checks is on the curve. Every call uses its own BIGNUMs and points and no {@code BN_CTX}, so threads
 * share only the read-only group.
 */
final class NativeP256 {
    /** The system property that chooses the multiplier. */
    static final String PROPERTY = "oca.p256.native";
    private static final List<String> LIBRARY_NAMES = List.of("libcrypto.so.3", "libcrypto.so.1.1",
            "libcrypto.3.dylib", "crypto");
    private static final int NID_X9_62_PRIME256V1 = 415;
    private static final int BN_FLG_CONSTTIME = 0x04;
    private static final int POINT_CONVERSION_UNCOMPRESSED = 4;
    private static final int COORDINATE = 32;
    private static final int UNCOMPRESSED = 1 + 2 * COORDINATE;

    /** The libcrypto functions used, bound by JNA's direct mapping (no reflection per call). */
    static final class Crypto {
        static native Pointer EC_GROUP_new_by_curve_name(int nid);

        static native Pointer BN_bin2bn(Pointer bytes, int length, Pointer into);

        static native void BN_set_flags(Pointer bn, int flags);

        static native void BN_clear_free(Pointer bn);

        static native Pointer EC_POINT_new(Pointer group);

        static native void EC_POINT_clear_free(Pointer point);

        static native int EC_POINT_oct2point(Pointer group, Pointer point, Pointer bytes, long length, Pointer ctx);

        static native long EC_POINT_point2oct(Pointer group, Pointer point, int form, Pointer bytes, long length,
                Pointer ctx);

        static native int EC_POINT_mul(Pointer group, Pointer result, Pointer generatorScalar, Pointer point,
                Pointer pointScalar, Pointer ctx);

        private Crypto() {
        }
    }

    /** What was chosen: a working multiplier, or none, and the reason in one line. */
    record Selection(NativeP256 multiplier, String status) {
    }

    private final Pointer group;
    private final String libraryName;
    /** Per thread: 32 bytes of scalar then 65 of point, wiped after every call. */
    private final ThreadLocal<Memory> scratch = ThreadLocal.withInitial(() -> new Memory(COORDINATE + UNCOMPRESSED));

    private NativeP256(Pointer group, String libraryName) {
        this.group = group;
        this.libraryName = libraryName;
    }

    private static final class Holder {
        static final Selection SELECTION = select(System.getProperty(PROPERTY, "auto"),
                // size_t is a Java long only where pointers are 64 bits.
                (Platform.isLinux() || Platform.isMac()) && Native.POINTER_SIZE == 8,
                () -> load(NID_X9_62_PRIME256V1));
    }

    /** The multiplier in use, or null when the Java ones are. */
    static NativeP256 instance() {
        return Holder.SELECTION.multiplier();
    }

    /** One line for the logs: which multiplier, and why. */
    static String status() {
        return Holder.SELECTION.status();
    }

    /**
     * The choice, from the property's value, whether the platform is one this binding supports, and a loader
     * (which throws when the library is missing or unusable). Loaded libraries must pass {@link #selfTest}.
     */
    static Selection select(String setting, boolean supportedPlatform, Supplier<NativeP256> loader) {
        String value = setting == null ? "auto" : setting.trim().toLowerCase(Locale.ROOT);
        if (value.equals("off")) {
            return new Selection(null, "java (" + PROPERTY + "=off)");
        }
        if (!value.equals("auto")) {
            return new Selection(null, "java (" + PROPERTY + " must be auto or off, was " + oneLine(setting) + ")");
        }
        if (!supportedPlatform) {
            return new Selection(null, "java (libcrypto is used on 64-bit Linux and macOS only)");
        }
        NativeP256 candidate;
        try {
            candidate = loader.get();
        } catch (RuntimeException | LinkageError e) {
            return new Selection(null, "java (libcrypto not usable: " + oneLine(e.getMessage()) + ")");
        }
        String failure = selfTest(candidate);
        if (failure != null) {
            return new Selection(null, "java (libcrypto " + candidate.libraryName + " failed the self-test: "
                    + failure + ")");
        }
        return new Selection(candidate, "libcrypto (" + candidate.libraryName + ")");
    }

    /** The first libcrypto found, bound to the curve {@code nid} (prime256v1 except in the self-test's test). */
    static NativeP256 load(int nid) {
        StringBuilder tried = new StringBuilder();
        for (String name : LIBRARY_NAMES) {
            NativeLibrary library;
            try {
                library = NativeLibrary.getInstance(name);
            } catch (UnsatisfiedLinkError e) {
                tried.append(tried.length() == 0 ? "" : ", ").append(name);
                continue;
            }
            Native.register(Crypto.class, library);
            Pointer group = Crypto.EC_GROUP_new_by_curve_name(nid);
            if (group == null) {
                throw new IllegalStateException(name + " has no curve " + nid);
            }
            return new NativeP256(group, library.getFile() == null ? name : library.getFile().getName());
        }
        throw new IllegalStateException("no library found, tried " + tried);
    }

    /**
     * Null when the candidate agrees with the Java multipliers on scalars at both ends of the range and in between,
     * for the generator and another point, else what differed.
     */
    static String selfTest(NativeP256 candidate) {
        BigInteger n = P256Group.ORDER;
        ECPoint other = GeneratorMultiplier.multiply(BigInteger.valueOf(0x5eed));
        for (BigInteger k : new BigInteger[] {BigInteger.ONE, BigInteger.TWO, n.subtract(BigInteger.ONE),
                n.shiftRight(1), new BigInteger("5a".repeat(32), 16).mod(n)}) {
            try {
                if (!candidate.multiplyGenerator(k).equals(GeneratorMultiplier.multiply(k))) {
                    return "k*G differs for k = " + k.bitLength() + " bits";
                }
                if (!candidate.multiply(k, other).equals(RegularWindowMultiplier.multiply(other, k, n))) {
                    return "k*P differs for k = " + k.bitLength() + " bits";
                }
            } catch (RuntimeException e) {
                return oneLine(e.getMessage());
            }
        }
        return null;
    }

    /** k * G, k in [1, n) (checked by the caller); affine. */
    ECPoint multiplyGenerator(BigInteger k) {
        return multiply(k, null);
    }

    /** k * point, k in [1, n) and point not the identity (checked by the caller); affine. */
    ECPoint multiply(BigInteger k, ECPoint point) {
        Memory buffer = scratch.get();
        Pointer scalar = null;
        Pointer input = null;
        Pointer result = null;
        try {
            writeScalar(k, buffer);
            scalar = Crypto.BN_bin2bn(buffer, COORDINATE, null);
            if (scalar == null) {
                throw new IllegalStateException("BN_bin2bn failed");
            }
            Crypto.BN_set_flags(scalar, BN_FLG_CONSTTIME);
            result = Crypto.EC_POINT_new(group);
            if (result == null) {
                throw new IllegalStateException("EC_POINT_new failed");
            }
            Pointer encoded = buffer.share(COORDINATE);
            int ok;
            if (point == null) {
                ok = Crypto.EC_POINT_mul(group, result, scalar, null, null, null);
            } else {
                writePoint(point, encoded);
                input = Crypto.EC_POINT_new(group);
                if (input == null) {
                    throw new IllegalStateException("EC_POINT_new failed");
                }
                if (Crypto.EC_POINT_oct2point(group, input, encoded, UNCOMPRESSED, null) != 1) {
                    throw new IllegalArgumentException("not a point of P-256");
                }
                ok = Crypto.EC_POINT_mul(group, result, null, input, scalar, null);
            }
            if (ok != 1) {
                throw new IllegalStateException("EC_POINT_mul failed");
            }
            if (Crypto.EC_POINT_point2oct(group, result, POINT_CONVERSION_UNCOMPRESSED, encoded, UNCOMPRESSED, null)
                    != UNCOMPRESSED) {
                throw new IllegalStateException("the product has no uncompressed encoding");
            }
            return P256Group.CURVE.createPoint(new BigInteger(1, encoded.getByteArray(1, COORDINATE)),
                    new BigInteger(1, encoded.getByteArray(1 + COORDINATE, COORDINATE)));
        } finally {
            buffer.clear();
            if (scalar != null) {
                Crypto.BN_clear_free(scalar);
            }
            if (input != null) {
                Crypto.EC_POINT_clear_free(input);
            }
            if (result != null) {
                Crypto.EC_POINT_clear_free(result);
            }
        }
    }

    /** k as 32 bytes big-endian at the start of the buffer, with no intermediate array left behind. */
    private static void writeScalar(BigInteger k, Memory buffer) {
        byte[] bytes = P256Group.serializeScalar(k);
        buffer.write(0, bytes, 0, COORDINATE);
        Arrays.fill(bytes, (byte) 0);
    }

    private static void writePoint(ECPoint point, Pointer out) {
        ECPoint affine = point.normalize();
        out.setByte(0, (byte) 0x04);
        out.write(1, BigIntegers.asUnsignedByteArray(COORDINATE, affine.getAffineXCoord().toBigInteger()), 0, COORDINATE);
        out.write(1 + COORDINATE, BigIntegers.asUnsignedByteArray(COORDINATE, affine.getAffineYCoord().toBigInteger()), 0, COORDINATE);
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "no reason given";
        }
        String flat = s.replaceAll("\\p{Cntrl}+", " ").trim();
        return flat.length() > 200 ? flat.substring(0, 200) + "..." : flat;
    }
}
