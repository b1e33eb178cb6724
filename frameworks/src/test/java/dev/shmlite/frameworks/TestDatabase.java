package dev.shmlite.frameworks;

import dev.shmlite.jdbc.Shmlite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A fresh shmlite database of one kind for one test: a unique name, and for {@code shm:} and
 * {@code file:} a private temporary directory that {@link #close()} removes after dropping it.
 */
final class TestDatabase implements AutoCloseable {
    /** The three kinds every framework test runs on. */
    enum Kind {
        MEM,
        SHM,
        FILE
    }

    final Kind kind;
    final String url;
    private final Path dir;

    private TestDatabase(Kind kind, String url, Path dir) {
        this.kind = kind;
        this.url = url;
        this.dir = dir;
    }

    static TestDatabase create(Kind kind, String prefix) throws IOException {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        switch (kind) {
            case MEM:
                return new TestDatabase(kind, "jdbc:shmlite:mem:" + name, null);
            case SHM: {
                // like the driver's CrossProcessTest: a private shm_dir on tmpfs, removed afterwards
                Path base = Files.isDirectory(Path.of("/dev/shm"))
                        ? Path.of("/dev/shm")
                        : Path.of(System.getProperty("java.io.tmpdir"));
                Path d = Files.createTempDirectory(base, "shmlite-fw-");
                return new TestDatabase(kind, "jdbc:shmlite:shm:" + name + "?shm_dir=" + d, d);
            }
            default: {
                Path d = Files.createTempDirectory("shmlite-fw-");
                return new TestDatabase(kind, "jdbc:shmlite:file:" + d.resolve(name + ".db"), d);
            }
        }
    }

    @Override
    public void close() throws SQLException, IOException {
        Shmlite.drop(url);
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Override
    public String toString() {
        return kind + " " + url;
    }
}
