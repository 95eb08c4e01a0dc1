package org.opencluster.auth.server.boot;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Files that hold secrets: created owner-only (0600) from the first byte, never overwritten. */
final class KeyFiles {
    private KeyFiles() {
    }

    static void writeSecret(Path file, byte[] content) throws IOException {
        // No directory is made for a key: a missing one is a mistake in the path, refused before start (StartChecks).
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            throw new IOException(file + " exists already; refusing to overwrite a key", e);
        }
        Files.write(file, content, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    /**
     * Reads a secret file after checking that no one but the owner can read it, and that its owner is the user
     * running the server or root (a key file may live outside the data directory: {@code keyfile:PATH}).
     */
    static byte[] readSecret(Path file) throws IOException {
        try {
            DataDirectory.refuseIfForeignOwner(file, false);
            String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
            if (!perms.substring(3).equals("------")) {
                throw new UnsafeFileException(file + " is readable by others (" + perms + "); chmod 600 it");
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        }
        return Files.readAllBytes(file);
    }
}
