package dev.shmlite.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * Loads the JNI library once, lazily, on the first connection or static API call.
 *
 * <p>Order: the system property {@value #PATH_PROPERTY} (absolute path of the library file), else
 * the library packaged in the jar. A failure is remembered: every later call throws the same
 * explanation instead of retrying a load that cannot succeed (and UnsatisfiedLinkError never
 * reaches the caller).
 *
 * <p><b>Extraction, and why it is safe against other local users.</b> {@code System.load} opens
 * the library by path, so whoever can change what that path names when it is loaded runs code in
 * this JVM. A predictable directory in a shared {@code java.io.tmpdir} (as {@code
 * /tmp/shmlite-<user>/<hash>/} was) can be created first, replaced by a symlink, or swapped between
 * a check and the load by another user. So each load extracts into a <em>fresh</em> directory:
 * <ol>
 *   <li>{@link Files#createTempDirectory} under {@code java.io.tmpdir} with a random name and mode
 *       {@code rwx------}: {@code mkdir} fails if anything (a directory, file or symlink) already
 *       has the name, so the directory is certainly created by this process and owned by this
 *       user, and no other user can create, rename or replace entries inside it;</li>
 *   <li>the library is written into a new file opened with {@code CREATE_NEW} and {@code
 *       NOFOLLOW_LINKS}, mode {@code rw-------};</li>
 *   <li>it is read back through a new no-follow handle and compared, size and every byte, with
 *       the bytes the jar holds (stronger than comparing SHA-256 digests, and cheaper);</li>
 *   <li>{@code System.load} is given exactly that absolute path;</li>
 *   <li>the file and the directory are deleted right after loading (the loaded mapping stays
 *       valid on Linux and macOS); when that fails (Windows keeps loaded files) they are
 *       registered with {@code deleteOnExit}.</li>
 * </ol>
 * Nothing is predictable, nothing is reused, so a stale or planted {@code shmlite-<user>}
 * directory (the old cache location) is simply irrelevant, and two JVMs or two class loaders
 * never share a file. The one residual trust is in {@code java.io.tmpdir} itself: another user
 * must not be able to rename this process's entries there, which holds for the usual sticky
 * {@code /tmp} (mode 1777: only an entry's owner or root may rename it) and for a private
 * directory. A {@code java.io.tmpdir} owned by another non-root user, or writable by group or
 * others without the sticky bit, would defeat any scheme, so it is refused with a message naming
 * it ({@value #PATH_PROPERTY} or another {@code java.io.tmpdir} is the way out). A symlink given
 * as {@code java.io.tmpdir} is resolved once, first, and its target is what is checked and used;
 * the directories above it are trusted as they are.
 *
 * <p>The file is not fsync'ed: it lives only until this process loads it, through the same page
 * cache it was written to, so durability buys nothing. The cost is one write and one read of the
 * library per JVM start (about the old cache's cost, which read and hashed the cached copy; README
 * has the figures).
 */
final class NativeLibrary {
    private NativeLibrary() {}

    /** System property naming the library file to load instead of the packaged one. */
    static final String PATH_PROPERTY = "shmlite.library.path";

    private static final Object LOCK = new Object();
    private static volatile boolean loaded;
    private static String failureMessage;
    private static Throwable failureCause;

    /** Loads the library if that has not happened yet; throws (08001) when it cannot be loaded. */
    static void ensureLoaded() throws SQLException {
        if (loaded) {
            return;
        }
        synchronized (LOCK) {
            if (loaded) {
                return;
            }
            if (failureMessage == null) {
                try {
                    load();
                    loaded = true;
                    return;
                } catch (IOException | LinkageError | RuntimeException e) {
                    failureCause = e;
                    failureMessage = describeFailure(e);
                }
            }
            // A fresh exception per call: each caller gets its own stack trace, same cause.
            throw new SQLException(failureMessage, "08001", failureCause);
        }
    }

    private static void load() throws IOException {
        String override = System.getProperty(PATH_PROPERTY);
        if (override != null && !override.isEmpty()) {
            System.load(Paths.get(override).toAbsolutePath().toString());
        } else {
            loadPackaged();
        }
        // A library without our symbols loads fine; fail now rather than on the first connection.
        Native.sqliteVersion();
    }

    /** Extracts the packaged library into a fresh private directory, loads it, deletes it. */
    private static void loadPackaged() throws IOException {
        byte[] bytes;
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resourcePath())) {
            if (in == null) {
                throw new IOException("no native library packaged for this platform");
            }
            bytes = in.readAllBytes();
        }
        // The real path: a symlink named as java.io.tmpdir is resolved once, here, so that every
        // later step names the directory that was checked (a link could be re-pointed meanwhile).
        Path tmp = Paths.get(System.getProperty("java.io.tmpdir")).toRealPath();
        boolean posix = tmp.getFileSystem().supportedFileAttributeViews().contains("posix");
        Path dir = posix
                ? Files.createTempDirectory(
                        tmp,
                        "shmlite-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")))
                : Files.createTempDirectory(tmp, "shmlite-");
        Path file = dir.resolve(libraryName());
        try {
            checkParent(tmp, dir);
            write(file, bytes, posix);
            verify(file, bytes);
            System.load(file.toString());
        } finally {
            deleteOrScheduleDeletion(dir, file);
        }
    }

    /**
     * Refuses a {@code java.io.tmpdir} in which another user could rename or replace our fresh
     * directory: one owned by another non-root user, or writable by group or others without the
     * sticky bit (where the file system reports Unix modes).
     */
    private static void checkParent(Path tmp, Path ours) throws IOException {
        if (!tmp.getFileSystem().supportedFileAttributeViews().contains("unix")) {
            return;
        }
        int mode = (Integer) Files.getAttribute(tmp, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        int owner = (Integer) Files.getAttribute(tmp, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int self = (Integer) Files.getAttribute(ours, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        String why = null;
        if (owner != 0 && owner != self) {
            why = "is owned by uid " + owner + ", neither root nor this user (uid " + self + ")";
        } else if ((mode & 0022) != 0 && (mode & 01000) == 0) {
            why = "is writable by other users without the sticky bit (mode " + Integer.toOctalString(mode & 07777)
                    + ")";
        }
        if (why != null) {
            throw new IOException("java.io.tmpdir " + tmp + " " + why + ", so another user could replace the"
                    + " extracted library before it is loaded; set java.io.tmpdir to a safe directory or "
                    + PATH_PROPERTY + " to a library file");
        }
    }

    private static void write(Path file, byte[] bytes, boolean posix) throws IOException {
        Set<OpenOption> options =
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        FileAttribute<?>[] attrs = posix
                ? new FileAttribute<?>[] {
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
                }
                : new FileAttribute<?>[0];
        try (FileChannel ch = FileChannel.open(file, options, attrs)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }
    }

    /**
     * Reads the file back through a new no-follow handle: exactly the jar's bytes (same size, same
     * content), or an IOException. A byte-for-byte comparison is what comparing SHA-256 digests
     * stands for, without hashing a few MB twice in a JVM that has not compiled SHA-256 yet.
     */
    private static void verify(Path file, byte[] expected) throws IOException {
        long size = 0;
        boolean same = true;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            for (int n; (n = ch.read(buf)) >= 0; buf.clear()) {
                if (same && size + n <= expected.length) {
                    same = Arrays.equals(buf.array(), 0, n, expected, (int) size, (int) size + n);
                }
                size += n;
            }
        }
        if (size != expected.length || !same) {
            throw new IOException("the extracted library " + file + " does not hold the packaged bytes (" + size
                    + " bytes read, " + expected.length + " expected" + (same ? "" : ", content differs") + ")");
        }
    }

    /** Deletes the extracted file and its directory; what cannot be deleted now goes at exit. */
    private static void deleteOrScheduleDeletion(Path dir, Path file) {
        // deleteOnExit runs in reverse order of registration: the file first, then the directory.
        for (Path p : new Path[] {file, dir}) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                if (p == file) {
                    dir.toFile().deleteOnExit();
                    file.toFile().deleteOnExit();
                    return;
                }
                dir.toFile().deleteOnExit();
            }
        }
    }

    private static String describeFailure(Throwable e) {
        String override = System.getProperty(PATH_PROPERTY);
        StringBuilder sb = new StringBuilder("cannot load the shmlite native library for platform ")
                .append(platform())
                .append(" (jar resource ")
                .append(resourcePath())
                .append("; system property ")
                .append(PATH_PROPERTY);
        if (override != null && !override.isEmpty()) {
            sb.append(" is set to ").append(override);
        } else {
            sb.append(" can name the library file to load instead");
        }
        return sb.append("): ").append(e).toString();
    }

    /** The platform directory name, e.g. {@code linux-x86_64}. */
    static String platform() {
        return os() + "-" + arch();
    }

    /** The jar resource holding this platform's library. */
    static String resourcePath() {
        return "/dev/shmlite/jdbc/native/" + platform() + "/" + libraryName();
    }

    static String os() {
        String name = System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT);
        if (name.contains("linux")) {
            return "linux";
        }
        if (name.contains("mac") || name.contains("darwin")) {
            return "macos";
        }
        if (name.contains("windows")) {
            return "windows";
        }
        return name.replaceAll("[^a-z0-9]", "");
    }

    static String arch() {
        String arch = System.getProperty("os.arch", "unknown").toLowerCase(Locale.ROOT);
        switch (arch) {
            case "amd64":
            case "x86_64":
                return "x86_64";
            case "aarch64":
            case "arm64":
                return "aarch64";
            default:
                return arch.replaceAll("[^a-z0-9_]", "");
        }
    }

    static String libraryName() {
        switch (os()) {
            case "windows":
                return "shmlite_jni.dll";
            case "macos":
                return "libshmlite_jni.dylib";
            default:
                return "libshmlite_jni.so";
        }
    }
}
