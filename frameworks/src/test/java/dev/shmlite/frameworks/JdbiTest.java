package dev.shmlite.frameworks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shmlite.jdbc.Shmlite;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** The README's JDBI configuration: the URL alone. */
class JdbiTest {
    private static final String URL = "jdbc:shmlite:mem:jdbi-readme";

    @Test
    void urlAlone() throws Exception {
        try {
            Jdbi jdbi = Jdbi.create(URL);
            jdbi.useHandle(h -> h.execute("CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"));
            jdbi.useTransaction(h -> {
                h.createUpdate("INSERT INTO person (name) VALUES (:name)")
                        .bind("name", "ann")
                        .execute();
                h.createUpdate("INSERT INTO person (name) VALUES (:name)")
                        .bind("name", "bob")
                        .execute();
            });
            long id = jdbi.withHandle(h -> h.createUpdate("INSERT INTO person (name) VALUES ('carl')")
                    .executeAndReturnGeneratedKeys("id")
                    .mapTo(Long.class)
                    .one());
            assertEquals(3L, id);
            List<String> names = jdbi.withHandle(h -> h.createQuery("SELECT name FROM person ORDER BY id")
                    .mapTo(String.class)
                    .list());
            assertEquals(List.of("ann", "bob", "carl"), names);
        } finally {
            Shmlite.drop(URL);
        }
    }
}
