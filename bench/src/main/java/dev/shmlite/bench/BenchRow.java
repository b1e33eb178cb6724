package dev.shmlite.bench;

/** One row of the bench table, as MyBatis maps it. */
public class BenchRow {
    private long id;
    private double r;
    private String s;
    private byte[] b;
    private Long n;

    public BenchRow() {}

    /** Row {@code i} of {@link Rows}. */
    public static BenchRow of(long i) {
        BenchRow row = new BenchRow();
        row.id = i;
        row.r = i * 0.5;
        row.s = "name-" + i;
        row.b = Rows.BLOBS[(int) (i & 15)];
        row.n = null;
        return row;
    }

    public long getId() { return id; }
    public void setId(long id) { this.id = id; }
    public double getR() { return r; }
    public void setR(double r) { this.r = r; }
    public String getS() { return s; }
    public void setS(String s) { this.s = s; }
    public byte[] getB() { return b; }
    public void setB(byte[] b) { this.b = b; }
    public Long getN() { return n; }
    public void setN(Long n) { this.n = n; }
}
