package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Churns connections, statements and result sets — some deliberately never closed — and
 * checks that resident memory levels off and forgotten objects are reclaimed. The RSS curve is
 * printed. Longer: {@code -Dshmlite.soak.seconds=N} (see README "Robustness").
 */
class NativeMemorySoakTest {
    private static final long SOAK_SECONDS = Long.getLong("shmlite.soak.seconds", 0L);
    private static final int ROUNDS = 40;
    private static final int OPS_PER_ROUND = 400;

    @Test
    void residentMemoryLevelsOffAndForgottenObjectsAreReclaimed() throws Exception {
        String url = "jdbc:shmlite:mem:soak-" + UUID.randomUUID() + "?pool_size=64";
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, b BLOB)");
            s.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)"
                    + " INSERT INTO t(v, b) SELECT 'row ' || i, randomblob(200) FROM n");
        }
        List<Long> rss = new ArrayList<>();
        long forgottenConnections = 0;
        long deadline = System.nanoTime() + SOAK_SECONDS * 1_000_000_000L;
        for (int round = 0; round < ROUNDS || System.nanoTime() < deadline; round++) {
            for (int op = 0; op < OPS_PER_ROUND; op++) {
                Connection c = DriverManager.getConnection(url);
                PreparedStatement ps = c.prepareStatement("SELECT id, v, b FROM t WHERE id > ? LIMIT 50");
                ps.setInt(1, op % 450);
                ResultSet rs = ps.executeQuery();
                rs.next();
                rs.getString(2);
                if (op % 3 != 0) {
                    rs.close(); // otherwise forgotten with its statement
                }
                if (op % 5 != 0) {
                    ps.close();
                }
                Statement st = c.createStatement();
                st.executeQuery("SELECT count(*) FROM t").next(); // result set and statement forgotten
                if (op % 20 == 0) {
                    forgottenConnections++; // never closed: the Cleaner must give it back
                } else {
                    c.close();
                }
            }
            System.gc();
            rss.add(residentKiB());
        }
        // Let the Cleaner catch up with the last forgotten connections.
        DatabaseStats stats = Shmlite.stats(url).orElseThrow();
        for (int i = 0; i < 100 && stats.getSessionsReclaimed() < forgottenConnections; i++) {
            System.gc();
            Thread.sleep(20);
            stats = Shmlite.stats(url).orElseThrow();
        }
        System.out.println("RSS (MiB) after each round of " + OPS_PER_ROUND + " connections: "
                + rss.stream()
                        .map(k -> String.valueOf(k / 1024))
                        .reduce((a, b) -> a + " " + b)
                        .orElse(""));
        System.out.println("forgotten connections " + forgottenConnections + ", reclaimed "
                + stats.getSessionsReclaimed() + ", in use " + stats.getConnectionsInUse());
        assertTrue(
                stats.getSessionsReclaimed() >= forgottenConnections * 9 / 10,
                "forgotten connections reclaimed: " + stats);
        // Levelling off: the second half of the run grows resident memory by less than 32 MiB.
        long middle = rss.subList(0, rss.size() / 2).stream()
                .mapToLong(Long::longValue)
                .max()
                .orElseThrow();
        long last = rss.subList(rss.size() / 2, rss.size()).stream()
                .mapToLong(Long::longValue)
                .max()
                .orElseThrow();
        assertTrue(last - middle < 32 * 1024, "RSS kept growing: " + middle / 1024 + " -> " + last / 1024 + " MiB");
        Shmlite.drop(url);
    }

    private static long residentKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }
}
