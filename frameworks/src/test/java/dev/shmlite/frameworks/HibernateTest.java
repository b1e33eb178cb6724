package dev.shmlite.frameworks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.shmlite.jdbc.Shmlite;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.PersistenceConfiguration;
import org.hibernate.community.dialect.SQLiteDialect;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.junit.jupiter.api.Test;

/**
 * The README's Hibernate/JPA configuration without Spring: Hibernate 7 with
 * hibernate-community-dialects on the class path, configured by the URL alone; the SQLite dialect
 * is detected from the driver's product name.
 */
class HibernateTest {
    private static final String URL = "jdbc:shmlite:mem:hibernate-readme";

    /** A minimal entity. */
    @Entity(name = "Book")
    public static class Book {
        @Id
        @GeneratedValue(strategy = GenerationType.IDENTITY)
        Long id;

        String title;
    }

    @Test
    void urlAloneWithCommunityDialect() throws Exception {
        // the README's lines
        try (EntityManagerFactory emf = new HibernatePersistenceConfiguration("app")
                .managedClass(Book.class)
                .jdbcUrl(URL)
                .property(PersistenceConfiguration.SCHEMAGEN_DATABASE_ACTION, "create")
                .createEntityManagerFactory()) {
            assertInstanceOf(
                    SQLiteDialect.class,
                    emf.unwrap(SessionFactoryImplementor.class)
                            .getJdbcServices()
                            .getDialect());
            Long id = emf.callInTransaction(em -> {
                Book b = new Book();
                b.title = "SQLite";
                em.persist(b);
                em.flush();
                return b.id;
            });
            assertNotNull(id);
            assertEquals("SQLite", emf.callInTransaction(em -> em.find(Book.class, id).title));
            Long count = emf.callInTransaction(em ->
                    em.createQuery("select count(b) from Book b", Long.class).getSingleResult());
            assertEquals(1L, count);
        } finally {
            Shmlite.drop(URL);
        }
    }
}
