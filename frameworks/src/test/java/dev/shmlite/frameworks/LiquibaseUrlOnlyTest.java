package dev.shmlite.frameworks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shmlite.frameworks.liquibase.ShmliteLiquibaseDatabase;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.TreeSet;
import liquibase.Scope;
import liquibase.command.CommandResults;
import liquibase.command.CommandScope;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.integration.commandline.LiquibaseCommandLine;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.snapshot.DatabaseSnapshot;
import liquibase.structure.core.Column;
import liquibase.structure.core.Index;
import liquibase.structure.core.Table;
import liquibase.structure.core.View;
import liquibase.ui.LoggerUIService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Liquibase commands given a {@code jdbc:shmlite:} URL alone, as its CLI, Maven plugin and
 * {@code liquibase.properties} pass it: before the extension, {@code update} failed with "Driver
 * class was not specified and could not be determined from the url".
 */
class LiquibaseUrlOnlyTest {
    private static final String CHANGELOG = "db/liquibase/changelog.xml";

    /** update, status, snapshot, rollbackCount and update again, by URL alone. */
    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void updateStatusSnapshotRollbackByUrlAlone(TestDatabase.Kind kind) throws Exception {
        try (TestDatabase db = TestDatabase.create(kind, "liquibase")) {
            assertTrue(status(db.url).contains("3 changesets have not been applied"), status(db.url));

            run(command("update", db.url));
            assertEquals(3, count(db.url, "SELECT count(*) FROM DATABASECHANGELOG"));
            assertEquals(1, count(db.url, "SELECT count(*) FROM person_names WHERE name = 'alice'"));
            assertTrue(status(db.url).contains("is up to date"), status(db.url));

            CommandResults snap = run(new CommandScope("snapshot").addArgumentValue("url", db.url));
            DatabaseSnapshot snapshot = (DatabaseSnapshot) snap.getResult("snapshot");
            Set<String> tables = names(snapshot.get(Table.class));
            assertTrue(tables.contains("person"), tables.toString());
            Table person = snapshot.get(Table.class).stream()
                    .filter(t -> t.getName().equals("person"))
                    .findFirst()
                    .orElseThrow();
            Set<String> columns = new TreeSet<>();
            for (Column c : person.getColumns()) {
                columns.add(c.getName());
            }
            assertEquals(Set.of("id", "name", "email"), columns);
            // the declared size once: a TYPE_NAME of "VARCHAR(100)" became "VARCHAR(100)(100)" in snapshots
            assertEquals("VARCHAR", person.getColumn("name").getType().getTypeName());
            assertEquals(100, person.getColumn("name").getType().getColumnSize());
            assertTrue(names(snapshot.get(View.class)).contains("person_names"));
            assertTrue(names(snapshot.get(Index.class)).contains("person_name_idx"));

            run(command("rollbackCount", db.url).addArgumentValue("count", 2));
            assertEquals(1, count(db.url, "SELECT count(*) FROM DATABASECHANGELOG"));
            assertEquals(
                    0,
                    count(
                            db.url,
                            "SELECT count(*) FROM sqlite_master WHERE name IN ('person_names', 'person_name_idx')"));
            assertEquals(0, count(db.url, "SELECT count(*) FROM pragma_table_info('person') WHERE name = 'email'"));
            assertTrue(status(db.url).contains("2 changesets have not been applied"), status(db.url));

            run(command("update", db.url));
            assertEquals(3, count(db.url, "SELECT count(*) FROM DATABASECHANGELOG"));
            assertEquals(1, count(db.url, "SELECT count(*) FROM person"));
        }
    }

    /** The driver comes from the URL, and a shmlite connection gets the shmlite database class. */
    @Test
    void driverAndDatabaseFoundFromUrl() throws Exception {
        assertEquals(
                "dev.shmlite.jdbc.ShmliteDriver",
                DatabaseFactory.getInstance().findDefaultDriver("jdbc:shmlite:mem:x"));
        assertNull(new ShmliteLiquibaseDatabase().getDefaultDriver("jdbc:sqlite:x.db"));
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.MEM, "liquibase-db")) {
            Database database = DatabaseFactory.getInstance()
                    .openDatabase(db.url, null, null, null, new ClassLoaderResourceAccessor());
            try {
                assertInstanceOf(ShmliteLiquibaseDatabase.class, database);
                assertEquals("sqlite", database.getShortName());
            } finally {
                database.close();
            }
        }
    }

    private static CommandScope command(String name, String url) throws Exception {
        return new CommandScope(name).addArgumentValue("url", url).addArgumentValue("changelogFile", CHANGELOG);
    }

    private static String status(String url) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Scope.child(
                Scope.Attr.ui.name(),
                new LoggerUIService(),
                () -> command("status", url)
                        .addArgumentValue("verbose", true)
                        .setOutput(out)
                        .execute());
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Runs a command with its report and progress lines going to the (quiet) log instead of stdout. */
    private static CommandResults run(CommandScope command) throws Exception {
        CommandResults[] results = new CommandResults[1];
        Scope.child(
                Scope.Attr.ui.name(),
                new LoggerUIService(),
                () -> results[0] =
                        command.setOutput(OutputStream.nullOutputStream()).execute());
        return results[0];
    }

    private static Set<String> names(Set<? extends liquibase.structure.DatabaseObject> objects) {
        Set<String> names = new TreeSet<>();
        for (liquibase.structure.DatabaseObject o : objects) {
            names.add(o.getName());
        }
        return names;
    }

    private static long count(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getLong(1);
        }
    }

    /** Liquibase's command line with a liquibase.properties holding the URL and the change log only. */
    @Test
    void commandLineWithDefaultsFileUrlOnly(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("cli.db");
        Path defaults = dir.resolve("liquibase.properties");
        Files.writeString(defaults, "url: jdbc:shmlite:file:" + db + "\nchangelogFile: " + CHANGELOG + "\n");
        Path classes = Paths.get(
                        LiquibaseUrlOnlyTest.class.getResource("/" + CHANGELOG).toURI())
                .getParent()
                .getParent()
                .getParent();
        String url = "jdbc:shmlite:file:" + db;
        try {
            int rc = new LiquibaseCommandLine().execute(new String[] {
                "--defaults-file=" + defaults, "--search-path=" + classes, "--show-banner=false", "update"
            });
            assertEquals(0, rc);
            assertEquals(3, count(url, "SELECT count(*) FROM DATABASECHANGELOG"));
            rc = new LiquibaseCommandLine().execute(new String[] {
                "--defaults-file=" + defaults,
                "--search-path=" + classes,
                "--show-banner=false",
                "rollback-count",
                "--count=1"
            });
            assertEquals(0, rc);
            assertEquals(2, count(url, "SELECT count(*) FROM DATABASECHANGELOG"));
        } finally {
            dev.shmlite.jdbc.Shmlite.drop(url);
        }
    }
}
