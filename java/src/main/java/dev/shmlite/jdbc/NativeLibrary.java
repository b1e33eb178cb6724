package dev.shmlite.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Loads the JNI library once, lazily, on the first connection or static API call.
 *
 * <p>Order: the system property {@value #PATH_PROPERTY} (absolute path of the library file), else
 * the library packaged in the jar, extracted under {@code java.io.tmpdir} into a directory named
 * after its content hash so that concurrent JVMs and driver versions never overwrite each other's
 * file. A failure is remembered: every later call throws the same explanation instead of retrying
 * a load that cannot succeed (and UnsatisfiedLinkError never reaches the caller).
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
            System.load(extract().toString());
        }
        // A library without our symbols loads fine; fail now rather than on the first connection.
        Native.sqliteVersion();
    }

    private static Path extract() throws IOException {
        String resource = resourcePath();
        byte[] bytes;
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no native library packaged for this platform");
            }
            bytes = in.readAllBytes();
        }
        byte[] hash = sha256(bytes);
        Path base = Paths.get(System.getProperty("java.io.tmpdir"),
                "shmlite-" + System.getProperty("user.name", "user"));
        Path dir = base.resolve(hex(hash, 8));
        boolean posix = base.getFileSystem().supportedFileAttributeViews().contains("posix");
        UserPrincipal self = posix ? currentUser() : null;
        createPrivateDirectories(base, self);
        createPrivateDirectories(dir, self);
        Path target = dir.resolve(libraryName());
        if (Files.isRegularFile(target) && Arrays.equals(hash, sha256(Files.readAllBytes(target)))) {
            return target;
        }
        Path tmp = Files.createTempFile(dir, libraryName(), ".tmp");
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                // Another JVM may have won the race (or Windows holds the loaded file): its copy is fine
                // if the bytes match.
                if (!(Files.isRegularFile(target) && Arrays.equals(hash, sha256(Files.readAllBytes(target))))) {
                    throw e;
                }
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    /** Owner-only directories, so another local user cannot swap the library between check and load. */
    private static void createPrivateDirectories(Path dir, UserPrincipal self) throws IOException {
        boolean posix = self != null;
        if (!Files.isDirectory(dir)) {
            try {
                if (posix) {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(dir);
                }
            } catch (FileAlreadyExistsException e) {
                // created concurrently: checked below
            }
        }
        if (posix) {
            UserPrincipal owner = Files.getOwner(dir);
            if (!owner.equals(self)) {
                throw new AccessDeniedException(dir.toString(), null, "owned by " + owner.getName() + ", not by "
                        + self.getName());
            }
        }
    }

    /**
     * The owner of files this process creates (user.name can differ from the file owner's name,
     * e.g. in containers running as a uid without a passwd entry).
     */
    private static UserPrincipal currentUser() throws IOException {
        Path probe = Files.createTempFile("shmlite-owner", ".probe");
        try {
            return Files.getOwner(probe);
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    private static String describeFailure(Throwable e) {
        String override = System.getProperty(PATH_PROPERTY);
        StringBuilder sb = new StringBuilder("cannot load the shmlite native library for platform ")
                .append(platform()).append(" (jar resource ").append(resourcePath())
                .append("; system property ").append(PATH_PROPERTY);
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

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    private static String hex(byte[] bytes, int count) {
        StringBuilder sb = new StringBuilder(count * 2);
        for (int i = 0; i < count; i++) {
            sb.append(Character.forDigit((bytes[i] >> 4) & 0xF, 16)).append(Character.forDigit(bytes[i] & 0xF, 16));
        }
        return sb.toString();
    }
}
