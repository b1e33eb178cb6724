package dev.shmlite.cli;

import dev.shmlite.cli.Main.UsageException;
import dev.shmlite.jdbc.DqliteNode;
import java.io.PrintStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code shmlite node}: runs one dqlite node in this JVM ({@link DqliteNode}, libdqlite loaded at
 * run time) until SIGTERM or SIGINT, then stops it cleanly and exits 0.
 *
 * <p>Every wait is bounded: starting (libdqlite's start plus joining) by {@link #START_TIMEOUT_MS},
 * stopping by {@link #STOP_TIMEOUT_MS}; past either the command gives up with exit code 1 and the
 * JVM's exit ends the node's thread. Waiting for the signal is the command's purpose, not a hang.
 */
final class NodeCommand {
    /**
     * Bound on starting: dqlite_node_start (loads the Raft log, binds, spawns the node's thread)
     * plus joining (shmlite-node's JOIN_TIMEOUT, 60 s, plus one request's 10 s read timeout), with
     * room for loading a large log.
     */
    static final long START_TIMEOUT_MS = 120_000;
    /**
     * Bound on stopping: dqlite_node_stop lets in-flight requests finish (a commit waits for its
     * Raft quorum), closes connections and joins the node's thread.
     */
    static final long STOP_TIMEOUT_MS = 15_000;

    static final String USAGE = String.join(
            System.lineSeparator(),
            "usage: shmlite node --id N --address IP:PORT --data-dir DIR [--join HOST:PORT,...] [--bind IP:PORT]",
            "",
            "Runs one dqlite node (a member of a Raft-replicated SQLite cluster) until SIGTERM or Ctrl-C,",
            "then stops it cleanly and exits 0. Needs libdqlite (Debian/Ubuntu: apt-get install libdqlite0).",
            "  --id N          the node's Raft id, unique in the cluster, the same on every restart;",
            "                  id 1 bootstraps a new cluster on its first start",
            "  --address A     IPv4:PORT that other nodes and clients reach this node at",
            "  --data-dir DIR  its Raft log and snapshots (created owner-only when missing)",
            "  --join LIST     running members (comma-separated HOST:PORT) to join on the first start:",
            "                  the node adds itself (ADD, then ASSIGN voter); on a restart it only checks",
            "  --bind A        listen on A instead of --address (e.g. 0.0.0.0:9001)",
            "Three nodes on one machine:",
            "  shmlite node --id 1 --address 127.0.0.1:9001 --data-dir n1 &",
            "  shmlite node --id 2 --address 127.0.0.1:9002 --data-dir n2 --join 127.0.0.1:9001 &",
            "  shmlite node --id 3 --address 127.0.0.1:9003 --data-dir n3 --join 127.0.0.1:9001 &",
            "then connect to jdbc:shmlite:dqlite://127.0.0.1:9001,127.0.0.1:9002,127.0.0.1:9003/NAME.",
            "exit codes: 0 stopped by a signal, 1 start, join or stop failed, 2 bad arguments");

    private static final List<String> OPTIONS = List.of("--id", "--address", "--data-dir", "--join", "--bind");

    private NodeCommand() {}

    /** The parsed command line. */
    static final class Options {
        private final long id;
        private final String address;
        private final String bind;
        private final Path dataDir;
        private final List<String> join;

        Options(long id, String address, String bind, Path dataDir, List<String> join) {
            this.id = id;
            this.address = address;
            this.bind = bind;
            this.dataDir = dataDir;
            this.join = List.copyOf(join);
        }

        long id() {
            return id;
        }

        String address() {
            return address;
        }

        String bind() {
            return bind;
        }

        Path dataDir() {
            return dataDir;
        }

        List<String> join() {
            return join;
        }
    }

    /** Parses the options; every problem is a {@link UsageException} naming the option. */
    static Options parse(List<String> args) throws UsageException {
        final Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            final String word = args.get(i);
            String name = word;
            String value = null;
            final int eq = word.indexOf('=');
            if (word.startsWith("--") && eq > 0) { // --id=1 as well as --id 1
                name = word.substring(0, eq);
                value = word.substring(eq + 1);
            }
            if (!OPTIONS.contains(name)) {
                throw new UsageException((word.startsWith("-") ? "unknown option " : "unexpected argument ") + word
                        + " for node (try shmlite node --help)");
            }
            if (value == null) {
                if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
                    throw new UsageException(name + " needs a value (try shmlite node --help)");
                }
                value = args.get(++i);
            }
            if (values.put(name, value) != null) {
                throw new UsageException(name + " given twice");
            }
        }
        for (String required : List.of("--id", "--address", "--data-dir")) {
            if (!values.containsKey(required)) {
                throw new UsageException("node needs " + required + " (try shmlite node --help)");
            }
        }
        final long id;
        try {
            id = Long.parseUnsignedLong(values.get("--id"));
        } catch (NumberFormatException e) {
            throw new UsageException(
                    "--id needs a whole number from 1 to 18446744073709551615, got '" + values.get("--id") + "'");
        }
        final List<String> join = new ArrayList<>();
        if (values.containsKey("--join")) {
            for (String seed : values.get("--join").split(",", -1)) {
                if (seed.isBlank()) {
                    throw new UsageException("--join has an empty address in '" + values.get("--join") + "'");
                }
                join.add(seed.trim());
            }
        }
        final Path dataDir;
        try {
            dataDir = Path.of(values.get("--data-dir")).toAbsolutePath();
        } catch (java.nio.file.InvalidPathException e) {
            throw new UsageException("--data-dir: " + e.getMessage());
        }
        return new Options(id, values.get("--address"), values.get("--bind"), dataDir, join);
    }

    /**
     * Runs the node until {@code stop} opens: {@link Main#main} opens it on SIGTERM/SIGINT.
     *
     * @return the exit code
     */
    static int run(List<String> args, PrintStream out, PrintStream err, CountDownLatch stop) throws Exception {
        final Options o = parse(args);
        final DqliteNode node;
        try {
            node = bounded(
                    "start",
                    START_TIMEOUT_MS,
                    () -> DqliteNode.start(o.id(), o.address(), o.bind(), o.dataDir(), o.join()));
        } catch (SQLException e) {
            if ("22023".equals(e.getSQLState())) {
                throw new UsageException(e.getMessage());
            }
            throw e;
        } catch (TimeoutException e) {
            err.println("shmlite: " + e.getMessage());
            return Main.FAILED;
        }
        // Whatever ends the JVM from here on (a signal we could not handle, System.exit elsewhere)
        // still stops the node first; close() is idempotent.
        final Thread hook = new Thread(
                () -> {
                    try {
                        bounded("stop", STOP_TIMEOUT_MS, () -> {
                            node.close();
                            return null;
                        });
                    } catch (Exception e) {
                        err.println("shmlite: " + Main.describe(e));
                    }
                },
                "shmlite-node-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.printf(
                "shmlite node: node %s listening on %s, data %s (%s)%n",
                Long.toUnsignedString(o.id()),
                o.address() + (o.bind() == null ? "" : " (bound to " + o.bind() + ")"),
                o.dataDir(),
                DqliteNode.library());
        if (!node.joined().isEmpty()) {
            out.println("shmlite node: joined through " + String.join(",", o.join()) + ": " + node.joined());
        }
        out.println("shmlite node: running; SIGTERM or Ctrl-C stops it");
        out.flush();
        stop.await();
        out.println("shmlite node: stopping node " + Long.toUnsignedString(o.id()));
        out.flush();
        try {
            bounded("stop", STOP_TIMEOUT_MS, () -> {
                node.close();
                return null;
            });
        } catch (TimeoutException e) {
            err.println("shmlite: " + e.getMessage());
            return Main.FAILED;
        }
        out.println("shmlite node: stopped");
        out.flush();
        return 0;
    }

    /**
     * Runs {@code task} on its own daemon thread and waits at most {@code millis}: a libdqlite
     * call that never returns cannot keep the command (or the JVM's exit) waiting.
     */
    private static <T> T bounded(String what, long millis, Callable<T> task) throws Exception {
        final FutureTask<T> future = new FutureTask<>(task);
        final Thread t = new Thread(future, "shmlite-node-" + what);
        t.setDaemon(true);
        t.start();
        try {
            return future.get(millis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            final Throwable cause = e.getCause();
            if (cause instanceof Exception) {
                throw (Exception) cause;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new TimeoutException("the node did not " + what + " within " + millis / 1000 + " s; giving up");
        }
    }

    /**
     * Opens {@code stop} on SIGTERM and SIGINT instead of the JVM's default (exit 143/130), so
     * the node is stopped and the command exits 0. Through {@code sun.misc.Signal} by reflection
     * (module jdk.unsupported, present in every JDK; not a compile-time dependency); returns false
     * when that is unavailable (e.g. {@code -Xrs}), in which case the shutdown hook still stops
     * the node.
     */
    static boolean handleSignals(CountDownLatch stop) {
        try {
            final Class<?> signal = Class.forName("sun.misc.Signal");
            final Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            final InvocationHandler onSignal = (proxy, method, args) -> {
                switch (method.getName()) {
                    case "handle":
                        stop.countDown();
                        return null;
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "equals":
                        return proxy == args[0];
                    default:
                        return "shmlite node signal handler";
                }
            };
            final Object handler =
                    Proxy.newProxyInstance(NodeCommand.class.getClassLoader(), new Class<?>[] {handlerType}, onSignal);
            for (String name : List.of("TERM", "INT")) {
                signal.getMethod("handle", signal, handlerType)
                        .invoke(null, signal.getConstructor(String.class).newInstance(name), handler);
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false;
        }
    }
}
