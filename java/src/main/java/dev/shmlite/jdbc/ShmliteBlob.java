package dev.shmlite.jdbc;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.sql.Blob;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * An in-memory {@link Blob}: what {@code getBlob} returns and {@code createBlob} creates. SQLite
 * values are read whole, so there is no locator; unlike {@code SerialBlob} it can grow, which
 * {@code createBlob()} followed by {@code setBytes(1, …)} needs.
 */
final class ShmliteBlob implements Blob {
    private byte[] data;
    private int length;
    private boolean freed;

    /** A blob holding {@code bytes} (not copied). */
    ShmliteBlob(byte[] bytes) {
        this.data = bytes;
        this.length = bytes.length;
    }

    /** The current content as a new array. */
    byte[] toBytes() throws SQLException {
        checkLive();
        return Arrays.copyOf(data, length);
    }

    private void checkLive() throws SQLException {
        if (freed) {
            throw new SQLException("blob has been freed", "HY010");
        }
    }

    private int checkPos(long pos, long len) throws SQLException {
        checkLive();
        if (pos < 1 || len < 0 || pos - 1 > length) {
            throw new SQLException(
                    "position " + pos + " / length " + len + " out of range for blob of length " + length, "22003");
        }
        return (int) (pos - 1);
    }

    /** Length in bytes. */
    @Override
    public long length() throws SQLException {
        checkLive();
        return length;
    }

    /** Copy of up to {@code len} bytes starting at 1-based {@code pos}. */
    @Override
    public byte[] getBytes(long pos, int len) throws SQLException {
        int start = checkPos(pos, len);
        return Arrays.copyOfRange(data, start, start + Math.min(len, length - start));
    }

    /** Stream over the whole content. */
    @Override
    public InputStream getBinaryStream() throws SQLException {
        checkLive();
        return new ByteArrayInputStream(data, 0, length);
    }

    /** Stream over {@code len} bytes from 1-based {@code pos}. */
    @Override
    public InputStream getBinaryStream(long pos, long len) throws SQLException {
        int start = checkPos(pos, len);
        if (start + len > length) {
            throw new SQLException("position " + pos + " + length " + len + " exceeds blob length " + length, "22003");
        }
        return new ByteArrayInputStream(data, start, (int) len);
    }

    /** 1-based position of {@code pattern} at or after {@code start}, or -1. */
    @Override
    public long position(byte[] pattern, long start) throws SQLException {
        int from = checkPos(start, 0);
        outer:
        for (int i = from; i + pattern.length <= length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i + 1;
        }
        return -1;
    }

    /** 1-based position of another blob's content, or -1. */
    @Override
    public long position(Blob pattern, long start) throws SQLException {
        return position(pattern.getBytes(1, (int) pattern.length()), start);
    }

    /** Writes {@code bytes} at 1-based {@code pos}, growing the blob as needed. */
    @Override
    public int setBytes(long pos, byte[] bytes) throws SQLException {
        return setBytes(pos, bytes, 0, bytes.length);
    }

    /** Writes {@code len} bytes of {@code bytes} from {@code offset} at 1-based {@code pos}. */
    @Override
    public int setBytes(long pos, byte[] bytes, int offset, int len) throws SQLException {
        int start = checkPos(pos, len);
        if (offset < 0 || len < 0 || offset + len > bytes.length) {
            throw new SQLException(
                    "offset " + offset + " / length " + len + " out of range for array of " + bytes.length, "22003");
        }
        long end = (long) start + len;
        if (end > Integer.MAX_VALUE - 8) {
            throw new SQLException("blob would exceed 2 GiB", "22001");
        }
        if (end > data.length) {
            data = Arrays.copyOf(data, (int) Math.max(end, Math.min(Integer.MAX_VALUE - 8, data.length * 2L)));
        }
        System.arraycopy(bytes, offset, data, start, len);
        length = (int) Math.max(length, end);
        return len;
    }

    /** A stream writing into the blob from 1-based {@code pos}. */
    @Override
    public OutputStream setBinaryStream(long pos) throws SQLException {
        checkPos(pos, 0);
        return new OutputStream() {
            private long next = pos;

            @Override
            public void write(int b) throws java.io.IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws java.io.IOException {
                try {
                    next += setBytes(next, b, off, len);
                } catch (SQLException e) {
                    throw new java.io.IOException(e);
                }
            }
        };
    }

    /** Shortens the blob to {@code len} bytes. */
    @Override
    public void truncate(long len) throws SQLException {
        checkLive();
        if (len < 0 || len > length) {
            throw new SQLException("truncate length " + len + " out of range 0.." + length, "22003");
        }
        length = (int) len;
    }

    /** Releases the content; later calls throw. */
    @Override
    public void free() {
        freed = true;
        data = new byte[0];
        length = 0;
    }
}
