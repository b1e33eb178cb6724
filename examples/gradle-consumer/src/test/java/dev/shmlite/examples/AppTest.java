package dev.shmlite.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shmlite.jdbc.Shmlite;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** The installed driver works from its plain jar for both shared database kinds. */
class AppTest {
    /** Unique per run, so parallel or repeated runs never share a database. */
    private static final String SUFFIX = ProcessHandle.current().pid() + "-" + System.nanoTime();

    @Test
    void namedInMemoryDatabaseIsSharedByConnections() throws SQLException {
        String url = "jdbc:shmlite:mem:orders-" + SUFFIX;
        try {
            assertEquals(6, App.storeOrders(url));
            assertEquals(12, App.storeOrders(url)); // the data outlived the closed connections
        } finally {
            Shmlite.drop(url);
        }
        assertFalse(Shmlite.databases().contains("mem:orders-" + SUFFIX));
    }

    @Test
    void shmDatabaseIsSharedAndDropped() throws SQLException {
        String url = "jdbc:shmlite:shm:orders-" + SUFFIX;
        try {
            assertEquals(6, App.storeOrders(url));
            assertTrue(Shmlite.databases().contains("shm:orders-" + SUFFIX));
            try (Connection c = DriverManager.getConnection(url)) {
                assertEquals("SQLite", c.getMetaData().getDatabaseProductName());
            }
        } finally {
            assertEquals(0, Shmlite.drop(url)); // no connection left open
        }
        // dropped: a new connection finds a fresh, empty database
        assertEquals(6, App.storeOrders(url));
        assertEquals(0, Shmlite.drop(url));
    }
}
