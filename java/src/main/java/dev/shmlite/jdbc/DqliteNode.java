package dev.shmlite.jdbc;

import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.SQLNonTransientException;
import java.util.List;
import java.util.Objects;

/**
 * One dqlite node running in this process (what {@code shmlite node} runs): a member of a
 * Raft-replicated SQLite cluster that {@code jdbc:shmlite:dqlite://} connections (and any dqlite
 * client) talk to.
 *
 * <p>The node runs inside libdqlite ({@code libdqlite.so.0}, Debian package {@code libdqlite0}),
 * which the native library opens only when {@link #start} is first called: the driver itself,
 * and {@code mem:}/{@code shm:} databases, never need it. Without it {@link #start} throws an
 * {@link SQLException} with SQLState {@code 58P01} naming the package to install.
 *
 * <p>Errors: SQLState {@code 22023} for arguments that cannot work (id 0, an address libdqlite
 * cannot use, an unsafe data directory, a new node without {@code join}, an id or address the
 * cluster already has), {@code 08001} when the node could not be started or joined.
 */
public final class DqliteNode implements AutoCloseable {
    private final long id;
    private final String address;
    private final String joined;
    /** The native node; 0 once closed. Guarded by {@code this}. */
    private long handle;

    private DqliteNode(long id, String address, long handle, String joined) {
        this.id = id;
        this.address = address;
        this.handle = handle;
        this.joined = joined;
    }

    /**
     * Starts a node and, when {@code join} is not empty, makes it a voter of the cluster those
     * nodes belong to (protocol requests CLUSTER, ADD, ASSIGN; nothing is changed for a node that
     * is a voter already). Returns once the node accepts connections and has joined.
     *
     * @param id the node's Raft id, unsigned (as {@link Long#parseUnsignedLong}): unique in the
     *     cluster, the same on every restart; id 1 bootstraps a new cluster on its first start
     * @param address the address other nodes and clients reach it at, {@code IPv4:PORT}
     *     (libdqlite's node transport speaks neither names nor IPv6)
     * @param bind the address to listen on when it differs from {@code address} (e.g. {@code
     *     0.0.0.0:9001}), or null
     * @param dataDir where it keeps its Raft log; created owner-only when missing, refused when
     *     others could write it or another node runs on it (it holds {@code shmlite-node.lock}
     *     locked while it runs)
     * @param join addresses ({@code HOST:PORT}) of running members, for a node's first start;
     *     empty to bootstrap (id 1) or restart
     * @return the running node; {@link #close()} stops it
     * @throws SQLException with SQLState 22023 (bad argument), 58P01 (libdqlite not installed)
     *     or 08001 (could not start or join; the node is stopped again)
     */
    public static DqliteNode start(long id, String address, String bind, Path dataDir, List<String> join)
            throws SQLException {
        // (List.of(...).contains(null) would throw, hence the stream)
        if (address == null || dataDir == null || join == null || join.stream().anyMatch(Objects::isNull)) {
            throw new SQLNonTransientException(
                    "DqliteNode.start needs an address, a data directory and a join list"
                            + " (empty, not null, without null elements)",
                    "22023");
        }
        NativeLibrary.ensureLoaded();
        final long handle = nativeStart(id, address, bind, dataDir.toString(), join.toArray(new String[0]));
        return new DqliteNode(id, address, handle, nativeJoined(handle));
    }

    /**
     * The libdqlite this process loaded, e.g. {@code libdqlite.so.0 1.10.0} (its own version
     * number, which Debian's 1.11.1 reports as 1.10.0).
     *
     * @return the file name and version
     * @throws SQLException with SQLState 58P01 when libdqlite is not installed
     */
    public static String library() throws SQLException {
        NativeLibrary.ensureLoaded();
        return nativeLibrary();
    }

    /** @return the node's Raft id (unsigned) */
    public long id() {
        return id;
    }

    /** @return the address other nodes and clients reach it at */
    public String address() {
        return address;
    }

    /**
     * @return what joining did and the members the leader listed then, e.g. {@code added and
     *     assigned the voter role; members: 1 127.0.0.1:9001 voter, ...}; empty without join
     */
    public String joined() {
        return joined;
    }

    /** @return whether {@link #close()} has not been called yet */
    public synchronized boolean isRunning() {
        return handle != 0;
    }

    /**
     * Stops the node ({@code dqlite_node_stop}: no new connections, in-flight requests finish,
     * connections close, its thread is joined) and frees it. Idempotent and thread-safe. Blocks
     * until libdqlite has stopped; callers that need a bound run it on a thread they can give up
     * on (as {@code shmlite node} does).
     *
     * @throws SQLException (08001) when libdqlite reports a failure while stopping
     */
    @Override
    public synchronized void close() throws SQLException {
        final long h = handle;
        handle = 0;
        nativeStop(h);
    }

    private static native long nativeStart(long id, String address, String bind, String dataDir, String[] join)
            throws SQLException;

    private static native String nativeJoined(long handle);

    private static native void nativeStop(long handle) throws SQLException;

    private static native String nativeLibrary() throws SQLException;

    /** {@code name=signature} of every native method of this class as registered (tests). */
    static native String[] nativeSignatures();
}
