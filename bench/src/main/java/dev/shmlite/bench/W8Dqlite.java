package dev.shmlite.bench;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.shmlite.jdbc.DatabaseStats;
import dev.shmlite.jdbc.Shmlite;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * W8 (issue 16 item 8): shmlite's {@code jdbc:shmlite:dqlite://} against go-dqlite's
 * {@code database/sql} driver (Debian's golang-github-canonical-go-dqlite-dev, the same package as
 * the {@code dqlite-demo} nodes) on one running 3-node cluster, in the same run, rounds alternating
 * which client goes first:
 * <ul>
 * <li>latency: on one connection, warm-up then N measured autocommit INSERTs through one prepared
 * statement, then warm-up + N point SELECTs of random present keys through another (a fresh
 * database per client and round, so both see the same table sizes); p50/p99 of the pooled rounds;
 * <li>writers: 8 threads (goroutines), each on its own connection and prepared statement, PER
 * autocommit INSERTs each; errors counted (go-dqlite without retries, as it ships), throughput of
 * committed rows, rows present afterwards.
 * </ul>
 * shmlite runs in this JVM (warmed by the earlier rounds); each Go run is a fresh process of
 * {@code rust/dqlite/go-latency} ({@code w8-latency}/{@code w8-writers}), which prints JSON.
 *
 * <pre>
 * SHMLITE_DQLITE_SEEDS=h:p,h:p,h:p java -cp benchmarks.jar dev.shmlite.bench.W8Dqlite quick|full --go GOBIN --out DIR
 * java -cp benchmarks.jar dev.shmlite.bench.W8Dqlite report DIR
 * </pre>
 * Writes {@code DIR/raw/w8.json} (every sample) and {@code DIR/results.md}. Run by {@code bench/w8.sh},
 * which starts and stops the cluster. Exits non-zero only when something is broken (a client failed
 * to run, or shmlite reported errors or lost rows), never because of speed.
 */
public final class W8Dqlite {
    private W8Dqlite() {}

    /** Latency target: shmlite p50 and p99 at most this multiple of go-dqlite's (issue 16). */
    static final double LATENCY_TARGET = 1.2;
    /** An operation slower than this multiple of its client's p50 counts as a stall in the report. */
    static final int STALL_FACTOR = 10;
    /** Concurrent writers of the writers part (issue 16). */
    static final int WRITERS = 8;
    /** Bound on one Go run; a hung client fails the run instead of hanging it. */
    static final long GO_TIMEOUT_S = 300;
    /** Bound on one shmlite writer thread finishing its inserts. */
    static final long WRITER_TIMEOUT_S = 300;

