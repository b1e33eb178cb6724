package dev.shmlite.jdbc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Little-endian access to the byte buffers exchanged with the native core (format in
 * {@code docs/wire.md}), and a growable writer for parameter rows and in-memory result sets.
 */
final class Wire {
    private Wire() {}

    /** Largest buffer of parameters or rows: HotSpot's array limit is a few bytes under 2 GiB. */
    static final int MAX_BUFFER = Integer.MAX_VALUE - 8;

    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle F64 = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);

    static int getInt(byte[] b, int off) {
        return (int) I32.get(b, off);
    }

    static long getLong(byte[] b, int off) {
        return (long) I64.get(b, off);
    }

    static double getDouble(byte[] b, int off) {
        return (double) F64.get(b, off);
    }

    static void putInt(byte[] b, int off, int v) {
        I32.set(b, off, v);
    }

    static void putLong(byte[] b, int off, long v) {
        I64.set(b, off, v);
    }

    /**
     * The buffer size a header flagged NEED_SPACE asks for. The core refuses a row no Java array
     * can hold (22001), so a request that would not grow the buffer is a broken header: failing
     * here keeps the caller from fetching the same row into the same buffer forever.
     */
    static int neededSpace(byte[] b) throws java.sql.SQLException {
        int needed = getInt(b, Native.OFF_NEEDED);
        if (needed <= b.length) {
            throw new java.sql.SQLException(
                    "native fetch asked for " + needed + " bytes for one row, but the buffer already holds " + b.length,
                    "HY000");
        }
        return needed;
    }

    /** Offset just past the value whose tag byte is at {@code off}. */
    static int skipValue(byte[] b, int off) {
        switch (b[off]) {
            case Native.TAG_NULL:
                return off + 1;
            case Native.TAG_INTEGER:
            case Native.TAG_REAL:
                return off + 9;
            case Native.TAG_TEXT:
            case Native.TAG_BLOB:
                return off + 5 + getInt(b, off + 1);
            default:
                // A corrupt buffer must not turn into garbage values silently.
                throw new IllegalStateException("corrupt row buffer: tag " + b[off] + " at " + off);
        }
    }

    /**
     * Encodes rows of Java values (null, Number, String, byte[], Boolean) as a complete out buffer
     * (header flagged RESULT_SET|DONE), for result sets built in Java: generated keys, metadata.
     */
    static byte[] resultBuffer(List<Object[]> rows) {
        Writer w = new Writer(Native.HEADER + 64 * Math.max(1, rows.size()));
        w.len = Native.HEADER;
        for (Object[] row : rows) {
            for (Object v : row) {
                w.putObject(v);
            }
        }
        byte[] b = w.buf;
        putInt(b, Native.OFF_FLAGS, Native.FLAG_RESULT_SET | Native.FLAG_DONE);
        putInt(b, Native.OFF_ROWS, rows.size());
        putInt(b, Native.OFF_END, w.len);
        return b;
    }

    /** A growable little-endian byte buffer of tagged values; reused across executions. */
    static final class Writer {
        byte[] buf;
        int len;

        Writer(int capacity) {
            buf = new byte[capacity];
        }

        void reset() {
            len = 0;
        }

        void ensure(int extra) {
            int need = len + extra;
            if (need < 0 || need > MAX_BUFFER) {
                // Parameters are checked against MAX_BUFFER before they are written (22001);
                // this guards the Java-built buffers (keys, metadata rows), which never get here.
                throw new IllegalStateException("buffer would exceed " + MAX_BUFFER + " bytes");
            }
            if (need > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(need, (int) Math.min(MAX_BUFFER, buf.length * 2L)));
            }
        }

        void putNull() {
            ensure(1);
            buf[len++] = Native.TAG_NULL;
        }

        void putLong(long v) {
            ensure(9);
            buf[len] = Native.TAG_INTEGER;
            I64.set(buf, len + 1, v);
            len += 9;
        }

        void putDouble(double v) {
            ensure(9);
            buf[len] = Native.TAG_REAL;
            F64.set(buf, len + 1, v);
            len += 9;
        }

        void putBytes(byte tag, byte[] v) {
            ensure(5 + v.length);
            buf[len] = tag;
            I32.set(buf, len + 1, v.length);
            System.arraycopy(v, 0, buf, len + 5, v.length);
            len += 5 + v.length;
        }

        /** Appends already encoded values (e.g. rows copied out of an out buffer). */
        void putRaw(byte[] src, int off, int n) {
            ensure(n);
            System.arraycopy(src, off, buf, len, n);
            len += n;
        }

        void putObject(Object v) {
            if (v == null) {
                putNull();
            } else if (v instanceof Double || v instanceof Float) {
                putDouble(((Number) v).doubleValue());
            } else if (v instanceof Number) {
                putLong(((Number) v).longValue());
            } else if (v instanceof Boolean) {
                putLong((Boolean) v ? 1 : 0);
            } else if (v instanceof byte[]) {
                putBytes(Native.TAG_BLOB, (byte[]) v);
            } else {
                putBytes(Native.TAG_TEXT, v.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
    }
}
