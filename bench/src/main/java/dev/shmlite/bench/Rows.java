package dev.shmlite.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/**
 * The rows every workload uses, the same for every peer and for the rusqlite harness
 * ({@code bench/rust/src/main.rs} builds the same values): row {@code i} is
 * {@code (id=i, r=i*0.5, s="name-"+i, b=BLOBS[i % 16] (100 bytes), n=NULL)}.
 */
public final class Rows {
    private Rows() {}

    public static final String INSERT = "INSERT INTO bench(id, r, s, b, n) VALUES (?, ?, ?, ?, ?)";
    public static final String SELECT_BY_ID = "SELECT id, r, s, b, n FROM bench WHERE id = ?";
    public static final String SCAN = "SELECT id, r, s, b, n FROM bench";
    public static final int BATCH = 1000;

    /** 16 distinct 100-byte blobs; byte j of blob k is (k * 31 + j) & 0xff. */
    static final byte[][] BLOBS = new byte[16][100];

    static {
        for (int k = 0; k < 16; k++) {
            for (int j = 0; j < 100; j++) {
                BLOBS[k][j] = (byte) (k * 31 + j);
            }
        }
    }

    /** Binds row {@code i} to an INSERT statement. */
    public static void bind(PreparedStatement ps, long i) throws SQLException {
        ps.setLong(1, i);
        ps.setDouble(2, i * 0.5);
        ps.setString(3, "name-" + i);
        ps.setBytes(4, BLOBS[(int) (i & 15)]);
        ps.setNull(5, Types.BIGINT);
    }

    /**
     * Inserts rows {@code [first, first + count)} with addBatch/executeBatch in batches of
     * {@link #BATCH}, one transaction per batch (W2). Leaves the connection in autoCommit mode.
     */
    public static void insert(Connection c, long first, long count) throws SQLException {
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            long end = first + count;
            for (long i = first; i < end; ) {
                long batchEnd = Math.min(end, i + BATCH);
                for (; i < batchEnd; i++) {
                    bind(ps, i);
                    ps.addBatch();
                }
                ps.executeBatch();
                c.commit();
            }
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** A cheap, deterministic pseudo-random sequence (xorshift64*) for keys. */
    public static final class Keys {
        private long state;

        public Keys(long seed) {
            state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
        }

        /** A key in [0, bound). */
        public long next(long bound) {
            state ^= state >>> 12;
            state ^= state << 25;
            state ^= state >>> 27;
            return Long.remainderUnsigned(state * 0x2545F4914F6CDD1DL, bound);
        }
    }

    /** Reads every column of the current row; returns a value depending on all of them. */
    public static long readRow(ResultSet rs) throws SQLException {
        long id = rs.getLong(1);
        double r = rs.getDouble(2);
        String s = rs.getString(3);
        byte[] b = rs.getBytes(4);
        long n = rs.getLong(5);
        boolean wasNull = rs.wasNull();
        return id + (long) r + s.length() + b.length + n + (wasNull ? 1 : 0);
    }
}
