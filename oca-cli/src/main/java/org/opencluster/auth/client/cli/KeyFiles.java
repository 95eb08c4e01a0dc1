package org.opencluster.auth.client.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.software.SoftwareToken;
import picocli.CommandLine;

/**
 * A software key kept by the person's own client in a file ({@code --key-file}, {@code rekey --new-key-file}):
 * an unencrypted PKCS#8 {@code PrivateKeyInfo}, PEM ({@code -----BEGIN PRIVATE KEY-----}, what {@code rekey}
 * writes and {@code openssl genpkey} makes) or DER. Its protection is the file's owner-only permissions, as for an
 * ssh key without a passphrase: a file its group or others may access is refused. An encrypted PKCS#8 file
 * ({@code ENCRYPTED PRIVATE KEY}) is refused too: a person who wants a passphrase keeps the passphrase account.
 * The file's bytes, the PEM text and the decoded key are wiped once used.
 */
final class KeyFiles {
    /** Far above an RSA-3072 PEM key (about 2.5 KB): anything larger is not a key file. */
    static final int MAX_BYTES = 16 * 1024;

    private static final byte[] BEGIN = ascii("-----BEGIN ");
    private static final byte[] DASHES = ascii("-----");
    private static final String LABEL = "PRIVATE KEY";
    private static final byte[] END = ascii("-----END " + LABEL + "-----");
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);

    private KeyFiles() {
    }

    /**
     * Refuses (a usage error, exit 2, as ssh refuses such a key) a key file its group or others may read, write or
     * execute. A file system without POSIX permissions (Windows) is not checked.
     */
    static void requireOwnerOnly(Path file, String option, CommandLine cl) {
        Set<PosixFilePermission> modes;
        try {
            modes = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return;
        } catch (IOException e) {
            throw new CliErrors.InputFileException(option + ": cannot read the permissions of "
                    + file.toAbsolutePath() + ": " + e.getMessage());
        }
        if (modes.stream().anyMatch(m -> !m.name().startsWith("OWNER_"))) { // as ssh: mode & 077 must be 0
            throw new CommandLine.ParameterException(cl, option + ": the permissions " + PosixFilePermissions.toString(
                    modes) + " of " + file.toAbsolutePath() + " are too open: a private key file must be accessible"
                    + " by its owner only (chmod 600 " + file + ")");
        }
    }

    /**
     * The PKCS#8 DER of {@code file} (the caller wipes it); a file that is not an unencrypted PKCS#8 key is an
     * unusable input file (exit 78), named in one line that shows none of its content but a PEM label.
     */
    static byte[] readPkcs8(Path file, String option) {
        byte[] raw;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            raw = in.readNBytes(MAX_BYTES + 1); // bounded, a pipe (<(...)) included
        } catch (IOException e) {
            throw new CliErrors.InputFileException(option + ": cannot read " + file.toAbsolutePath() + ": "
                    + e.getMessage());
        }
        return parsePkcs8(raw, file, option);
    }

    /** {@link #readPkcs8} once the file is read: {@code raw} (wiped here) as PEM or DER. */
    static byte[] parsePkcs8(byte[] raw, Path file, String option) {
        try {
            if (raw.length > MAX_BYTES) {
                throw unusable(option, file, "larger than " + MAX_BYTES + " bytes: not a key file");
            }
            int begin = indexOf(raw, BEGIN, 0);
            if (begin < 0) {
                if (raw.length > 0 && raw[0] == 0x30) { // a DER SEQUENCE: PrivateKeyInfo, checked when parsed
                    return raw.clone();
                }
                throw unusable(option, file, "neither PEM (-----BEGIN " + LABEL + "-----) nor DER");
            }
            int labelStart = begin + BEGIN.length;
            int labelEnd = indexOf(raw, DASHES, labelStart);
            String label = labelEnd < 0 || labelEnd - labelStart > 40 ? "?"
                    : new String(raw, labelStart, labelEnd - labelStart, StandardCharsets.US_ASCII);
            if (!LABEL.equals(label)) {
                String shown = CliErrors.oneLine(label); // the file's bytes: no line break or terminal control
                throw unusable(option, file, label.startsWith("ENCRYPTED")
                        ? "an encrypted key (" + shown + "): oca reads unencrypted PKCS#8 keys only, protected by"
                                + " the file's owner-only permissions"
                        : "a PEM " + shown + ", not a PKCS#8 " + LABEL + " (convert it: openssl"
                                + " pkcs8 -topk8 -nocrypt)");
            }
            int body = labelEnd + DASHES.length;
            int end = indexOf(raw, END, body);
            if (end < 0) {
                throw unusable(option, file, "no -----END " + LABEL + "----- line");
            }
            byte[] base64 = Arrays.copyOfRange(raw, body, end);
            try {
                return Base64.getMimeDecoder().decode(base64);
            } catch (IllegalArgumentException e) {
                throw unusable(option, file, "its PEM body is not base64");
            } finally {
                Arrays.fill(base64, (byte) 0);
            }
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /**
     * Writes {@code pkcs8} as PEM to the new file {@code file}: created owner-only (0600) before any byte is
     * written, never over an existing file (nor through a link at its name), and forced to the disk before this
     * returns, so that a key the server is about to certify is not lost with a crash. A failed write removes the
     * partial file.
     */
    static void createPem(Path file, byte[] pkcs8) throws IOException {
        byte[] body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encode(pkcs8);
        byte[] head = ascii("-----BEGIN " + LABEL + "-----\n");
        byte[] tail = ascii("\n-----END " + LABEL + "-----\n");
        ByteBuffer pem = ByteBuffer.allocate(head.length + body.length + tail.length);
        pem.put(head).put(body).put(tail).flip();
        Arrays.fill(body, (byte) 0);
        boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
        FileAttribute<?>[] attributes = posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(
                OWNER_ONLY)} : new FileAttribute<?>[0];
        try (FileChannel out = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), attributes)) {
            try {
                while (pem.hasRemaining()) {
                    out.write(pem);
                }
                out.force(true);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(file);
                throw e;
            }
        } finally {
            Arrays.fill(pem.array(), (byte) 0);
        }
        forceDirectory(file.toAbsolutePath().getParent());
    }

    /** The new name itself on the disk too (Linux: fsync of the directory); best effort elsewhere. */
    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | RuntimeException e) {
            // not every platform opens a directory (Windows): the file itself is forced
        }
    }

    /** Refuses, before anything connects, a target {@code rekey --new-key-file} would overwrite. */
    static void requireAbsent(Path file, String option, CommandLine cl) {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new CommandLine.ParameterException(cl, option + ": " + file.toAbsolutePath() + " exists; oca"
                    + " never overwrites a key file (name a new one)");
        }
    }

    /**
     * The login credential of a key file: the decoded key is read (and checked) before anything connects, kept
     * for the session's proofs (the login, a re-authentication) and wiped by {@link #close()} when the command
     * ends. The envelope the server sends (a decoy for an account without one) is ignored.
     */
    static final class Credential implements LoginCredential, AutoCloseable {
        private byte[] pkcs8;

        Credential(Path file, String option) {
            this(readPkcs8(file, option), file, option);
        }

        /** From the key's PKCS#8 DER {@code der} (kept, wiped by {@link #close()} or here when it is unusable). */
        Credential(byte[] der, Path file, String option) {
            try (SoftwareToken check = SoftwareToken.fromPkcs8("key file", der, List.of())) {
                pkcs8 = der;
            } catch (TokenException e) {
                Arrays.fill(der, (byte) 0);
                throw unusable(option, file, "not a usable PKCS#8 private key (" + e.getMessage() + "; a"
                        + " traditional EC or RSA key converts with: openssl pkcs8 -topk8 -nocrypt)");
            }
        }

        @Override
        public synchronized Token unlock(String username, byte[] envelope) throws TokenException {
            if (pkcs8 == null) {
                throw new TokenException(TokenError.TOKEN_CLOSED, "the key file's key has been wiped");
            }
            return SoftwareToken.fromPkcs8(username, pkcs8, List.of());
        }

        @Override
        public synchronized void close() {
            if (pkcs8 != null) {
                Arrays.fill(pkcs8, (byte) 0);
                pkcs8 = null;
            }
        }
    }

    private static CliErrors.InputFileException unusable(String option, Path file, String why) {
        return new CliErrors.InputFileException(option + ": " + file.toAbsolutePath() + " is " + why);
    }

    private static int indexOf(byte[] data, byte[] needle, int from) {
        outer:
        for (int i = from; i <= data.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
