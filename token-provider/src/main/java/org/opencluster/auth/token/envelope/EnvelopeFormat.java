package org.opencluster.auth.token.envelope;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;

/**
 * The version-1 binary layout (docs/envelope-format.md is the normative description). Parsing is strict: every
 * length is bounded, unknown versions/algorithms are refused and trailing bytes are an error.
 */
final class EnvelopeFormat {
    static final byte[] MAGIC = {'O', 'C', 'A', 'E'};
    static final int VERSION_1 = 1;
    static final int KDF_ARGON2ID_13 = 1;
    static final int AEAD_AES_256_GCM = 1;
    static final int SALT_LENGTH = 16;
    static final int MIN_SALT = 16;
    static final int MAX_SALT = 64;
    static final int NONCE_LENGTH = 12;
    static final int TAG_LENGTH = 16;
    static final int CHECK_LENGTH = 32;
    static final int MAX_ACCOUNT = 255;
    static final int MAX_CIPHERTEXT = 1 << 20;
    static final int MAX_KEY = 8192;
    static final int MAX_CERT = 16384;
    static final int MAX_CERTS = 8;
    /** Plaintexts are zero-padded to a multiple of this, so envelopes of the same key type are the same size. */
    static final int PLAINTEXT_BLOCK = 512;

    private EnvelopeFormat() {
    }

    /** The parsed cleartext part of an envelope. {@code aad} is every byte before the ciphertext. */
    record Header(KdfParameters kdf, byte[] salt, byte[] nonce, byte[] account, byte[] check, byte[] aad,
                  byte[] ciphertext) {
    }

