package dev.shmlite.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A child process for the cross-process tests. Every transaction writes one group: {@code
 * ROWS} data rows and a checksum row whose value is the sum of the group's values, so a reader
 * can tell a whole transaction from part of one.
 *
 * <pre>
 *   writer URL FIRST COUNT PAD    commit groups FIRST..FIRST+COUNT-1 (COUNT 0 = until killed),
 *                                 printing "committed G" after each commit
 *   reader URL LAST               follow the groups with awaitChange until group LAST is seen,
 *                                 checking whole groups in commit order; prints "ok N" or "VIOLATION ..."
 *   wait URL TIMEOUT_MS           print "changed" or "timeout" after one awaitChange
 * </pre>
 */
public final class ShmWorker {
    static final int ROWS = 4;

    private ShmWorker() {}

    /**
     * Runs one mode (see the class comment).
     *
     * @param args mode and its arguments
     * @throws Exception on any failure, which ends the process with a non-zero status
     */
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "writer":
                writer(args[1], Long.parseLong(args[2]), Long.parseLong(args[3]), Integer.parseInt(args[4]));
                break;
            case "reader":
                reader(args[1], Long.parseLong(args[2]));
                break;
            case "wait":
                try (Connection c = DriverManager.getConnection(args[1])) {
                    System.out.println("ready");
                    System.out.flush();
                    System.out.println(Shmlite.awaitChange(c, Long.parseLong(args[2])) ? "changed" : "timeout");
                }
                break;
            default:
                throw new IllegalArgumentException(args[0]);
        }
        System.out.flush();
    }

    static void createSchema(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS grp(g INTEGER NOT NULL, seq INTEGER NOT NULL, v INTEGER NOT NULL,"
                    + " pad BLOB, PRIMARY KEY (g, seq))");
        }
    }

    private static void writer(String url, long first, long count, int pad) throws SQLException {
        try (Connection c = DriverManager.getConnection(url)) {
            createSchema(c);
            c.setAutoCommit(false);
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO grp(g, seq, v, pad) VALUES (?, ?, ?, ?)")) {
                byte[] padding = new byte[pad];
                for (long g = first; count == 0 || g < first + count; g++) {
                    long sum = 0;
                    for (int seq = 0; seq < ROWS; seq++) {
                        long v = g * 31 + seq * 7;
                        sum += v;
                        insert(ins, g, seq, v, padding);
                    }
                    insert(ins, g, ROWS, sum, null); // the checksum row
                    c.commit();
                    System.out.println("committed " + g);
                    System.out.flush();
                }
            }
        }
    }

    private static void insert(PreparedStatement ins, long g, int seq, long v, byte[] pad) throws SQLException {
        ins.setLong(1, g);
        ins.setInt(2, seq);
        ins.setLong(3, v);
        ins.setBytes(4, pad);
        ins.executeUpdate();
    }

    /**
     * Checks every group after {@code after}: whole, and numbered consecutively from 0. Returns
     * the last group seen; throws on a violation.
     */
    static long verify(Connection c, long after) throws SQLException {
        long last = after;
        try (PreparedStatement q = c.prepareStatement(
                "SELECT g, count(*), sum(CASE WHEN seq < ? THEN v ELSE 0 END), sum(CASE WHEN seq = ? THEN v ELSE 0 END)"
                        + " FROM grp WHERE g > ? GROUP BY g ORDER BY g")) {
            q.setInt(1, ROWS);
            q.setInt(2, ROWS);
            q.setLong(3, after);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    long g = rs.getLong(1);
                    if (rs.getInt(2) != ROWS + 1 || rs.getLong(3) != rs.getLong(4)) {
                        throw new IllegalStateException("VIOLATION partial group " + g + ": " + rs.getInt(2) + " rows");
                    }
                    // Commit order with no gap: a gap would be a lost or reordered commit.
                    if (g != last + 1) {
                        throw new IllegalStateException("VIOLATION group " + g + " follows group " + last);
                    }
                    last = g;
                }
            }
        }
        return last;
    }

    private static void reader(String url, long lastGroup) throws SQLException {
        long seen = -1;
        long wakes = 0;
        try (Connection c = DriverManager.getConnection(url)) {
            createSchema(c);
            while (seen < lastGroup) {
                long before = seen;
                seen = verify(c, seen);
                if (seen == before && !Shmlite.awaitChange(c, 30_000)) {
                    throw new IllegalStateException("VIOLATION no change for 30 s at group " + seen);
                }
                wakes++;
            }
        }
        System.out.println("ok " + seen + " wakes " + wakes);
    }
}
