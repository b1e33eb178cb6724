package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLIntegrityConstraintViolationException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Options;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;
import org.apache.ibatis.datasource.pooled.PooledDataSource;
import org.apache.ibatis.exceptions.PersistenceException;
import org.apache.ibatis.executor.BatchResult;
import org.apache.ibatis.io.Resources;
import org.apache.ibatis.jdbc.ScriptRunner;
import org.apache.ibatis.session.ExecutorType;
import org.apache.ibatis.session.SqlSession;
import org.apache.ibatis.session.SqlSessionFactory;
import org.apache.ibatis.session.SqlSessionFactoryBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * MyBatis 3.5 against shmlite with the real library: XML and annotated mappers, generated keys
 * (single, multi-row, BATCH executor), java.time, BigDecimal, BLOB/CLOB type handlers,
 * ScriptRunner, databaseIdProvider, POOLED with ping and UNPOOLED.
 */
class MyBatisTest {

    /** A row of {@code item}; MyBatis sets the fields directly. */
    public static class Item {
        public Long id;
        public String name;
        public BigDecimal price;
        public LocalDate madeOn;
        public LocalDateTime createdAt;
        public OffsetDateTime stamp;
        public Boolean active = Boolean.TRUE;
        public byte[] image;
        public String notes;

        /** For MyBatis. */
        public Item() {}

        Item(String name, String price) {
            this.name = name;
            this.price = price == null ? null : new BigDecimal(price);
        }
    }

    /** A row of {@code note}. */
    public static class Note {
        public Long id;
        public Long itemId;
        public String body;
        public LocalDateTime seen;
        public Long version;
    }

    /** The XML mapper {@code mybatis/ItemMapper.xml}. */
    public interface ItemMapper {
        int insert(Item item);

        int insertAll(List<Item> items);

        Item find(long id);

        Item findByName(String name);

        List<Map<String, Object>> rows();

        List<Long> ids();

        int rename(Item item);

        int delete(long id);

        long count();

        String vendor();
    }

    /** An annotation-only mapper. */
    public interface NoteMapper {
        @Insert("INSERT INTO note(item_id, body, seen) VALUES (#{itemId}, #{body}, #{seen})")
        @Options(useGeneratedKeys = true, keyProperty = "id,version", keyColumn = "id,version")
        int insert(Note note);

        @Select("SELECT id, item_id, body, seen FROM note WHERE id = #{id}")
        Note find(long id);

        @Select("SELECT id, item_id, body, seen FROM note WHERE item_id = #{itemId} ORDER BY id")
        List<Note> ofItem(long itemId);

        @Update("UPDATE note SET body = #{body} WHERE id = #{id}")
        int update(Note note);

        @Delete("DELETE FROM note WHERE item_id = #{itemId}")
        int deleteOfItem(long itemId);
    }

    private String url;
    private SqlSessionFactory pooled;

