package dev.shmlite.examples;

import dev.shmlite.jdbc.Shmlite;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A tiny application on shmlite: the same orders table in a named in-memory database (shared by
 * the connections of this JVM) and in a {@code shm:} database (shared with other processes).
 */
public final class App {
    private App() {}

    /**
     * Stores three orders in each database and prints their totals.
     *
     * @param args unused
     * @throws SQLException when the driver fails
     */
    public static void main(String[] args) throws SQLException {
        String shm = "jdbc:shmlite:shm:example-" + ProcessHandle.current().pid();
        try {
            System.out.println("mem: total " + storeOrders("jdbc:shmlite:mem:example"));
            System.out.println("shm: total " + storeOrders(shm));
        } finally {
            Shmlite.drop(shm); // the shm: file outlives the JVM unless dropped
        }
    }

    /**
     * Creates the orders table if needed, inserts three orders (amounts 1, 2 and 3) in one
     * transaction and returns the sum of all amounts, read through a second connection.
     *
     * @param url a shmlite JDBC URL
     * @return the sum of the amounts in the table
     * @throws SQLException when the driver fails
     */
    public static long storeOrders(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url)) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS orders(id INTEGER PRIMARY KEY, amount INTEGER NOT NULL)");
            }
            c.setAutoCommit(false);
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO orders(amount) VALUES (?)")) {
                for (int amount = 1; amount <= 3; amount++) {
                    ins.setInt(1, amount);
                    ins.addBatch();
                }
                ins.executeBatch();
            }
            c.commit();
        }
        try (Connection other = DriverManager.getConnection(url);
                Statement s = other.createStatement();
                ResultSet rs = s.executeQuery("SELECT sum(amount) FROM orders")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
