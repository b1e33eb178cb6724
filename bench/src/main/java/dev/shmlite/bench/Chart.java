package dev.shmlite.bench;

import com.google.gson.JsonObject;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A small pure-Java (headless java.awt) renderer for the results chart: throughput of every peer
 * relative to sqlite-jdbc on a log scale, with 95% CI whiskers, and W5's latency percentiles.
 */
final class Chart {
    private Chart() {}

    static final int W = 1500;
    static final Color[] COLORS = {
        new Color(0x1f, 0x4e, 0x9c), // shmlite-mem
        new Color(0x6b, 0xae, 0xd6), // shmlite-shm
        new Color(0xc4, 0x26, 0x27), // sqlite-jdbc
        new Color(0xf4, 0x98, 0x8c), // sqlite-jdbc-shared
        new Color(0x2c, 0x9c, 0x3c), // h2
        new Color(0x55, 0x55, 0x55), // rusqlite-mem
        new Color(0xb0, 0xb0, 0xb0), // rusqlite-shm
    };

    static void render(Report.Data d, Path file) throws IOException {
        List<String[]> workloads = new ArrayList<>();
        for (String[] w : Report.WORKLOADS) {
            if (d.byWorkload.containsKey(w[0])) {
                workloads.add(w);
            }
        }
        List<String> peers = new ArrayList<>();
        for (String p : Report.PEER_ORDER) {
            for (String[] w : workloads) {
                if (d.get(w[0], p) != null) {
                    peers.add(p);
                    break;
                }
            }
        }
        int topH = 620;
        int w5H = d.w5.isEmpty() ? 0 : 400;
        BufferedImage img = new BufferedImage(W, topH + w5H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        throughput(g, d, workloads, peers, 0, topH);
        if (w5H > 0) {
            latency(g, d, topH, w5H);
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private static double baseline(Report.Data d, String w) {
        double b = d.mean(w, "sqlite-jdbc");
        return Double.isNaN(b) || b <= 0 ? d.mean(w, "sqlite-jdbc-shared") : b;
    }

    private static void throughput(Graphics2D g, Report.Data d, List<String[]> workloads, List<String> peers, int y0,
            int h) {
        String mode = Report.str(d.env, "mode");
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString("Throughput relative to sqlite-jdbc with defaults (= 1), log scale, higher is better — " + mode
                + " run, " + Report.str(d.env, "date").replaceAll("T.*", ""), 20, y0 + 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(Report.str(d.env, "nproc") + " cores " + Report.str(d.env, "cpu") + ", "
                + Report.str(d.env, "jdk") + "; whiskers: 95% CI", 20, y0 + 46);
        int left = 70;
        int right = W - 20;
        int top = y0 + 90;
        int bottom = y0 + h - 80;
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (String[] w : workloads) {
            double base = baseline(d, w[0]);
            for (String p : peers) {
                Report.Measure m = d.get(w[0], p);
                if (m == null || m.mean <= 0 || Double.isNaN(base) || base <= 0) {
                    continue;
                }
                lo = Math.min(lo, m.mean / base);
                hi = Math.max(hi, m.mean / base);
            }
        }
        if (hi == 0) {
            return;
        }
        double lmin = Math.floor(Math.log10(Math.max(lo, 1e-4)));
        double lmax = Math.ceil(Math.log10(hi * 1.05));
        if (lmax <= lmin) {
            lmax = lmin + 1;
        }
        final double fmin = lmin;
        final double fmax = lmax;
        java.util.function.DoubleToIntFunction ymap = v -> (int) Math.round(bottom
                - (Math.log10(Math.max(v, Math.pow(10, fmin))) - fmin) / (fmax - fmin) * (bottom - top));
        // grid
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (double e = lmin; e <= lmax; e++) {
            for (int k = 1; k <= 9; k++) {
                double v = k * Math.pow(10, e);
                if (Math.log10(v) > lmax + 1e-9) {
                    break;
                }
                int y = ymap.applyAsInt(v);
                g.setColor(k == 1 ? new Color(0xcc, 0xcc, 0xcc) : new Color(0xee, 0xee, 0xee));
                g.drawLine(left, y, right, y);
                if (k == 1) {
                    g.setColor(Color.DARK_GRAY);
                    String label = e >= 0 ? String.format(Locale.ROOT, "%.0f×", v) : String.format(Locale.ROOT, "%s×", trim(v));
                    g.drawString(label, left - 8 - g.getFontMetrics().stringWidth(label), y + 4);
                }
            }
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
        int y1 = ymap.applyAsInt(1.0);
        g.drawLine(left, y1, right, y1);
        g.setStroke(new BasicStroke(1f));
        g.drawLine(left, top, left, bottom);
        g.drawLine(left, bottom, right, bottom);

        int groups = workloads.size();
        double gw = (right - left) / (double) groups;
        double bw = gw / (peers.size() + 1.2);
        Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
        for (int i = 0; i < groups; i++) {
            String w = workloads.get(i)[0];
            double base = baseline(d, w);
            double gx = left + i * gw + bw * 0.6;
            for (int j = 0; j < peers.size(); j++) {
                Report.Measure m = d.get(w, peers.get(j));
                int x = (int) Math.round(gx + j * bw);
                if (m == null || Double.isNaN(base) || base <= 0) {
                    continue;
                }
                double r = m.mean / base;
                g.setColor(COLORS[Report.PEER_ORDER.indexOf(peers.get(j))]);
                int y = ymap.applyAsInt(r);
                int bwi = (int) Math.max(2, bw - 3);
                if (r > 0) {
                    g.fillRect(x, y, bwi, bottom - y);
                }
                int labelY = Math.min(y, bottom);
                if (!Double.isNaN(m.ci) && r > 0) {
                    g.setColor(Color.BLACK);
                    int ya = ymap.applyAsInt(Math.max(1e-9, (m.mean - m.ci) / base));
                    int yb = ymap.applyAsInt((m.mean + m.ci) / base);
                    labelY = Math.min(labelY, yb);
                    int cx = x + bwi / 2;
                    g.drawLine(cx, ya, cx, yb);
                    g.drawLine(cx - 3, ya, cx + 3, ya);
                    g.drawLine(cx - 3, yb, cx + 3, yb);
                }
                // value label, rotated
                g.setColor(Color.BLACK);
                g.setFont(small);
                String label = r == 0 ? "0" : trim(r);
                AffineTransform saved = g.getTransform();
                g.rotate(-Math.PI / 2, x + bwi / 2.0 + 4, labelY - 4);
                g.drawString(label, (float) (x + bwi / 2.0 + 4), (float) (labelY - 4));
                g.setTransform(saved);
            }
            // category label, two lines
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
            String[] parts = w.split(" ", 2);
            FontMetrics fm = g.getFontMetrics();
            int cx = (int) (left + i * gw + gw / 2);
            g.drawString(parts[0], cx - fm.stringWidth(parts[0]) / 2, bottom + 18);
            if (parts.length > 1) {
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
                fm = g.getFontMetrics();
                g.drawString(parts[1], cx - fm.stringWidth(parts[1]) / 2, bottom + 34);
            }
        }
        // legend
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int lx = left;
        int ly = y0 + 66;
        for (String p : peers) {
            g.setColor(COLORS[Report.PEER_ORDER.indexOf(p)]);
            g.fillRect(lx, ly - 11, 14, 14);
            g.setColor(Color.BLACK);
            g.drawString(p, lx + 19, ly + 1);
            lx += 40 + g.getFontMetrics().stringWidth(p);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(Color.DARK_GRAY);
        g.drawString("absolute figures: results.md", right - 190, ly + 1);
        g.drawString("W1 queries/s · W2, W3 rows/s · W6, W7 ops/s · W4 commits/s and reader queries/s", left, y0 + h - 28);
    }

    private static String trim(double v) {
        if (v >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (v >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (v >= 0.01) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.1g", v);
    }

    private static void latency(Graphics2D g, Report.Data d, int y0, int h) {
        g.setColor(new Color(0xdd, 0xdd, 0xdd));
        g.drawLine(0, y0, W, y0);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString("W5 cross-process commit-to-visible latency (µs, log scale, lower is better)", 20, y0 + 30);
        int left = 90;
        int right = W / 2 + 150;
        int top = y0 + 60;
        int bottom = y0 + h - 50;
        double lmin = 1;
        double lmax = 4; // 10 µs .. 10 ms
        for (JsonObject o : d.w5) {
            lmax = Math.max(lmax, Math.ceil(Math.log10(Math.max(1, o.get("p999Micros").getAsDouble()))));
        }
        final double fmax = lmax;
        java.util.function.DoubleToIntFunction ymap = v -> (int) Math.round(bottom
                - (Math.log10(Math.max(v, 10)) - lmin) / (fmax - lmin) * (bottom - top));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (double e = lmin; e <= lmax; e++) {
            int y = ymap.applyAsInt(Math.pow(10, e));
            g.setColor(new Color(0xcc, 0xcc, 0xcc));
            g.drawLine(left, y, right, y);
            g.setColor(Color.DARK_GRAY);
            String label = String.format(Locale.ROOT, "%,.0f", Math.pow(10, e));
            g.drawString(label, left - 8 - g.getFontMetrics().stringWidth(label), y + 4);
        }
        g.setColor(new Color(0xc4, 0x26, 0x27));
        g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
        int yt = ymap.applyAsInt(250);
        g.drawLine(left, yt, right, yt);
        g.setStroke(new BasicStroke(1f));
        g.setColor(Color.BLACK);
        g.drawLine(left, top, left, bottom);
        g.drawLine(left, bottom, right, bottom);
        String[] keys = {"p50Micros", "p99Micros", "p999Micros"};
        String[] names = {"p50", "p99", "p99.9"};
        float[] shades = {1f, 0.7f, 0.45f};
        double gw = (right - left) / (double) Math.max(1, d.w5.size());
        double bw = gw / 4.5;
        for (int i = 0; i < d.w5.size(); i++) {
            JsonObject o = d.w5.get(i);
            String peer = o.get("peer").getAsString();
            Color base = COLORS[Math.max(0, Report.PEER_ORDER.indexOf(peer))];
            for (int k = 0; k < 3; k++) {
                double v = o.get(keys[k]).getAsDouble();
                int x = (int) (left + i * gw + bw * 0.6 + k * bw * 1.1);
                int y = ymap.applyAsInt(v);
                g.setColor(blend(base, shades[k]));
                g.fillRect(x, y, (int) bw, bottom - y);
                g.setColor(Color.BLACK);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                String label = names[k] + " " + String.format(Locale.ROOT, "%,.0f", v);
                g.drawString(label, x + (int) bw / 2 - g.getFontMetrics().stringWidth(label) / 2, y - 4);
            }
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
            FontMetrics fm = g.getFontMetrics();
            int cx = (int) (left + i * gw + gw / 2);
            g.drawString(peer, cx - fm.stringWidth(peer) / 2, bottom + 18);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            fm = g.getFontMetrics();
            String cpu = String.format(Locale.ROOT, "reader CPU %.2f%% (process %.2f%%)",
                    o.get("readerThreadCpuPercent").getAsDouble(), o.get("readerProcessCpuPercent").getAsDouble());
            g.drawString(cpu, cx - fm.stringWidth(cpu) / 2, bottom + 34);
        }
        g.setColor(new Color(0xc4, 0x26, 0x27));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString("target p99 250 µs", right + 6, yt + 4);
        // explanation on the right
        int tx = right + 130;
        int ty = top + 10;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        String[] lines = {
            "Writer process: one autocommit INSERT every 2 ms (+0-1 ms jitter),",
            "stamped with System.nanoTime() just before the INSERT.",
            "Reader process: waits, then reads the new rows; latency =",
            "reader's System.nanoTime() holding the row - writer's stamp.",
            "",
            "shmlite-shm: Shmlite.awaitChange (inotify + data_version, no polling).",
            "sqlite-jdbc: WAL file on /dev/shm, polls PRAGMA data_version",
            "every 100 µs.",
            "H2 (in-memory) cannot share a database across processes.",
        };
        for (String l : lines) {
            g.drawString(l, tx, ty);
            ty += 19;
        }
    }

    private static Color blend(Color c, float f) {
        return new Color(Math.round(c.getRed() * f + 255 * (1 - f)), Math.round(c.getGreen() * f + 255 * (1 - f)),
                Math.round(c.getBlue() * f + 255 * (1 - f)));
    }
}
