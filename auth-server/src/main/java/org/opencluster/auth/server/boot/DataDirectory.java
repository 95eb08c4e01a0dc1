package org.opencluster.auth.server.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The server's data directory: owner-only (0700), and every file in it owner-only (0600), certificates included,
 * so no file there needs a judgement of its own. The server refuses to start on a directory or file that its
 * group or others may read or write (as OpenSSH's StrictModes does): a secret that others could have read must be
 * treated as leaked, and one they could write may have been replaced. Like StrictModes it also refuses a directory
 * or file owned by anyone but the user running the server or root: its owner can change its mode, read and replace
 * it whenever it likes, whatever the mode says now.
 */
public final class DataDirectory {
    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    /** The process's user (its real uid), or null off Unix; {@code user.name} is a property anyone can set. */
    private static final com.sun.security.auth.module.UnixSystem RUNNING_USER = runningUser();

    private DataDirectory() {
    }

    /**
     * Creates the directory owner-only when it is missing (before the embedded database creates it with the
     * process umask), then {@link #checkOwnerOnly checks} it and everything in it.
     */
    public static void prepare(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
            } catch (UnsupportedOperationException e) {
                Files.createDirectory(dir);
            }
            // The umask may have masked bits of the attribute, never added any; set it exactly all the same.
            setIfPosix(dir, OWNER_ONLY_DIRECTORY);
        }
        checkOwnerOnly(dir);
    }

    /**
     * Removes what a failed start created: {@code dir} is the data directory or its highest parent that did not
     * exist before that start, with everything the start put in it (keys never used, an empty database), so the next
     * start is a first start again. A failure to remove is added to {@code failure}, which the caller reports.
     */
    public static void removeFresh(Path dir, Throwable failure) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** The highest of {@code dir} and its parents that does not exist (what {@link #prepare} would create), if any. */
    public static java.util.Optional<Path> firstMissing(Path dir) {
        Path missing = null;
        for (Path p = dir.toAbsolutePath().normalize(); p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS);
                p = p.getParent()) {
            missing = p;
        }
        return java.util.Optional.ofNullable(missing);
    }

    /**
     * Refuses, with one line naming the cause, a data directory the server cannot write (a read-only mount, a full
     * disk, no permission): H2 would open its database read-only without a word and every write would fail. Writes,
     * syncs and deletes a probe file; permission bits alone say nothing when the server runs as root.
     */
    public static void checkWritable(Path dir) throws IOException {
        Path probe = dir.resolve(".oca-write-probe");
        try {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(probe,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
                    java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(new byte[] {1}));
                ch.force(true);
            }
            Files.delete(probe);
        } catch (IOException e) {
            String why = e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                    : String.valueOf(e.getMessage());
            throw new IOException("data directory " + dir.toAbsolutePath() + " is not writable (" + why + "): the"
                    + " server could store nothing. Fix: remount it read-write, free space, or give the server's user"
                    + " write access", e);
        }
    }

    /**
     * Refuses a directory, or a file or directory in it, that the group or others may read, write or enter, with
     * a message naming it and the fix.
     */
    public static void checkOwnerOnly(Path configured) throws IOException {
        if (!isPosix(configured)) {
            return;
        }
        // A symbolic link as the data directory itself is fine (e.g. /srv/oca -> /data/oca): check its target.
        Path dir = configured.toRealPath();
        refuseIfForeignOwner(dir, true);
        refuseIfShared(dir, true);
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                boolean directory = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                refuseIfForeignOwner(p, directory);
                refuseIfShared(p, directory);
            }
        }
    }

    /**
     * Sets every regular file directly in the directory to 0600: the embedded database (H2) creates its files with
     * the process umask, and certificates are written as plain files. Runs after the database opens and after it
     * closes.
     */
    public static void restrictFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || !isPosix(dir)) {
            return;
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            entries.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).forEach(files::add);
        }
        for (Path f : files) {
            try {
                setIfPosix(f, OWNER_ONLY_FILE);
            } catch (java.nio.file.NoSuchFileException e) {
                // a database temporary file that went away meanwhile
            }
        }
    }

    /**
     * Refuses a directory or file whose owner is neither the user running the server nor root (OpenSSH's
     * StrictModes rule), with a message naming it and the {@code chown} that fixes it. Does nothing where the file
     * system or the platform has no POSIX owners.
     */
    static void refuseIfForeignOwner(Path p, boolean directory) throws IOException {
        if (!isPosix(p) || RUNNING_USER == null) {
            return;
        }
        long owner = ((Number) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
        if (owner != RUNNING_USER.getUid() && owner != 0) {
            String ownerName = Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName();
            throw new UnsafeFileException((directory ? "directory " : "file ") + p.toAbsolutePath() + " is owned by "
                    + ownerName + " (uid " + owner + "), not by the user running the server ("
                    + RUNNING_USER.getUsername() + ", uid " + RUNNING_USER.getUid() + ") or root; its owner can read"
                    + " or replace it whatever its mode. Fix: chown " + RUNNING_USER.getUsername() + " "
                    + p.toAbsolutePath() + (directory ? "" : " (and treat a secret in it as disclosed: it may have"
                    + " been copied)"));
        }
    }

    private static com.sun.security.auth.module.UnixSystem runningUser() {
        try {
            return new com.sun.security.auth.module.UnixSystem();
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return null;
        }
    }

    private static void refuseIfShared(Path p, boolean directory) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        String text = PosixFilePermissions.toString(perms);
        if (!text.substring(3).equals("------")) {
            throw new UnsafeFileException((directory ? "directory " : "file ") + p.toAbsolutePath() + " is accessible to"
                    + " its group or others (" + text + "); the data directory and everything in it must be"
                    + " owner-only. Fix: chmod " + (directory ? "700 " : "600 ") + p.toAbsolutePath()
                    + (directory ? "" : " (and treat a secret in it as disclosed: it may have been copied)"));
        }
    }

    private static boolean isPosix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static void setIfPosix(Path p, Set<PosixFilePermission> perms) throws IOException {
        if (isPosix(p) && !Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS).equals(perms)) {
            Files.setPosixFilePermissions(p, perms);
        }
    }
}
