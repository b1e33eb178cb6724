package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 1 with real users: an unprivileged attacker attacks the library extraction of an
 * unprivileged victim whose JVM is started again and again (the victim is not root, so the
 * attacker is not root relative to it). The attacks target the directory the driver used to
 * extract to, {@code ${java.io.tmpdir}/shmlite-<user>/<hash>/}: (a) pre-created by the attacker,
 * (b) a symlink to the attacker's directory, (c) a symlink flipped in a tight loop between a
 * directory the victim owns and the attacker's directory holding a library whose constructor
 * writes a marker file. Every victim start must connect and the marker must never appear.
 *
 * <p>Needs root (to create the two users, with {@code useradd}), {@code setpriv} and {@code gcc};
 * otherwise the test prints "SKIPPED ...: reason" and passes. {@code fs.protected_symlinks} is
 * set to 0 for the duration when it can be, so the kernel does not defuse the symlink attacks
 * for the driver.
 */
class NativeLibraryAttackTest {
    static final String ATTACKER = "shmlite-attacker";
    static final String VICTIM = "shmlite-victim";
    /** Victim JVM starts under the flip race (each takes about half a second). */
    static final int FLIP_STARTS = 20;
    /** Victim JVM starts under each of the static attacks (pre-created directory, symlink). */
    static final int STATIC_STARTS = 3;
    /** Upper bound of one victim JVM start; a start that takes longer counts as failed. */
    static final long START_TIMEOUT_S = 60;

    /** The victim: connects to a private in-memory database and runs SELECT 1. */
    public static final class Victim {
        public static void main(String[] args) {
            try (Connection c = DriverManager.getConnection("jdbc:shmlite:mem:x");
                    ResultSet rs = c.createStatement().executeQuery("SELECT 1")) {
                System.out.println(rs.next() && rs.getInt(1) == 1 ? "CONNECTED" : "WRONG RESULT");
            } catch (Throwable t) {
                System.out.println("FAILED " + t);
            }
        }
    }

    private static final String EVIL_C = String.join(
            "\n",
            "#include <fcntl.h>",
            "#include <stdio.h>",
            "#include <unistd.h>",
            "__attribute__((constructor)) static void pwn(void) {",
            "    char p[4096];",
            "    snprintf(p, sizeof p, \"%s/marker-%d\", MARKER_DIR, (int) getpid());",
            "    int fd = open(p, O_CREAT | O_WRONLY, 0666);",
            "    if (fd >= 0) { dprintf(fd, \"foreign code ran as uid %d\\n\", (int) getuid()); close(fd); }",
            "}",
            "");

    /** Atomically re-points LINK at A and B in turn until STOP exists (or 120 s passed). */
    private static final String FLIP_C = String.join(
            "\n",
            "#include <stdio.h>",
            "#include <time.h>",
            "#include <unistd.h>",
            "int main(int argc, char **argv) {",
            "    const char *link = argv[1], *a = argv[2], *b = argv[3], *stop = argv[4];",
            "    char tmp[4096]; snprintf(tmp, sizeof tmp, \"%s.flip\", link);",
            "    time_t end = time(NULL) + 120; long flips = 0;",
            "    for (;; flips++) {",
            "        if ((flips & 1023) == 0 && (access(stop, F_OK) == 0 || time(NULL) > end)) break;",
            "        unlink(tmp);",
            "        if (symlink(flips & 1 ? a : b, tmp) == 0) rename(tmp, link);",
            "    }",
            "    printf(\"%ld\\n\", flips);",
            "    return 0;",
            "}",
            "");