    /** Sizes of one mode. */
    record Mode(String name, int n, int warmup, int selectWarmup, int latencyRounds, int perWriter, int writerRounds) {
        static Mode of(String name) {
            switch (name) {
                case "quick":
                    return new Mode(name, 1000, 100, 2000, 3, 100, 2);
                case "full":
                    return new Mode(name, 3000, 200, 5000, 5, 250, 3);
                default:
                    throw new IllegalArgumentException("mode must be quick or full, not " + name);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("report")) {
            Path dir = Paths.get(args[1]);
            JsonObject all = JsonParser.parseString(Files.readString(dir.resolve("raw/w8.json"))).getAsJsonObject();
            Files.writeString(dir.resolve("results.md"), report(all));
            System.err.println("W8: wrote " + dir.resolve("results.md"));
            return;
        }
        if (args.length == 0) {
            System.err.println("usage: W8Dqlite quick|full --go GOBIN --out DIR  |  W8Dqlite report DIR");
            System.exit(2);
        }
        Mode mode = Mode.of(args[0]);
        String seeds = Main.option(args, "--seeds", System.getenv("SHMLITE_DQLITE_SEEDS"));
        String go = Main.option(args, "--go", null);
        Path out = Paths.get(Main.option(args, "--out", "bench/results/w8-" + mode.name()));
        if (seeds == null || go == null) {
            System.err.println("W8: needs --go GOBIN and SHMLITE_DQLITE_SEEDS (or --seeds)");
            System.exit(2);
        }
        Files.createDirectories(out.resolve("raw"));
        String run = Long.toString(ProcessHandle.current().pid()) + "-" + (System.currentTimeMillis() % 100000);
        long t0 = System.nanoTime();

        JsonObject all = new JsonObject();
        JsonObject env = new JsonObject();
        env.addProperty("mode", mode.name());
        env.addProperty("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        env.addProperty("nproc", Runtime.getRuntime().availableProcessors());
        env.addProperty("loadavgAtStart", Main.loadavg());
        env.addProperty("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        env.addProperty("driverCommit", System.getenv().getOrDefault("SHMLITE_DRIVER_COMMIT", "unknown"));
        env.addProperty("debianPackages", dpkgVersions());
        env.addProperty("seeds", seeds);
        env.add("settings", new Gson().toJsonTree(mode));
        all.add("env", env);
        JsonArray latency = new JsonArray();
        JsonArray writers = new JsonArray();
        all.add("latency", latency);
        all.add("writers", writers);
        List<String> failures = new ArrayList<>();

        for (int r = 1; r <= mode.latencyRounds(); r++) {
            boolean shmliteFirst = r % 2 == 1;
            for (int k = 0; k < 2; k++) {
                boolean shm = (k == 0) == shmliteFirst;
                String db = "w8-" + run + "-lat" + r + (shm ? "-shmlite" : "-go");
                System.err.printf("W8 [%.0f s] latency round %d/%d: %s (load %s)%n", secs(t0), r,
                        mode.latencyRounds(), shm ? "shmlite" : "go-dqlite", Main.loadavg());
                try {
                    JsonObject res = shm ? shmliteLatency(seeds, db, mode.n(), mode.warmup(), mode.selectWarmup())
                            : goRun(go, seeds, "w8-latency", Integer.toString(mode.n()),
                                    Integer.toString(mode.warmup()), Integer.toString(mode.selectWarmup()), db);
                    res.addProperty("round", r);
                    res.addProperty("loadavg", Main.loadavg());
                    latency.add(res);
                } catch (Exception e) {
                    failures.add("latency round " + r + " " + (shm ? "shmlite" : "go") + ": " + e);
                    e.printStackTrace();
                }
            }
        }
        for (int r = 1; r <= mode.writerRounds(); r++) {
            boolean shmliteFirst = r % 2 == 1;
            for (int k = 0; k < 2; k++) {
                boolean shm = (k == 0) == shmliteFirst;
                String db = "w8-" + run + "-wr" + r + (shm ? "-shmlite" : "-go");
                System.err.printf("W8 [%.0f s] writers round %d/%d: %s, %d x %d (load %s)%n", secs(t0), r,
                        mode.writerRounds(), shm ? "shmlite" : "go-dqlite", WRITERS, mode.perWriter(), Main.loadavg());
                try {
                    JsonObject res = shm ? shmliteWriters(seeds, db, WRITERS, mode.perWriter())
                            : goRun(go, seeds, "w8-writers", Integer.toString(WRITERS),
                                    Integer.toString(mode.perWriter()), db);
                    res.addProperty("round", r);
                    res.addProperty("loadavg", Main.loadavg());
                    writers.add(res);
                    long expected = (long) WRITERS * mode.perWriter();
                    if (shm && (res.get("errors").getAsLong() != 0 || res.get("rows").getAsLong() != expected)) {
                        failures.add("writers round " + r + " shmlite: " + res.get("errors") + " errors, "
                                + res.get("rows") + " of " + expected + " rows");
                    }
                } catch (Exception e) {
                    failures.add("writers round " + r + " " + (shm ? "shmlite" : "go") + ": " + e);
                    e.printStackTrace();
                }
            }
        }
        env.addProperty("loadavgAtEnd", Main.loadavg());
        env.addProperty("seconds", Math.round(secs(t0)));
        env.add("failures", new Gson().toJsonTree(failures));
        // Compact: thousands of samples, one line each when pretty-printed.
        Files.writeString(out.resolve("raw/w8.json"), new Gson().toJson(all));
        Files.writeString(out.resolve("results.md"), report(all));
        System.err.printf("W8: done in %.0f s: %s%n", secs(t0), out.resolve("results.md"));
        if (!failures.isEmpty()) {
            System.err.println("W8 failures:");
            failures.forEach(f -> System.err.println("  " + f));
            System.exit(1);
        }
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static String url(String seeds, String db) {
        return "jdbc:shmlite:dqlite://" + seeds + "/" + db;
    }

    /** The shmlite side of the latency part; also the protocol requests and their time per operation. */
    static JsonObject shmliteLatency(String seeds, String db, int n, int warmup, int selectWarmup)
            throws SQLException {
        String url = url(seeds, db);
        long[] insert = new long[n];
        long[] select = new long[n];
        double[] insertCost;
        double[] selectCost;
        try (Connection c = DriverManager.getConnection(url)) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL)");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO kv (k, v) VALUES (?, ?)")) {
                DatabaseStats before = null;
                for (int k = 0; k < warmup + n; k++) {
                    if (k == warmup) {
                        before = stats(url);
                    }
                    long s = System.nanoTime();
                    ps.setLong(1, k);
                    ps.setString(2, "value");
                    ps.executeUpdate();
                    long d = System.nanoTime() - s;
                    if (k >= warmup) {
                        insert[k - warmup] = d;
                    }
                }
                insertCost = perOp(before, stats(url), n);
            }
            Random rnd = new Random(42);
            try (PreparedStatement ps = c.prepareStatement("SELECT v FROM kv WHERE k = ?")) {
                DatabaseStats before = null;
                for (int i = 0; i < selectWarmup + n; i++) {
                    if (i == selectWarmup) {
                        before = stats(url);
                    }
                    long k = (long) (rnd.nextDouble() * (warmup + n));
                    long s = System.nanoTime();
                    ps.setLong(1, k);
                    String v;
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new SQLException("W8: key " + k + " missing");
                        }
                        v = rs.getString(1);
                    }
                    long d = System.nanoTime() - s;
                    if (v == null) {
                        throw new SQLException("W8: null value for key " + k);
                    }
                    if (i >= selectWarmup) {
                        select[i - selectWarmup] = d;
                    }
                }
                selectCost = perOp(before, stats(url), n);
            }
        }
        JsonObject o = new JsonObject();
        o.addProperty("client", "shmlite");
        o.add("insertNanos", new Gson().toJsonTree(insert));
        o.add("selectNanos", new Gson().toJsonTree(select));
        o.addProperty("insertRequestsPerOp", insertCost[0]);
        o.addProperty("insertRequestNanosPerOp", insertCost[1]);
        o.addProperty("selectRequestsPerOp", selectCost[0]);
        o.addProperty("selectRequestNanosPerOp", selectCost[1]);
        return o;
    }

    private static DatabaseStats stats(String url) throws SQLException {
        return Shmlite.stats(url).orElseThrow(() -> new SQLException("W8: no stats for " + url));
    }

    /** Protocol requests and the nanoseconds spent in them, per operation, between two snapshots. */
    private static double[] perOp(DatabaseStats a, DatabaseStats b, int n) {
        return new double[] {
            (b.getRemoteRequests() - a.getRemoteRequests()) / (double) n,
            (b.getRemoteRequestNanosTotal() - a.getRemoteRequestNanosTotal()) / (double) n,
        };
    }

    /** The shmlite side of the writers part: threads on their own connections, errors counted. */
    static JsonObject shmliteWriters(String seeds, String db, int writers, int per) throws Exception {
        String url = url(seeds, db);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (w INTEGER, i INTEGER, PRIMARY KEY (w, i))");
        }
        DatabaseStats before = stats(url);
        Map<String, Long> messages = new ConcurrentHashMap<>();
        AtomicLong errors = new AtomicLong();
        CountDownLatch ready = new CountDownLatch(writers);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            final int writer = w;
            done.add(pool.submit(() -> {
                try (Connection c = DriverManager.getConnection(url);
                        PreparedStatement ps = c.prepareStatement("INSERT INTO t (w, i) VALUES (?, ?)")) {
                    ready.countDown();
                    go.await();
                    for (int i = 0; i < per; i++) {
                        ps.setInt(1, writer);
                        ps.setInt(2, i);
                        try {
                            ps.executeUpdate();
                        } catch (SQLException e) {
                            errors.incrementAndGet();
                            messages.merge(e.getSQLState() + " " + e.getMessage(), 1L, Long::sum);
                        }
                    }
                }
                return null;
            }));
        }
        long elapsed;
        try {
            if (!ready.await(WRITER_TIMEOUT_S, TimeUnit.SECONDS)) {
                throw new IllegalStateException("W8: writers did not connect within " + WRITER_TIMEOUT_S + " s");
            }
            long s = System.nanoTime();
            go.countDown();
            for (Future<?> f : done) {
                f.get(WRITER_TIMEOUT_S, TimeUnit.SECONDS);
            }
            elapsed = System.nanoTime() - s;
        } finally {
            // Also when a writer failed or hung: no thread of this round outlives it.
            go.countDown();
            pool.shutdownNow();
        }
        DatabaseStats after = stats(url);
        long rows;
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            rows = rs.getLong(1);
        }
        JsonObject o = new JsonObject();
        o.addProperty("client", "shmlite");
        o.addProperty("writers", writers);
        o.addProperty("perWriter", per);
        o.addProperty("errors", errors.get());
        o.addProperty("rows", rows);
        o.addProperty("elapsedNanos", elapsed);
        o.add("messages", new Gson().toJsonTree(new TreeMap<>(messages)));
        o.addProperty("lockWaits", after.getLockWaits() - before.getLockWaits());
        o.addProperty("remoteBusyRetries", after.getRemoteBusyRetries() - before.getRemoteBusyRetries());
        o.addProperty("remoteRequests", after.getRemoteRequests() - before.getRemoteRequests());
        return o;
    }

    /** One run of the Go client; its stdout is one JSON object. */
    static JsonObject goRun(String go, String seeds, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(go);
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("SHMLITE_DQLITE_SEEDS", seeds);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try (InputStream in = p.getInputStream()) {
                in.transferTo(buf);
            } catch (IOException e) {
                // the exit code and the missing JSON report it
            }
        });
        reader.start();
        if (!p.waitFor(GO_TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("go client did not finish within " + GO_TIMEOUT_S + " s");
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        if (p.exitValue() != 0) {
            throw new IllegalStateException("go client exited with " + p.exitValue());
        }
        return JsonParser.parseString(buf.toString(StandardCharsets.UTF_8).trim()).getAsJsonObject();
    }

    private static String dpkgVersions() {
        try {
            Process p = new ProcessBuilder("dpkg-query", "-W", "-f", "${Package} ${Version}, ", "go-dqlite",
                    "libdqlite0", "golang-github-canonical-go-dqlite-dev").redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return s.endsWith(",") ? s.substring(0, s.length() - 1) : s;
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }

    // ---- report ----

    /** Nearest-rank percentile of sorted samples, as go-latency and latency.rs compute it. */
    static long pct(long[] sorted, double q) {
        int i = (int) (sorted.length * q);
        return sorted[Math.min(i, sorted.length - 1)];
    }

    private static long[] pooled(JsonArray rounds, String client, String field) {
        List<Long> all = new ArrayList<>();
        for (JsonElement e : rounds) {
            JsonObject o = e.getAsJsonObject();
            if (o.get("client").getAsString().equals(client)) {
                for (JsonElement v : o.getAsJsonArray(field)) {
                    all.add(v.getAsLong());
                }
            }
        }
        long[] a = all.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        return a;
    }

    private static String dur(long nanos) {
        if (nanos >= 1_000_000) {
            return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.0f µs", nanos / 1e3);
    }

    private static String roundRange(JsonArray rounds, String client, String field, double q) {
        long lo = Long.MAX_VALUE;
        long hi = 0;
        for (JsonElement e : rounds) {
            JsonObject o = e.getAsJsonObject();
            if (!o.get("client").getAsString().equals(client)) {
                continue;
            }
            long[] a = new Gson().fromJson(o.getAsJsonArray(field), long[].class);
            Arrays.sort(a);
            long v = pct(a, q);
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        return lo == Long.MAX_VALUE ? "-" : dur(lo) + " – " + dur(hi);
    }

    private static double mean(JsonArray rounds, String client, String field) {
        double sum = 0;
        int n = 0;
        for (JsonElement e : rounds) {
            JsonObject o = e.getAsJsonObject();
            if (o.get("client").getAsString().equals(client) && o.has(field)) {
                sum += o.get(field).getAsDouble();
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    static String report(JsonObject all) {
        JsonObject env = all.getAsJsonObject("env");
        JsonArray lat = all.getAsJsonArray("latency");
        JsonArray wr = all.getAsJsonArray("writers");
        JsonObject settings = env.getAsJsonObject("settings");
        StringBuilder b = new StringBuilder();
        b.append("# W8: shmlite `jdbc:shmlite:dqlite://` vs go-dqlite on a 3-node loopback cluster\n\n");
        b.append("- date: ").append(env.get("date").getAsString()).append(", mode `")
                .append(env.get("mode").getAsString()).append("`, ").append(env.get("seconds")).append(" s\n");
        b.append("- machine: ").append(env.get("nproc")).append(" cores; load average (1/5/15 min) at start ")
                .append(env.get("loadavgAtStart").getAsString()).append(", at end ")
                .append(env.get("loadavgAtEnd").getAsString()).append(" (other work shares the cores)\n");
        b.append("- shmlite driver: ").append(env.get("driverCommit").getAsString()).append("; ")
                .append(env.get("jdk").getAsString()).append("\n");
        b.append("- cluster and Go client: Debian ").append(env.get("debianPackages").getAsString())
                .append(" (3 `dqlite-demo` nodes on 127.0.0.1, seeds ").append(env.get("seeds").getAsString())
                .append(")\n");
        b.append("- latency: ").append(settings.get("latencyRounds")).append(" rounds × (")
                .append(settings.get("warmup")).append(" warm-up + ").append(settings.get("n"))
                .append(" measured INSERTs, then ").append(settings.get("selectWarmup")).append(" warm-up + ")
                .append(settings.get("n")).append(" measured SELECTs) per client, alternating which client goes first; a fresh database per client"
                        + " and round; prepared statements, one connection, autocommit\n");
        b.append("- writers: ").append(settings.get("writerRounds")).append(" rounds × ").append(WRITERS)
                .append(" writers × ").append(settings.get("perWriter"))
                .append(" autocommit INSERTs, each writer on its own connection; go-dqlite without retries\n\n");

        b.append("## Latency (pooled rounds; ratio shmlite / go-dqlite, target ≤ ")
                .append(LATENCY_TARGET).append("×)\n\n");
        b.append("| operation | percentile | shmlite | go-dqlite | ratio | target | per-round shmlite | per-round go-dqlite |\n");
        b.append("|---|---|---|---|---|---|---|---|\n");
        for (String[] op : new String[][] {{"autocommit INSERT", "insertNanos"}, {"point SELECT", "selectNanos"}}) {
            long[] s = pooled(lat, "shmlite", op[1]);
            long[] g = pooled(lat, "go-dqlite", op[1]);
            for (double q : new double[] {0.50, 0.99}) {
                String label = q == 0.50 ? "p50" : "p99";
                if (s.length == 0 || g.length == 0) {
                    b.append("| ").append(op[0]).append(" | ").append(label).append(" | - | - | - | missing | | |\n");
                    continue;
                }
                double ratio = pct(s, q) / (double) pct(g, q);
                b.append("| ").append(op[0]).append(" | ").append(label).append(" | ").append(dur(pct(s, q)))
                        .append(" | ").append(dur(pct(g, q))).append(" | ")
                        .append(String.format(Locale.ROOT, "%.2f×", ratio)).append(" | ")
                        .append(ratio <= LATENCY_TARGET ? "met" : "missed").append(" | ")
                        .append(roundRange(lat, "shmlite", op[1], q)).append(" | ")
                        .append(roundRange(lat, "go-dqlite", op[1], q)).append(" |\n");
            }
            if (s.length > 0 && g.length > 0) {
                double ms = Arrays.stream(s).average().orElse(0);
                double mg = Arrays.stream(g).average().orElse(0);
                b.append("| ").append(op[0]).append(" | mean | ").append(dur((long) ms)).append(" | ")
                        .append(dur((long) mg)).append(" | ").append(String.format(Locale.ROOT, "%.2f×", ms / mg))
                        .append(" | | | |\n");
            }
        }
        b.append("\nStalls (operations slower than ").append(STALL_FACTOR)
                .append("× their client's pooled p50), of the measured operations:");
        for (String[] op : new String[][] {{"INSERT", "insertNanos"}, {"SELECT", "selectNanos"}}) {
            b.append(' ').append(op[0]);
            for (String client : new String[] {"shmlite", "go-dqlite"}) {
                long[] a = pooled(lat, client, op[1]);
                long limit = a.length == 0 ? 0 : STALL_FACTOR * pct(a, 0.50);
                b.append(' ').append(client).append(' ').append(Arrays.stream(a).filter(v -> v > limit).count())
                        .append(client.equals("shmlite") ? "," : ";");
            }
        }
        b.setLength(b.length() - 1);
        b.append(" (of ").append(pooled(lat, "shmlite", "insertNanos").length).append(" per client and operation).\n");
        double insReq = mean(lat, "shmlite", "insertRequestNanosPerOp");
        double selReq = mean(lat, "shmlite", "selectRequestNanosPerOp");
        double insMean = Arrays.stream(pooled(lat, "shmlite", "insertNanos")).average().orElse(Double.NaN);
        double selMean = Arrays.stream(pooled(lat, "shmlite", "selectNanos")).average().orElse(Double.NaN);
        b.append(String.format(Locale.ROOT, "%nWhere shmlite's time goes (`DatabaseStats`, mean over the measured"
                + " operations): an INSERT makes %.2f protocol requests (`remoteRequests`) taking %s"
                + " (`remoteRequestNanosTotal`: from sending a request to reading its answer), leaving %s of the"
                + " %s mean in the driver (JDBC, JNI, session); a SELECT makes %.2f requests taking %s, leaving"
                + " %s of %s.%n%n",
                mean(lat, "shmlite", "insertRequestsPerOp"), dur((long) insReq), dur((long) (insMean - insReq)),
                dur((long) insMean), mean(lat, "shmlite", "selectRequestsPerOp"), dur((long) selReq),
                dur((long) (selMean - selReq)), dur((long) selMean)));

        b.append("## ").append(WRITERS).append(" concurrent writers (target: shmlite 0 errors)\n\n");
        b.append("| round | client | committed rows/s | errors | rows present / expected | wall time | notes |\n");
        b.append("|---|---|---|---|---|---|---|\n");
        double[] sumRate = new double[2];
        long[] sumErr = new long[2];
        int[] count = new int[2];
        boolean shmliteClean = true;
        for (JsonElement e : wr) {
            JsonObject o = e.getAsJsonObject();
            boolean shm = o.get("client").getAsString().equals("shmlite");
            long expected = o.get("writers").getAsLong() * o.get("perWriter").getAsLong();
            long rows = o.get("rows").getAsLong();
            long errors = o.get("errors").getAsLong();
            double secs = o.get("elapsedNanos").getAsLong() / 1e9;
            double rate = rows / secs;
            int i = shm ? 0 : 1;
            sumRate[i] += rate;
            sumErr[i] += errors;
            count[i]++;
            if (shm && (errors != 0 || rows != expected)) {
                shmliteClean = false;
            }
            StringBuilder notes = new StringBuilder();
            if (shm) {
                notes.append("lock waits ").append(o.get("lockWaits")).append(", busy retries ")
                        .append(o.get("remoteBusyRetries")).append(", requests ").append(o.get("remoteRequests"));
            }
            for (Map.Entry<String, JsonElement> m : o.getAsJsonObject("messages").entrySet()) {
                if (notes.length() > 0) {
                    notes.append("; ");
                }
                notes.append(m.getValue().getAsLong()).append("× \"").append(m.getKey().replace("|", "\\|"))
                        .append('"');
            }
            b.append("| ").append(o.get("round")).append(" | ").append(shm ? "shmlite" : "go-dqlite").append(" | ")
                    .append(String.format(Locale.ROOT, "%.0f", rate)).append(" | ").append(errors).append(" | ")
                    .append(rows).append(" / ").append(expected).append(" | ")
                    .append(String.format(Locale.ROOT, "%.2f s", secs)).append(" | ").append(notes).append(" |\n");
        }
        b.append("\n");
        if (count[0] > 0 && count[1] > 0) {
            b.append(String.format(Locale.ROOT,
                    "Mean committed rows/s: shmlite %.0f, go-dqlite %.0f (ratio %.2f×); errors: shmlite %d, go-dqlite %d"
                            + " in %d rounds. Target (shmlite 0 errors, every row present): %s. Committed rows/s"
                            + " is rows present / wall time; go-dqlite's wall time ends when its last writer has"
                            + " failed or finished, so its rate covers only the few rows that got through.%n",
                    sumRate[0] / count[0], sumRate[1] / count[1], (sumRate[0] / count[0]) / (sumRate[1] / count[1]),
                    sumErr[0], sumErr[1], count[0], shmliteClean ? "met" : "missed"));
        }
        JsonArray failures = env.getAsJsonArray("failures");
        if (failures != null && failures.size() > 0) {
            b.append("\n## Failures\n\n");
            for (JsonElement f : failures) {
                b.append("- ").append(f.getAsString()).append("\n");
            }
        }
        b.append("\n1-minute load average after each client's run, in run order: ");
        List<String> loads = new ArrayList<>();
        for (JsonArray a : new JsonArray[] {lat, wr}) {
            for (JsonElement e : a) {
                JsonObject o = e.getAsJsonObject();
                loads.add(o.get("loadavg").getAsString().split(" ")[0]);
            }
        }
        b.append(String.join(", ", loads)).append(".\n");
        return b.toString();
    }
}
