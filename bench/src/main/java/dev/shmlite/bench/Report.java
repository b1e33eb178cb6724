package dev.shmlite.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * Turns the raw results of a run ({@code DIR/raw/*.json}) into {@code DIR/results.md} (absolute
 * figures with 95% confidence intervals, ratios shmlite/peer, bridge cost, targets) and
 * {@code DIR/chart.png}. Every figure is a throughput (higher is better) except W5's latencies.
 */
public final class Report {
    private Report() {}

    /** Workload rows of the throughput tables, in order: key, title, unit. */
    static final String[][] WORKLOADS = {
        {"W1", "W1 point select by PK (reused PreparedStatement)", "queries/s"},
        {"W2", "W2 insert, executeBatch(1000), one transaction per batch", "rows/s"},
        {"W3", "W3 full scan reading every column", "rows/s"},
        {"W6 select", "W6 MyBatis selectById (POOLED)", "ops/s"},
        {"W6 insert", "W6 MyBatis insert + commit (POOLED)", "ops/s"},
        {"W7 1 thread", "W7 connection open/close via DataSource, 1 thread", "ops/s"},
        {"W7 8 threads", "W7 connection open/close via DataSource, 8 threads", "ops/s"},
        {"W4 commits", "W4 seed workload: writer commits (5-row transactions)", "commits/s"},
        {"W4 queries", "W4 seed workload: reader queries (4 readers)", "queries/s"},
    };

    static final List<String> PEER_ORDER = List.of("shmlite-mem", "shmlite-shm", "sqlite-jdbc", "sqlite-jdbc-shared",
            "h2", "rusqlite-mem", "rusqlite-shm");

    /** One measured figure: mean and 95% CI half-width of the samples (NaN CI when n < 2). */
    static final class Measure {
        final String workload;
        final String peer;
        final double[] samples;
        final double mean;
        final double ci;

        Measure(String workload, String peer, double[] samples) {
            this.workload = workload;
            this.peer = peer;
            this.samples = samples;
            this.mean = Arrays.stream(samples).average().orElse(Double.NaN);
            this.ci = ci95(samples);
        }
    }

    static double ci95(double[] s) {
        int n = s.length;
        if (n < 2) {
            return Double.NaN;
        }
        double mean = Arrays.stream(s).average().orElse(0);
        double var = Arrays.stream(s).map(x -> (x - mean) * (x - mean)).sum() / (n - 1);
        double t = new TDistribution(n - 1).inverseCumulativeProbability(0.975);
        return t * Math.sqrt(var / n);
    }

    /** Everything read from a raw directory. */
    static final class Data {
        final Map<String, Map<String, Measure>> byWorkload = new LinkedHashMap<>();
        JsonObject env = new JsonObject();
        JsonObject rust;
        final List<JsonObject> w4 = new ArrayList<>();
        final List<JsonObject> w5 = new ArrayList<>();

        void put(Measure m) {
            byWorkload.computeIfAbsent(m.workload, k -> new LinkedHashMap<>()).put(m.peer, m);
        }

        Measure get(String workload, String peer) {
            Map<String, Measure> m = byWorkload.get(workload);
            return m == null ? null : m.get(peer);
        }

        double mean(String workload, String peer) {
            Measure m = get(workload, peer);
            return m == null ? Double.NaN : m.mean;
        }
    }

    public static void write(Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Data d = read(dir.resolve("raw"));
        String md = markdown(d);
        Files.writeString(dir.resolve("results.md"), md);
        Chart.render(d, dir.resolve("chart.png"));
        System.out.println(md);
        System.err.println("wrote " + dir.resolve("results.md") + " and " + dir.resolve("chart.png"));
    }

    // --- reading ----------------------------------------------------------------------------------

    static Data read(Path raw) throws IOException {
        Data d = new Data();
        if (Files.exists(raw.resolve("env.json"))) {
            d.env = parse(raw.resolve("env.json")).getAsJsonObject();
        }
        for (String w : new String[] {"W1", "W2", "W3", "W6", "W7"}) {
            Path p = raw.resolve("jmh-" + w + ".json");
            if (!Files.exists(p) || Files.size(p) == 0) {
                continue;
            }
            for (JsonElement e : parse(p).getAsJsonArray()) {
                readJmh(d, e.getAsJsonObject());
            }
        }
        for (String name : new String[] {"rusqlite.json", "rusqlite-W1.json", "rusqlite-W2.json", "rusqlite-W3.json"}) {
            Path rust = raw.resolve(name);
            if (!Files.exists(rust)) {
                continue;
            }
            d.rust = parse(rust).getAsJsonObject();
            for (JsonElement e : d.rust.getAsJsonArray("results")) {
                JsonObject o = e.getAsJsonObject();
                d.put(new Measure(o.get("workload").getAsString(), o.get("peer").getAsString(),
                        doubles(o.getAsJsonArray("samples"))));
            }
        }
        Path w4 = raw.resolve("w4.json");
        if (Files.exists(w4)) {
            for (JsonElement e : parse(w4).getAsJsonArray()) {
                JsonObject o = e.getAsJsonObject();
                d.w4.add(o);
                String peer = o.get("peer").getAsString();
                if (readers(o) != W4Seed.READERS) {
                    continue; // the 8-reader variant has its own table, not the 4-reader comparisons
                }
                d.put(new Measure("W4 commits", peer, doubles(o.getAsJsonArray("commitsPerSecond"))));
                d.put(new Measure("W4 queries", peer, doubles(o.getAsJsonArray("queriesPerSecond"))));
            }
        }
        Path w5 = raw.resolve("w5.json");
        if (Files.exists(w5)) {
            for (JsonElement e : parse(w5).getAsJsonArray()) {
                d.w5.add(e.getAsJsonObject());
            }
        }
        return d;
    }

    private static JsonElement parse(Path p) throws IOException {
        return JsonParser.parseString(Files.readString(p));
    }

    private static double[] doubles(JsonArray a) {
        double[] r = new double[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).getAsDouble();
        }
        return r;
    }

    private static void readJmh(Data d, JsonObject o) {
        String bench = o.get("benchmark").getAsString();
        String method = bench.substring(bench.lastIndexOf('.') + 1);
        JsonObject params = o.getAsJsonObject("params");
        String peer = params.get("peer").getAsString();
        double rows = params.has("rows") ? params.get("rows").getAsDouble() : 0;
        JsonObject pm = o.getAsJsonObject("primaryMetric");
        List<Double> samples = new ArrayList<>();
        for (JsonElement fork : pm.getAsJsonArray("rawData")) {
            for (JsonElement v : fork.getAsJsonArray()) {
                samples.add(v.getAsDouble());
            }
        }
        String workload;
        boolean perMillisToRows = false;
        switch (method) {
            case "pointSelect":
                workload = "W1";
                break;
            case "insertRows":
                workload = "W2";
                perMillisToRows = true;
                break;
            case "scan":
                workload = "W3";
                perMillisToRows = true;
                break;
            case "selectById":
                workload = "W6 select";
                break;
            case "insert":
                workload = "W6 insert";
                break;
            case "churn1":
                workload = "W7 1 thread";
                break;
            case "churn8":
                workload = "W7 8 threads";
                break;
            default:
                return;
        }
        double[] s = new double[samples.size()];
        for (int i = 0; i < s.length; i++) {
            // W2 and W3 report milliseconds per invocation of `rows` rows.
            s[i] = perMillisToRows ? rows / (samples.get(i) / 1e3) : samples.get(i);
        }
        d.put(new Measure(workload, peer, s));
    }

    // --- markdown ---------------------------------------------------------------------------------

    static String markdown(Data d) {
        StringBuilder b = new StringBuilder();
        String mode = str(d.env, "mode");
        b.append("# shmlite benchmarks: ").append(mode).append(" run\n\n");
        b.append("Generated by `bench/run.sh ").append(mode).append("`; see `bench/README.md` for what each workload does.\n\n");
        b.append("| | |\n|---|---|\n");
        row(b, "date", str(d.env, "date"));
        row(b, "machine", str(d.env, "nproc") + " cores (" + str(d.env, "cpu") + "), " + str(d.env, "memory") + ", "
                + str(d.env, "os"));
        row(b, "JDK", str(d.env, "jdk"));
        row(b, "load average (1/5/15 min)", "at start " + str(d.env, "loadavgAtStart") + ", at end "
                + str(d.env, "loadavgAtEnd") + " (the JVM run took " + str(d.env, "seconds") + " s)"
                + loads(d.env));
        row(b, "shmlite", "0.1.0-SNAPSHOT at " + str(d.env, "driverCommit") + ", SQLite " + str(d.env, "shmliteSqlite"));
        row(b, "sqlite-jdbc", str(d.env, "sqliteJdbc"));
        row(b, "H2", str(d.env, "h2"));
        row(b, "MyBatis, JMH", str(d.env, "mybatis") + ", " + str(d.env, "jmh"));
        if (d.rust != null) {
            row(b, "rusqlite", str(d.rust, "rusqlite") + ", SQLite " + str(d.rust, "sqlite") + " (no JNI)");
        }
        if (d.env.has("settings")) {
            StringBuilder s = new StringBuilder();
            for (Map.Entry<String, JsonElement> e : d.env.getAsJsonObject("settings").entrySet()) {
                s.append(s.length() == 0 ? "" : "; ").append(e.getKey()).append(' ').append(e.getValue().getAsString());
            }
            row(b, "settings", s.toString());
        }
        b.append("\nFigures are means with a 95% confidence interval (Student t over JMH iterations, "
                + "rusqlite iterations or W4 seconds); every figure is a throughput (higher is better) except W5. "
                + "`shmlite-mem / peer` > 1 means shmlite is faster. Peers: see `bench/README.md`.\n\n");

        targets(b, d);
        for (String[] w : WORKLOADS) {
            Map<String, Measure> ms = d.byWorkload.get(w[0]);
            if (ms == null || ms.isEmpty()) {
                continue;
            }
            b.append("## ").append(w[1]).append("\n\n");
            b.append("| peer | ").append(w[2]).append(" | shmlite-mem / peer | shmlite-shm / peer |\n|---|---:|---:|---:|\n");
            for (String peer : PEER_ORDER) {
                Measure m = ms.get(peer);
                if (m == null) {
                    continue;
                }
                b.append("| ").append(peer).append(" | ").append(withCi(m)).append(" | ")
                        .append(ratio(d.mean(w[0], "shmlite-mem"), m.mean)).append(" | ")
                        .append(ratio(d.mean(w[0], "shmlite-shm"), m.mean)).append(" |\n");
            }
            b.append('\n');
        }
        w4(b, d);
        w5(b, d);
        bridge(b, d);
        return b.toString();
    }

    /** The load average before each workload; a 1-minute load above ~1.5 on this 2-core machine means other work competed. */
    private static String loads(JsonObject env) {
        if (!env.has("loadavgBeforeWorkload")) {
            return "";
        }
        StringBuilder s = new StringBuilder("; before ");
        boolean first = true;
        for (Map.Entry<String, JsonElement> e : env.getAsJsonObject("loadavgBeforeWorkload").entrySet()) {
            s.append(first ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue().getAsString().split(" ")[0]);
            first = false;
        }
        return s.toString();
    }

    private static void row(StringBuilder b, String k, String v) {
        b.append("| ").append(k).append(" | ").append(v).append(" |\n");
    }

    static String str(JsonObject o, String k) {
        return o != null && o.has(k) && !o.get(k).isJsonNull() ? o.get(k).getAsString() : "?";
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (a >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String withCi(Measure m) {
        return fmt(m.mean) + (Double.isNaN(m.ci) ? " (n=" + m.samples.length + ")" : " ± " + fmt(m.ci));
    }

    static String ratio(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b)) {
            return "";
        }
        if (b == 0) {
            return a > 0 ? "∞" : "";
        }
        return String.format(Locale.ROOT, "%.2f×", a / b);
    }

    /** A ratio against both sqlite-jdbc configurations, and whether it meets {@code goal}. */
    private static String[] vsSqlite(Data d, String workload, String shm, double goal) {
        double a = d.mean(workload, shm);
        double def = d.mean(workload, "sqlite-jdbc");
        double shared = d.mean(workload, "sqlite-jdbc-shared");
        if (Double.isNaN(a) || (Double.isNaN(def) && Double.isNaN(shared))) {
            return new String[] {"n/a", "not run"};
        }
        double r1 = a / def;
        double r2 = a / shared;
        boolean m1 = Double.isNaN(r1) || r1 >= goal;
        boolean m2 = Double.isNaN(r2) || r2 >= goal;
        String cell = ratio(a, def) + " / " + ratio(a, shared);
        return new String[] {cell, m1 && m2 ? "met" : (m1 || m2 ? "partly" : "missed")};
    }

    private static void targets(StringBuilder b, Data d) {
        b.append("## Targets (issue 6)\n\n");
        b.append("Ratios are shmlite / sqlite-jdbc defaults and shmlite / sqlite-jdbc seed shared-cache "
                + "configuration; \"met\" needs both.\n\n");
        b.append("| target | shmlite-mem | status | shmlite-shm | status |\n|---|---:|---|---:|---|\n");
        Object[][] goals = {{"W1", 1.5}, {"W2", 2.0}, {"W3", 2.0}, {"W6 select", 1.3}, {"W6 insert", 1.3},
            {"W7 1 thread", 5.0}, {"W7 8 threads", 5.0}};
        for (Object[] g : goals) {
            String w = (String) g[0];
            double goal = (Double) g[1];
            String[] mem = vsSqlite(d, w, "shmlite-mem", goal);
            String[] shm = vsSqlite(d, w, "shmlite-shm", goal);
            if (mem[1].equals("not run") && shm[1].equals("not run")) {
                continue;
            }
            b.append("| ").append(w).append(" ≥ ").append(goal).append("× sqlite-jdbc | ").append(mem[0]).append(" | ")
                    .append(mem[1]).append(" | ").append(shm[0]).append(" | ").append(shm[1]).append(" |\n");
        }
        // W4: zero errors, >= 3x commits, reader throughput no lower.
        if (!d.w4.isEmpty()) {
            for (String p : new String[] {"shmlite-mem", "shmlite-shm"}) {
                JsonObject o = w4(d, p);
                if (o == null) {
                    continue;
                }
                long errors = o.get("writerErrors").getAsLong() + o.get("readerErrors").getAsLong();
                b.append("| W4 ").append(p).append(": zero errors | ").append(errors).append(" errors | ")
                        .append(errors == 0 ? "met" : "missed").append(" | | |\n");
                String[] c = vsSqlite(d, "W4 commits", p, 3.0);
                String[] q = vsSqlite(d, "W4 queries", p, 1.0);
                b.append("| W4 ").append(p).append(": commits ≥ 3× sqlite-jdbc, reader queries ≥ 1× | commits ")
                        .append(c[0]).append(", queries ").append(q[0]).append(" | ")
                        .append(c[1].equals("met") && q[1].equals("met") ? "met"
                                : (c[1].equals("missed") && q[1].equals("missed") ? "missed" : "partly"))
                        .append(" | | |\n");
                // Issue 13: readers no longer queue behind the writer, and more readers read more.
                double h2 = d.mean("W4 queries", "h2");
                double ours = d.mean("W4 queries", p);
                if (!Double.isNaN(h2) && !Double.isNaN(ours)) {
                    b.append("| W4 ").append(p).append(": reader queries ≥ 1.5× H2 (issue 13) | ").append(ratio(ours, h2))
                            .append(" | ").append(ours >= 1.5 * h2 ? "met" : "missed").append(" | | |\n");
                }
                JsonObject more = null;
                for (JsonObject x : d.w4) {
                    if (x.get("peer").getAsString().equals(p) && readers(x) == W4Seed.MORE_READERS) {
                        more = x;
                    }
                }
                if (more != null) {
                    double q4 = o.get("readerQueries").getAsDouble() / o.get("seconds").getAsDouble();
                    double q8 = more.get("readerQueries").getAsDouble() / more.get("seconds").getAsDouble();
                    b.append("| W4 ").append(p).append(": reader queries grow from 4 to 8 readers (issue 13; 2 cores bound it) | ")
                            .append(ratio(q8, q4)).append(" | ").append(q8 > q4 ? "met" : "missed").append(" | | |\n");
                }
            }
        }
        for (JsonObject o : d.w5) {
            if (!o.get("peer").getAsString().startsWith("shmlite")) {
                continue;
            }
            double p99 = o.get("p99Micros").getAsDouble();
            double cpu = o.get("readerProcessCpuPercent").getAsDouble();
            double tcpu = o.get("readerThreadCpuPercent").getAsDouble();
            b.append("| W5 p99 ≤ 250 µs | | | ").append(fmt(p99)).append(" µs | ").append(p99 <= 250 ? "met" : "missed")
                    .append(" |\n");
            double wcpu = o.has("readerWaitCpuPercent") ? o.get("readerWaitCpuPercent").getAsDouble() : tcpu;
            b.append("| W5 waiting reader CPU ≤ 2% of a core | | | ").append(fmt(wcpu)).append("% waiting (")
                    .append(fmt(tcpu)).append("% thread with reading, ").append(fmt(cpu)).append("% process) | ")
                    .append(wcpu <= 2 ? (tcpu <= 2 ? "met" : "met waiting; thread total not") : "missed").append(" |\n");
        }
        // Bridge cost.
        Object[][] bridge = {{"W1", 1.5}, {"W2", 1.2}, {"W3", 1.2}};
        for (Object[] g : bridge) {
            String w = (String) g[0];
            double goal = (Double) g[1];
            String[] cells = new String[4];
            for (int i = 0; i < 2; i++) {
                String kind = i == 0 ? "mem" : "shm";
                double raw = d.mean(w, "rusqlite-" + kind);
                double ours = d.mean(w, "shmlite-" + kind);
                if (Double.isNaN(raw) || Double.isNaN(ours)) {
                    cells[2 * i] = "n/a";
                    cells[2 * i + 1] = "not run";
                } else {
                    double cost = raw / ours;
                    cells[2 * i] = String.format(Locale.ROOT, "%.2f×", cost);
                    cells[2 * i + 1] = cost <= goal ? "met" : "missed";
                }
            }
            if (cells[1].equals("not run") && cells[3].equals("not run")) {
                continue;
            }
            b.append("| bridge cost ").append(w).append(" ≤ ").append(goal).append("× rusqlite | ").append(cells[0])
                    .append(" | ").append(cells[1]).append(" | ").append(cells[2]).append(" | ").append(cells[3])
                    .append(" |\n");
        }
        for (String w : new String[] {"W2", "W3", "W4 commits", "W4 queries"}) {
            double h2 = d.mean(w, "h2");
            if (Double.isNaN(h2)) {
                continue;
            }
            double mem = d.mean(w, "shmlite-mem");
            double shm = d.mean(w, "shmlite-shm");
            b.append("| beat H2 on ").append(w).append(" | ").append(ratio(mem, h2)).append(" | ")
                    .append(mem > h2 ? "met" : "missed").append(" | ").append(ratio(shm, h2)).append(" | ")
                    .append(shm > h2 ? "met" : "missed").append(" |\n");
        }
        b.append('\n');
    }

    /** Readers of a W4 result (files written before the 8-reader variant have 4). */
    private static int readers(JsonObject o) {
        return o.has("readers") ? o.get("readers").getAsInt() : W4Seed.READERS;
    }

    private static JsonObject w4(Data d, String peer) {
        for (JsonObject o : d.w4) {
            if (o.get("peer").getAsString().equals(peer) && readers(o) == W4Seed.READERS) {
                return o;
            }
        }
        return null;
    }

    private static void w4(StringBuilder b, Data d) {
        if (d.w4.isEmpty()) {
            return;
        }
        b.append("## W4 seed workload: totals and errors\n\n");
        b.append("| peer | readers | seconds | commits | writer errors | reader queries | reader errors | rows in table / committed |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|\n");
        // Every result in run order: both reader counts, and optional peers (-seed, -deferred) too.
        for (JsonObject o : d.w4) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %,d | %,d | %,d | %,d | %,d / %,d |\n",
                    o.get("peer").getAsString(), readers(o), o.get("seconds").getAsDouble(), o.get("writerCommits").getAsLong(), o.get("writerErrors").getAsLong(),
                    o.get("readerQueries").getAsLong(), o.get("readerErrors").getAsLong(),
                    o.get("rowsInTable").getAsLong(), o.get("rowsExpected").getAsLong()));
        }
        b.append('\n');
        for (JsonObject o : d.w4) {
            String peer = o.get("peer").getAsString() + " (" + readers(o) + " readers)";
            if (o.has("driverStats") && !o.get("driverStats").isJsonNull()) {
                b.append("Driver statistics of ").append(peer).append(" after the run: `")
                        .append(o.get("driverStats").getAsString()).append("`\n\n");
            }
        }
        for (JsonObject o : d.w4) {
            String peer = o.get("peer").getAsString() + " (" + readers(o) + " readers)";
            if (o.getAsJsonObject("errorKinds").size() == 0) {
                continue;
            }
            b.append("Errors of ").append(peer).append(" (most frequent first):\n\n");
            o.getAsJsonObject("errorKinds").entrySet().stream()
                    .sorted((x, y) -> Long.compare(y.getValue().getAsLong(), x.getValue().getAsLong()))
                    .forEach(e -> b.append("- ").append(String.format(Locale.ROOT, "%,d", e.getValue().getAsLong()))
                            .append(" × `").append(e.getKey().replace("`", "'")).append("`\n"));
            b.append('\n');
        }
    }

    private static void w5(StringBuilder b, Data d) {
        if (d.w5.isEmpty()) {
            return;
        }
        b.append("## W5 cross-process commit-to-visible latency (writer and reader processes)\n\n");
        b.append("Latency from the writer's `System.nanoTime()` just before its autocommit INSERT to the reader "
                + "holding the row; one commit every 2 ms (+0-1 ms jitter). H2 has no cross-process in-memory mode: "
                + "not run.\n\n");
        b.append("| peer | reader waits by | rows | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | reader CPU, waiting | "
                + "reader CPU, thread | reader CPU, process | writer INSERT p50 µs |\n"
                + "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (JsonObject o : d.w5) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %,d | %s | %s | %s | %s | %s | %s | %s%% | %s%% | %s |\n",
                    str(o, "peer"), str(o, "readerStrategy"), o.get("measured").getAsInt(),
                    fmt(o.get("p50Micros").getAsDouble()), fmt(o.get("p90Micros").getAsDouble()),
                    fmt(o.get("p99Micros").getAsDouble()), fmt(o.get("p999Micros").getAsDouble()),
                    fmt(o.get("maxMicros").getAsDouble()),
                    o.has("readerWaitCpuPercent") ? fmt(o.get("readerWaitCpuPercent").getAsDouble()) + "%" : "",
                    fmt(o.get("readerThreadCpuPercent").getAsDouble()),
                    fmt(o.get("readerProcessCpuPercent").getAsDouble()), fmt(o.get("writerInsertP50Micros").getAsDouble())));
        }
        b.append('\n');
    }

    private static void bridge(StringBuilder b, Data d) {
        if (d.rust == null) {
            return;
        }
        b.append("## Bridge cost: shmlite against raw rusqlite (same SQL, same SQLite, no JNI)\n\n");
        b.append("Cost = rusqlite throughput / shmlite throughput (1.00× = no overhead). rusqlite-mem opens "
                + "a WAL database on shmlite's in-memory VFS with the driver's SQLite setup, like `mem:`; rusqlite-shm a WAL file on /dev/shm with "
                + "synchronous=NORMAL like `shm:`.\n\n");
        b.append("| workload | rusqlite-mem | shmlite-mem | cost | rusqlite-shm | shmlite-shm | cost |\n"
                + "|---|---:|---:|---:|---:|---:|---:|\n");
        for (String w : new String[] {"W1", "W2", "W3"}) {
            b.append("| ").append(w);
            for (String kind : new String[] {"mem", "shm"}) {
                Measure raw = d.get(w, "rusqlite-" + kind);
                Measure ours = d.get(w, "shmlite-" + kind);
                b.append(" | ").append(raw == null ? "n/a" : withCi(raw)).append(" | ")
                        .append(ours == null ? "n/a" : withCi(ours)).append(" | ")
                        .append(raw == null || ours == null ? "" : ratio(raw.mean, ours.mean));
            }
            b.append(" |\n");
        }
        b.append('\n');
    }
}