    static byte[] writeHeader(KdfParameters kdf, byte[] salt, byte[] nonce, byte[] account, byte[] check) {
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 1 + 1 + 4 + 4 + 1 + 1 + salt.length + 1 + nonce.length
                + 1 + account.length + check.length);
        b.put(MAGIC).put((byte) VERSION_1).put((byte) KDF_ARGON2ID_13)
                .putInt(kdf.memoryKiB()).putInt(kdf.iterations()).put((byte) kdf.parallelism())
                .put((byte) salt.length).put(salt)
                .put((byte) AEAD_AES_256_GCM).put(nonce)
                .put((byte) account.length).put(account)
                .put(check);
        return b.array();
    }

    static byte[] assemble(byte[] header, byte[] ciphertext) {
        return ByteBuffer.allocate(header.length + 4 + ciphertext.length)
                .put(header).putInt(ciphertext.length).put(ciphertext).array();
    }

    /** The AAD: the header followed by the ciphertext length, so no byte before the ciphertext is unauthenticated. */
    static byte[] aad(byte[] header, int ciphertextLength) {
        return ByteBuffer.allocate(header.length + 4).put(header).putInt(ciphertextLength).array();
    }

    static Header parse(byte[] envelope) throws TokenException {
        if (envelope == null || envelope.length > MAX_CIPHERTEXT + 512) {
            throw corrupt("size out of range");
        }
        ByteBuffer b = ByteBuffer.wrap(envelope);
        try {
            byte[] magic = new byte[MAGIC.length];
            b.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw corrupt("not an OpenCluster passphrase envelope (bad magic)");
            }
            int version = b.get() & 0xff;
            if (version != VERSION_1) {
                throw corrupt("unsupported envelope version " + version);
            }
            int kdfId = b.get() & 0xff;
            if (kdfId != KDF_ARGON2ID_13) {
                throw corrupt("unsupported KDF id " + kdfId);
            }
            long memory = b.getInt() & 0xffffffffL;
            long iterations = b.getInt() & 0xffffffffL;
            int parallelism = b.get() & 0xff;
            if (memory > Integer.MAX_VALUE || iterations > Integer.MAX_VALUE) {
                throw corrupt("KDF parameters out of range");
            }
            KdfParameters kdf;
            try {
                kdf = new KdfParameters((int) memory, (int) iterations, parallelism);
            } catch (IllegalArgumentException e) {
                throw corrupt("invalid KDF parameters");
            }
            byte[] salt = bytes(b, b.get() & 0xff, MIN_SALT, MAX_SALT, "salt");
            int aeadId = b.get() & 0xff;
            if (aeadId != AEAD_AES_256_GCM) {
                throw corrupt("unsupported AEAD id " + aeadId);
            }
            byte[] nonce = bytes(b, NONCE_LENGTH, NONCE_LENGTH, NONCE_LENGTH, "nonce");
            byte[] account = bytes(b, b.get() & 0xff, 1, MAX_ACCOUNT, "account");
            byte[] check = bytes(b, CHECK_LENGTH, CHECK_LENGTH, CHECK_LENGTH, "check value");
            int headerEnd = b.position();
            long ctLength = b.getInt() & 0xffffffffL;
            if (ctLength < TAG_LENGTH + 1 || ctLength > MAX_CIPHERTEXT || ctLength != b.remaining()) {
                throw corrupt("ciphertext length does not match the envelope size");
            }
            byte[] ciphertext = new byte[(int) ctLength];
            b.get(ciphertext);
            byte[] aad = Arrays.copyOf(envelope, headerEnd + 4);
            return new Header(kdf, salt, nonce, account, check, aad, ciphertext);
        } catch (java.nio.BufferUnderflowException e) {
            throw corrupt("truncated");
        }
    }

    /** Plaintext: uint16 key length, PKCS#8 key, uint8 certificate count, then per certificate uint16 length, DER. */
    static byte[] writePlaintext(byte[] pkcs8, List<byte[]> certificates) {
        if (pkcs8.length < 1 || pkcs8.length > MAX_KEY) {
            throw new IllegalArgumentException("private key must be 1.." + MAX_KEY + " bytes");
        }
        if (certificates.size() > MAX_CERTS) {
            throw new IllegalArgumentException("at most " + MAX_CERTS + " certificates");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(pkcs8.length + 4096);
        writeU16(out, pkcs8.length);
        out.write(pkcs8, 0, pkcs8.length);
        out.write(certificates.size());
        for (byte[] der : certificates) {
            if (der.length < 1 || der.length > MAX_CERT) {
                throw new IllegalArgumentException("certificate must be 1.." + MAX_CERT + " bytes");
            }
            writeU16(out, der.length);
            out.write(der, 0, der.length);
        }
        int padded = paddedLength(out.size());
        out.write(new byte[padded - out.size()], 0, padded - out.size());
        return out.toByteArray();
    }

    /** The plaintext length after padding. */
    static int paddedLength(int contentLength) {
        return (contentLength + PLAINTEXT_BLOCK - 1) / PLAINTEXT_BLOCK * PLAINTEXT_BLOCK;
    }

    /** The decrypted content; {@code pkcs8} is the caller's to wipe. */
    record Content(byte[] pkcs8, List<byte[]> certificates) {
    }

    static Content parsePlaintext(byte[] plaintext) throws TokenException {
        ByteBuffer b = ByteBuffer.wrap(plaintext);
        byte[] key = null;
        try {
            key = bytes(b, b.getShort() & 0xffff, 1, MAX_KEY, "private key");
            int count = b.get() & 0xff;
            if (count > MAX_CERTS) {
                Arrays.fill(key, (byte) 0);
                throw corrupt("too many certificates");
            }
            List<byte[]> certs = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                certs.add(bytes(b, b.getShort() & 0xffff, 1, MAX_CERT, "certificate"));
            }
            int nonZero = 0;
            int padding = b.remaining();
            while (b.hasRemaining()) {
                nonZero |= b.get();
            }
            if (nonZero != 0 || padding >= PLAINTEXT_BLOCK) {
                Arrays.fill(key, (byte) 0);
                throw corrupt("the padding after the content is not zero bytes to the next block");
            }
            return new Content(key, certs);
        } catch (java.nio.BufferUnderflowException | TokenException e) {
            if (key != null) {
                Arrays.fill(key, (byte) 0);
            }
            throw e instanceof TokenException ? (TokenException) e : corrupt("truncated content");
        }
    }

    private static byte[] bytes(ByteBuffer b, int length, int min, int max, String what) throws TokenException {
        if (length < min || length > max || length > b.remaining()) {
            throw corrupt(what + " length out of range");
        }
        byte[] out = new byte[length];
        b.get(out);
        return out;
    }

    private static void writeU16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    static TokenException corrupt(String why) {
        return new TokenException(TokenError.ENVELOPE_CORRUPT, "the passphrase envelope is damaged: " + why);
    }
}