    private SqlSessionFactory factory(String environment) throws Exception {
        Properties vars = new Properties();
        vars.setProperty("url", url);
        try (InputStream config = Resources.getResourceAsStream("mybatis/consumer-config.xml")) {
            return new SqlSessionFactoryBuilder().build(config, environment, vars);
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        url = "jdbc:shmlite:mem:mybatis-" + UUID.randomUUID();
        pooled = factory("pooled");
        // ScriptRunner as applications use it to load a schema: statement by statement, with
        // comments, through Statement.execute and the getMoreResults/getUpdateCount protocol.
        try (SqlSession s = pooled.openSession();
                Reader script = Resources.getResourceAsReader("mybatis/shop-schema.sql")) {
            ScriptRunner runner = new ScriptRunner(s.getConnection());
            StringWriter log = new StringWriter();
            runner.setLogWriter(new PrintWriter(log));
            runner.setErrorLogWriter(new PrintWriter(log));
            runner.setStopOnError(true);
            runner.setAutoCommit(false);
            runner.runScript(script);
            s.commit();
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        ((PooledDataSource) pooled.getConfiguration().getEnvironment().getDataSource()).forceCloseAll();
        Shmlite.drop(url);
    }

    private static Item full(String name) {
        Item it = new Item(name, "19.99");
        it.madeOn = LocalDate.of(2024, 2, 29);
        it.createdAt = LocalDateTime.of(2024, 3, 1, 12, 30, 45, 123_000_000);
        it.stamp = OffsetDateTime.of(2024, 3, 1, 12, 30, 45, 0, ZoneOffset.ofHours(2));
        it.active = Boolean.FALSE;
        it.image = new byte[] {0, 1, 2, (byte) 0xff, 0};
        it.notes = "long text ünïcødé " + "x".repeat(5000);
        return it;
    }

    @Test
    void scriptRunnerLoadedTheSchemaAndDatabaseIdIsSqlite() throws Exception {
        assertEquals("sqlite", pooled.getConfiguration().getDatabaseId());
        try (SqlSession s = pooled.openSession()) {
            ItemMapper m = s.getMapper(ItemMapper.class);
            assertEquals(1, m.count(), "the script's INSERT ran");
            assertTrue(m.vendor().startsWith("sqlite:3."), "the databaseId-specific statement was chosen");
            Item seed = m.findByName("seed");
            assertEquals(0, new BigDecimal("1.50").compareTo(seed.price));
            assertEquals(Boolean.TRUE, seed.active, "the column default");
        }
    }

    @Test
    void crudWithGeneratedKeysTypesAndLobs() throws Exception {
        Item it = full("widget");
        try (SqlSession s = pooled.openSession()) {
            ItemMapper m = s.getMapper(ItemMapper.class);
            assertEquals(1, m.insert(it));
            assertEquals(2L, it.id, "useGeneratedKeys brought back the rowid");
            s.commit();
        }
        try (SqlSession s = pooled.openSession()) {
            Item back = s.getMapper(ItemMapper.class).find(it.id);
            assertEquals("widget", back.name);
            assertEquals(0, it.price.compareTo(back.price));
            assertEquals(it.madeOn, back.madeOn);
            assertEquals(it.createdAt, back.createdAt);
            assertEquals(it.stamp, back.stamp);
            assertEquals(Boolean.FALSE, back.active);
            assertArrayEquals(it.image, back.image, "BlobTypeHandler: setBinaryStream + getBlob");
            assertEquals(it.notes, back.notes, "ClobTypeHandler: setCharacterStream + getClob");

            it.name = "gadget";
            // DECIMAL has NUMERIC affinity: SQLite keeps 15 significant digits (REAL); all of them come back
            it.price = new BigDecimal("1234567890123.45");
            assertEquals(1, s.getMapper(ItemMapper.class).rename(it));
            s.commit();
            Item renamed = s.getMapper(ItemMapper.class).find(it.id);
            assertEquals("gadget", renamed.name);
            assertEquals(0, it.price.compareTo(renamed.price), renamed.price::toPlainString);
        }
        // Untyped results: MyBatis picks each handler from the metadata before the first row.
        try (SqlSession s = pooled.openSession()) {
            List<Map<String, Object>> rows = s.getMapper(ItemMapper.class).rows();
            assertEquals(2, rows.size());
            Map<String, Object> row = rows.get(1);
            assertInstanceOf(Long.class, row.get("id"));
            assertInstanceOf(String.class, row.get("name"));
            assertInstanceOf(BigDecimal.class, row.get("price"));
            assertArrayEquals(it.image, (byte[]) row.get("image"));
            assertInstanceOf(java.sql.Timestamp.class, row.get("created"), "label from AS, type from the column");
            assertEquals(it.createdAt, ((java.sql.Timestamp) row.get("created")).toLocalDateTime());
            assertNull(rows.get(0).get("image"));
        }
        try (SqlSession s = pooled.openSession(true)) {
            assertEquals(1, s.getMapper(ItemMapper.class).delete(it.id));
            assertNull(s.getMapper(ItemMapper.class).find(it.id));
        }
    }

    @Test
    void rollbackAndUniqueViolation() throws Exception {
        try (SqlSession s = pooled.openSession()) {
            s.getMapper(ItemMapper.class).insert(new Item("temp", "1"));
            s.rollback();
        }
        try (SqlSession s = pooled.openSession()) {
            ItemMapper m = s.getMapper(ItemMapper.class);
            assertEquals(1, m.count(), "the rolled back insert is gone");
            PersistenceException e = assertThrows(PersistenceException.class, () -> m.insert(new Item("seed", "2")));
            SQLIntegrityConstraintViolationException cause =
                    assertInstanceOf(SQLIntegrityConstraintViolationException.class, e.getCause());
            assertEquals("23505", cause.getSQLState());
        }
    }

    @Test
    void multiRowInsertGivesEveryObjectItsKey() throws Exception {
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            items.add(new Item("multi-" + i, i + ".25"));
        }
        try (SqlSession s = pooled.openSession()) {
            ItemMapper m = s.getMapper(ItemMapper.class);
            assertEquals(7, m.insertAll(items));
            s.commit();
            for (Item it : items) {
                assertNotNull(it.id, it.name);
                assertEquals(it.name, m.find(it.id).name, "the key belongs to this object's row");
            }
        }
    }

    @Test
    void batchExecutorGivesEveryObjectItsKey() throws Exception {
        List<Item> items = new ArrayList<>();
        List<Note> notes = new ArrayList<>();
        try (SqlSession s = pooled.openSession(ExecutorType.BATCH)) {
            ItemMapper m = s.getMapper(ItemMapper.class);
            for (int i = 0; i < 50; i++) {
                Item it = new Item("batch-" + i, "3.5");
                items.add(it);
                m.insert(it); // the rowid as key of a one-row INSERT: one native batch call
            }
            NoteMapper n = s.getMapper(NoteMapper.class);
            for (int i = 0; i < 30; i++) {
                Note note = new Note();
                note.body = "note " + i;
                note.seen = LocalDateTime.of(2024, 1, 1, 0, 0).plusMinutes(i);
                notes.add(note);
                n.insert(note); // two key columns: prepared with RETURNING, run row by row
            }
            List<BatchResult> results = s.flushStatements();
            assertEquals(2, results.size());
            assertEquals(50, results.get(0).getUpdateCounts().length);
            assertEquals(30, results.get(1).getUpdateCounts().length);
            s.commit();
        }
        try (SqlSession s = pooled.openSession()) {
            ItemMapper m = s.getMapper(ItemMapper.class);
            assertEquals(51, m.count());
            for (Item it : items) {
                assertNotNull(it.id, it.name);
                assertEquals(it.name, m.find(it.id).name);
            }
            NoteMapper n = s.getMapper(NoteMapper.class);
            for (Note note : notes) {
                assertNotNull(note.id, note.body);
                assertEquals(1L, note.version, "the column default came back with the key");
                Note back = n.find(note.id);
                assertEquals(note.body, back.body);
                assertEquals(note.seen, back.seen);
            }
        }
    }

    @Test
    void annotatedMapperCrud() throws Exception {
        long itemId;
        try (SqlSession s = pooled.openSession()) {
            itemId = s.getMapper(ItemMapper.class).findByName("seed").id;
            NoteMapper n = s.getMapper(NoteMapper.class);
            for (int i = 0; i < 3; i++) {
                Note note = new Note();
                note.itemId = itemId;
                note.body = "b" + i;
                assertEquals(1, n.insert(note));
                assertEquals(i + 1L, note.id);
                assertEquals(1L, note.version);
            }
            Note first = n.find(1);
            assertNull(first.seen, "NULL bound through jdbcTypeForNull=OTHER");
            first.body = "changed";
            assertEquals(1, n.update(first));
            s.commit();
        }
        try (SqlSession s = pooled.openSession()) {
            NoteMapper n = s.getMapper(NoteMapper.class);
            List<Note> all = n.ofItem(itemId);
            assertEquals(
                    List.of("changed", "b1", "b2"),
                    all.stream().map(x -> x.body).toList());
            assertEquals(itemId, all.get(0).itemId);
            // foreign_keys=true (driver.foreign_keys): a note of a missing item is refused
            Note orphan = new Note();
            orphan.itemId = 999L;
            orphan.body = "orphan";
            PersistenceException e = assertThrows(PersistenceException.class, () -> n.insert(orphan));
            assertEquals("23503", ((java.sql.SQLException) e.getCause()).getSQLState());
            assertEquals(3, n.deleteOfItem(itemId));
            s.commit();
        }
    }

    @Test
    void pooledPingReplacesADeadConnection() throws Exception {
        PooledDataSource ds =
                (PooledDataSource) pooled.getConfiguration().getEnvironment().getDataSource();
        for (int i = 0; i < 20; i++) {
            try (SqlSession s = pooled.openSession()) {
                assertEquals(1, s.getMapper(ItemMapper.class).count());
            }
        }
        assertEquals(0, ds.getPoolState().getBadConnectionCount());
        // MyBatis pings only a connection unused for more than poolPingConnectionsNotUsedFor (0)
        // milliseconds: let the clock pass the millisecond in which it was returned.
        long returned = System.currentTimeMillis();
        while (System.currentTimeMillis() <= returned + 1) {
            Thread.onSpinWait();
        }
        // Dropping the database kills the idle pooled connection: the ping must notice, and the
        // pool must hand out a fresh connection (to the new, empty database of that name).
        assertEquals(1, Shmlite.drop(url), "the idle pooled connection still uses it");
        try (SqlSession s = pooled.openSession()) {
            Connection c = s.getConnection();
            assertTrue(c.isValid(1));
            try (var rs = c.createStatement().executeQuery("SELECT count(*) FROM sqlite_schema")) {
                rs.next();
                assertEquals(0, rs.getInt(1), "a new database");
            }
        }
        assertEquals(1, ds.getPoolState().getBadConnectionCount());
    }

    @Test
    void unpooledSharesTheNamedDatabase() throws Exception {
        SqlSessionFactory unpooled = factory("unpooled");
        DataSource ds = unpooled.getConfiguration().getEnvironment().getDataSource();
        assertEquals(
                "org.apache.ibatis.datasource.unpooled.UnpooledDataSource",
                ds.getClass().getName());
        Item it = full("unpooled");
        try (SqlSession s = unpooled.openSession()) {
            s.getMapper(ItemMapper.class).insert(it);
            s.commit();
        } // UNPOOLED closes the physical connection here; the named database stays
        try (SqlSession s = unpooled.openSession()) {
            Item back = s.getMapper(ItemMapper.class).find(it.id);
            assertArrayEquals(it.image, back.image);
            assertEquals(it.notes, back.notes);
        }
        try (SqlSession s = pooled.openSession()) {
            assertEquals(2, s.getMapper(ItemMapper.class).count(), "POOLED sees what UNPOOLED committed");
        }
    }
}
