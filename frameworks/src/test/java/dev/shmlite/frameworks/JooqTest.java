package dev.shmlite.frameworks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shmlite.jdbc.Shmlite;
import java.sql.Connection;
import java.sql.DriverManager;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.jooq.tools.jdbc.JDBCUtils;
import org.junit.jupiter.api.Test;

/**
 * jOOQ has no hook to recognise a driver: it detects dialects from URL prefixes, and gives
 * DEFAULT for shmlite. The README's setting, {@code SQLDialect.SQLITE}, is what makes it work.
 */
class JooqTest {
    private static final String URL = "jdbc:shmlite:mem:jooq-readme";

    @Test
    void sqliteDialectAsTheReadmeSays() throws Exception {
        try (Connection c = DriverManager.getConnection(URL)) {
            assertEquals(SQLDialect.DEFAULT, JDBCUtils.dialect(c), "jOOQ cannot detect shmlite");

            // the README's line
            DSLContext dsl = DSL.using(c, SQLDialect.SQLITE);
            Table<Record> item = DSL.table(DSL.name("item"));
            dsl.createTable(item)
                    .column("id", SQLDataType.BIGINT.identity(true))
                    .column("name", SQLDataType.VARCHAR(50).nullable(false))
                    .constraints(DSL.primaryKey("id"))
                    .execute();
            Record key = dsl.insertInto(item)
                    .columns(DSL.field(DSL.name("name")))
                    .values("a")
                    .returning(DSL.field(DSL.name("id")))
                    .fetchOne();
            assertNotNull(key);
            assertEquals(1L, ((Number) key.get(0)).longValue());
            assertEquals(1, dsl.fetchCount(item));

            // what DEFAULT does instead: its identity DDL gives a column the insert cannot fill
            DSLContext plain = DSL.using(c, SQLDialect.DEFAULT);
            plain.createTable(DSL.name("item_default"))
                    .column("id", SQLDataType.BIGINT.identity(true))
                    .column("name", SQLDataType.VARCHAR(50))
                    .constraints(DSL.primaryKey("id"))
                    .execute();
            assertThrows(
                    DataAccessException.class,
                    () -> plain.insertInto(DSL.table(DSL.name("item_default")))
                            .columns(DSL.field(DSL.name("name")))
                            .values("a")
                            .execute());
        } finally {
            Shmlite.drop(URL);
        }
    }
}
