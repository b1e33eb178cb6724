package dev.shmlite.jdbc;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.StringReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Clob;
import java.sql.SQLException;

/**
 * An in-memory {@link Clob}: what {@code getClob} returns and {@code createClob} creates. It can
 * grow, which {@code createClob()} followed by {@code setString(1, …)} needs.
 */
final class ShmliteClob implements Clob {
    private StringBuilder text;

    /** A clob holding {@code s}. */
    ShmliteClob(String s) {
        this.text = new StringBuilder(s);
    }

    private StringBuilder live() throws SQLException {
        if (text == null) {
            throw new SQLException("clob has been freed", "HY010");
        }
        return text;
    }

    private int checkPos(long pos, long len) throws SQLException {
        StringBuilder t = live();
        if (pos < 1 || len < 0 || pos - 1 > t.length()) {
            throw new SQLException(
                    "position " + pos + " / length " + len + " out of range for clob of length " + t.length(), "22003");
        }
        return (int) (pos - 1);
    }

    /** The whole content. */
    @Override
    public String toString() {
        return text == null ? "" : text.toString();
    }

    /** Length in chars (UTF-16 units). */
    @Override
    public long length() throws SQLException {
        return live().length();
    }

    /** Up to {@code len} chars from 1-based {@code pos}. */
    @Override
    public String getSubString(long pos, int len) throws SQLException {
        int start = checkPos(pos, len);
        return text.substring(start, start + Math.min(len, text.length() - start));
    }

    /** Reader over the whole content. */
    @Override
    public Reader getCharacterStream() throws SQLException {
        return new StringReader(live().toString());
    }

    /** Reader over {@code len} chars from 1-based {@code pos}. */
    @Override
    public Reader getCharacterStream(long pos, long len) throws SQLException {
        int start = checkPos(pos, len);
        if (start + len > text.length()) {
            throw new SQLException(
                    "position " + pos + " + length " + len + " exceeds clob length " + text.length(), "22003");
        }
        return new StringReader(text.substring(start, (int) (start + len)));
    }

    /** The content as UTF-8 bytes (a superset of ASCII). */
    @Override
    public InputStream getAsciiStream() throws SQLException {
        return new ByteArrayInputStream(live().toString().getBytes(StandardCharsets.UTF_8));
    }

    /** 1-based position of {@code search} at or after {@code start}, or -1. */
    @Override
    public long position(String search, long start) throws SQLException {
        int from = checkPos(start, 0);
        int at = text.indexOf(search, from);
        return at < 0 ? -1 : at + 1;
    }

    /** 1-based position of another clob's content, or -1. */
    @Override
    public long position(Clob search, long start) throws SQLException {
        return position(search.getSubString(1, (int) search.length()), start);
    }

    /** Writes {@code s} at 1-based {@code pos}, overwriting and growing as needed. */
    @Override
    public int setString(long pos, String s) throws SQLException {
        return setString(pos, s, 0, s.length());
    }

    /** Writes {@code len} chars of {@code s} from {@code offset} at 1-based {@code pos}. */
    @Override
    public int setString(long pos, String s, int offset, int len) throws SQLException {
        int start = checkPos(pos, len);
        if (offset < 0 || len < 0 || offset + len > s.length()) {
            throw new SQLException(
                    "offset " + offset + " / length " + len + " out of range for string of " + s.length(), "22003");
        }
        int end = Math.min(text.length(), start + len);
        text.replace(start, end, s.substring(offset, offset + len));
        return len;
    }

    /** A stream writing ASCII (read as UTF-8) from 1-based {@code pos}. */
    @Override
    public OutputStream setAsciiStream(long pos) throws SQLException {
        checkPos(pos, 0);
        return new java.io.ByteArrayOutputStream() {
            @Override
            public void close() throws java.io.IOException {
                try {
                    setString(pos, new String(toByteArray(), StandardCharsets.UTF_8));
                } catch (SQLException e) {
                    throw new java.io.IOException(e);
                }
            }
        };
    }

    /** A writer writing from 1-based {@code pos}; the content is updated on each flush and close. */
    @Override
    public Writer setCharacterStream(long pos) throws SQLException {
        checkPos(pos, 0);
        return new Writer() {
            private long next = pos;

            @Override
            public void write(char[] cbuf, int off, int len) throws java.io.IOException {
                try {
                    next += setString(next, new String(cbuf, off, len));
                } catch (SQLException e) {
                    throw new java.io.IOException(e);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
    }

    /** Shortens the clob to {@code len} chars. */
    @Override
    public void truncate(long len) throws SQLException {
        StringBuilder t = live();
        if (len < 0 || len > t.length()) {
            throw new SQLException("truncate length " + len + " out of range 0.." + t.length(), "22003");
        }
        t.setLength((int) len);
    }

    /** Releases the content; later calls throw. */
    @Override
    public void free() {
        text = null;
    }
}