    @Test
    void anotherUserCannotMakeTheDriverLoadForeignCodeOrRefuseToLoad() throws Exception {
        String skip = skipReason();
        if (skip != null) {
            System.out.println("SKIPPED NativeLibraryAttackTest: " + skip);
            return;
        }
        int[] attacker = ensureUser(ATTACKER);
        int[] victim = ensureUser(VICTIM);
        Path work = Files.createTempDirectory(Paths.get("/tmp"), "shmlite-attack-");
        Path protectedSymlinks = Paths.get("/proc/sys/fs/protected_symlinks");
        String savedProtection = Files.isRegularFile(protectedSymlinks)
                ? Files.readString(protectedSymlinks).trim()
                : null;
        Process flipper = null;
        try {
            chmod(work, "rwxr-xr-x");
            Path tmp = mkdir(work.resolve("tmp"));
            run("chmod", "1777", tmp.toString()); // a shared sticky java.io.tmpdir, as /tmp
            Path markers = mkdir(work.resolve("markers"));
            chmod(markers, "rwxrwxrwx");
            Path evilDir = mkdir(work.resolve("evil"));
            Path decoy = mkdir(work.resolve("victims-own"));
            chmod(decoy, "rwx------");
            run("chown", victim[0] + ":" + victim[1], decoy.toString());

            // The attacker's library (built here, owned by the attacker) at every name the old
            // extraction used: <dir>/<first 8 bytes of the SHA-256, in hex>/<library file>.
            Path evilSource = work.resolve("evil.c");
            Files.writeString(evilSource, EVIL_C);
            Path evilLib = work.resolve("evil.so");
            run(
                    "gcc",
                    "-shared",
                    "-fPIC",
                    "-DMARKER_DIR=\"" + markers + "\"",
                    "-o",
                    evilLib.toString(),
                    evilSource.toString());
            Path flipSource = work.resolve("flip.c");
            Files.writeString(flipSource, FLIP_C);
            Path flip = work.resolve("flip");
            run("gcc", "-O2", "-o", flip.toString(), flipSource.toString());
            Path evilHashDir = mkdir(evilDir.resolve(oldHashDirName()));
            Files.copy(evilLib, evilHashDir.resolve(NativeLibrary.libraryName()));
            run("chmod", "-R", "a+rX", evilDir.toString());
            run("chown", "-R", attacker[0] + ":" + attacker[1], evilDir.toString());

            if (savedProtection != null && !"0".equals(savedProtection)) {
                try {
                    Files.writeString(protectedSymlinks, "0");
                } catch (IOException e) {
                    System.out.println("NativeLibraryAttackTest: cannot set fs.protected_symlinks=0 (" + e
                            + "); the symlink attacks are partly defused by the kernel");
                }
            }

            Path target = tmp.resolve("shmlite-" + VICTIM);
            List<String> cp = classpathFor(work);
            // (a) the attacker's own directory at the predictable name, with its library inside
            asUser(
                    attacker,
                    "mkdir -p " + target + "/" + oldHashDirName() + " && cp " + evilLib + " " + target + "/"
                            + oldHashDirName() + "/" + NativeLibrary.libraryName() + " && chmod -R 755 " + target);
            int preCreated = startVictims(victim, tmp, cp, STATIC_STARTS);
            // (b) a symlink to the attacker's directory
            asUser(attacker, "rm -rf " + target + " && ln -s " + evilDir + " " + target);
            int symlinked = startVictims(victim, tmp, cp, STATIC_STARTS);
            // (c) the flip race between a directory the victim owns and the attacker's
            asUser(attacker, "rm -f " + target);
            Path stop = work.resolve("stop");
            flipper = new ProcessBuilder(setpriv(
                            attacker,
                            flip.toString(),
                            target.toString(),
                            decoy.toString(),
                            evilDir.toString(),
                            stop.toString()))
                    .redirectErrorStream(true)
                    .start();
            int flipped = startVictims(victim, tmp, cp, FLIP_STARTS);
            Files.writeString(stop, "");
            assertTrue(flipper.waitFor(30, TimeUnit.SECONDS), "the flipper stops within 30 s of the stop file");
            String flips = new String(flipper.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();

            List<String> marks;
            try (Stream<Path> s = Files.list(markers)) {
                marks = s.map(p -> p.getFileName().toString()).sorted().toList();
            }
            long leftovers;
            try (Stream<Path> s = Files.list(tmp)) {
                leftovers = s.filter(p ->
                                !p.equals(target) && !p.getFileName().toString().endsWith(".flip"))
                        .count();
            }
            String summary = "connected: pre-created " + preCreated + "/" + STATIC_STARTS + ", symlink " + symlinked
                    + "/"
                    + STATIC_STARTS + ", flip race " + flipped + "/" + FLIP_STARTS + " (" + flips + " flips); foreign"
                    + " library constructor ran " + marks.size() + " times " + marks + "; entries left in tmpdir "
                    + leftovers;
            System.out.println("NativeLibraryAttackTest: " + summary);
            assertEquals(0, marks.size(), summary);
            assertEquals(2 * STATIC_STARTS + FLIP_STARTS, preCreated + symlinked + flipped, summary);
            assertEquals(0, leftovers, "each victim deletes its extracted library: " + summary);
        } finally {
            if (flipper != null && flipper.isAlive()) {
                flipper.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            if (savedProtection != null) {
                try {
                    Files.writeString(protectedSymlinks, savedProtection);
                } catch (IOException ignored) {
                    // was not changed
                }
            }
            deleteTree(work);
        }
    }

    private static String skipReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "not root (needs root to create two unprivileged users)";
        }
        if (!NativeLibrary.os().equals("linux")) {
            return "not Linux";
        }
        for (String tool : new String[] {"useradd", "setpriv", "gcc"}) {
            if (!onPath(tool)) {
                return tool + " is not available";
            }
        }
        return null;
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv()
                .getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
                .split(":")) {
            if (Files.isExecutable(Paths.get(dir, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Paths.get("/usr/sbin", tool)) || Files.isExecutable(Paths.get("/sbin", tool));
    }

    /** uid and gid of an unprivileged system user, created (no home, no shell) when missing. */
    private static int[] ensureUser(String name) throws Exception {
        if (exec("id", "-u", name).exit != 0) {
            Result r = exec("useradd", "-M", "-r", "-s", "/usr/sbin/nologin", name);
            if (r.exit != 0 && exec("id", "-u", name).exit != 0) {
                throw new IOException("useradd " + name + " failed: " + r.out);
            }
        }
        return new int[] {
            Integer.parseInt(exec("id", "-u", name).out.trim()),
            Integer.parseInt(exec("id", "-g", name).out.trim())
        };
    }

    /** The victim's classpath: a copy of the driver's and this test's classes it can read. */
    private static List<String> classpathFor(Path work) throws Exception {
        Path driver = Paths.get(ShmliteDriver.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        Path tests = Paths.get(
                Victim.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path cp = work.resolve("cp");
        run("cp", "-r", driver + "/.", mkdir(cp.resolve("main")).toString());
        Path victimClass = Paths.get(Victim.class.getName().replace('.', '/') + ".class");
        Path dest = cp.resolve("test").resolve(victimClass);
        Files.createDirectories(dest.getParent());
        Files.copy(tests.resolve(victimClass), dest);
        run("chmod", "-R", "a+rX", cp.toString());
        return List.of(cp.resolve("main").toString(), cp.resolve("test").toString());
    }

    /** Starts the victim JVM {@code n} times (one after the other); returns how many connected. */
    private static int startVictims(int[] victim, Path tmp, List<String> cp, int n) throws Exception {
        int connected = 0;
        for (int i = 0; i < n; i++) {
            List<String> cmd = setpriv(
                    victim,
                    Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:-UsePerfData",
                    "-Xshare:auto",
                    "-Djava.io.tmpdir=" + tmp,
                    "-cp",
                    String.join(":", cp),
                    Victim.class.getName());
            ProcessBuilder pb =
                    new ProcessBuilder(cmd).redirectErrorStream(true).directory(tmp.toFile());
            pb.environment().put("HOME", tmp.toString());
            Process p = pb.start();
            byte[] out = p.getInputStream().readNBytes(1 << 16);
            if (!p.waitFor(START_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (text.contains("CONNECTED")) {
                connected++;
            } else {
                System.out.println("NativeLibraryAttackTest: victim start failed: " + text.trim());
            }
        }
        return connected;
    }

    private static List<String> setpriv(int[] user, String... cmd) {
        List<String> all =
                new ArrayList<>(List.of("setpriv", "--reuid=" + user[0], "--regid=" + user[1], "--clear-groups"));
        all.addAll(List.of(cmd));
        return all;
    }

    private static void asUser(int[] user, String script) throws Exception {
        List<String> cmd = setpriv(user, "sh", "-c", script);
        Result r = exec(cmd.toArray(new String[0]));
        if (r.exit != 0) {
            throw new IOException("as uid " + user[0] + ": " + script + " failed: " + r.out);
        }
    }

    /** The directory name the old extraction used: the library's SHA-256, first 8 bytes in hex. */
    private static String oldHashDirName() throws Exception {
        byte[] bytes;
        try (InputStream in = NativeLibrary.class.getResourceAsStream(NativeLibrary.resourcePath())) {
            bytes = in.readAllBytes();
        }
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            sb.append(String.format("%02x", hash[i]));
        }
        return sb.toString();
    }

    private static Path mkdir(Path p) throws IOException {
        return Files.createDirectories(p);
    }

    private static void chmod(Path p, String perms) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    }

    private static void run(String... cmd) throws Exception {
        Result r = exec(cmd);
        if (r.exit != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + r.out);
        }
    }

    private record Result(int exit, String out) {}

    private static Result exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not finish in 60 s");
        }
        return new Result(p.exitValue(), out);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
