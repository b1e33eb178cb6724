package dev.shmlite.spring.boot;

import com.zaxxer.hikari.HikariDataSource;
import dev.shmlite.jdbc.ShmliteDataSource;
import java.nio.file.InvalidPathException;
import java.nio.file.Paths;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.util.ClassUtils;

/** Recognising shmlite URLs and DataSources, and the database key a URL names. */
public final class ShmliteUrls {
    /** The JDBC URL prefix of the driver. */
    public static final String PREFIX = "jdbc:shmlite:";

    /** The driver class Boot is told to use for a shmlite URL. */
    public static final String DRIVER_CLASS = "dev.shmlite.jdbc.ShmliteDriver";

    private static final boolean HIKARI =
            ClassUtils.isPresent("com.zaxxer.hikari.HikariDataSource", ShmliteUrls.class.getClassLoader());

    private ShmliteUrls() {}

    /** True for a {@code jdbc:shmlite:} URL. */
    public static boolean isShmlite(String url) {
        return url != null && url.startsWith(PREFIX);
    }

    /**
     * The shmlite URL behind a DataSource, read without opening a connection: a Hikari pool's
     * {@code jdbcUrl} or a {@link ShmliteDataSource}'s URL (also when wrapped); empty otherwise.
     */
    public static Optional<String> urlOf(DataSource dataSource) {
        String url = null;
        try {
            if (HIKARI && dataSource instanceof HikariDataSource) {
                url = ((HikariDataSource) dataSource).getJdbcUrl();
            } else if (dataSource instanceof ShmliteDataSource) {
                url = ((ShmliteDataSource) dataSource).getUrl();
            } else if (dataSource != null && dataSource.isWrapperFor(ShmliteDataSource.class)) {
                url = dataSource.unwrap(ShmliteDataSource.class).getUrl();
            } else if (HIKARI && dataSource != null && dataSource.isWrapperFor(HikariDataSource.class)) {
                url = dataSource.unwrap(HikariDataSource.class).getJdbcUrl();
            }
        } catch (SQLException e) {
            url = null;
        }
        return isShmlite(url) ? Optional.of(url) : Optional.empty();
    }

    /**
     * The key the driver files a URL's database under, used as the {@code database} tag:
     * {@code mem:NAME}, {@code shm:NAME} or {@code file:/absolute/path} (no query).
     */
    public static String key(String url) {
        String k = url.startsWith(PREFIX) ? url.substring(PREFIX.length()) : url;
        int q = k.indexOf('?');
        if (q >= 0) {
            k = k.substring(0, q);
        }
        if (k.startsWith("mem:") || k.startsWith("shm:")) {
            return k;
        }
        String file = k.startsWith("file:") ? k.substring("file:".length()) : k;
        try {
            return "file:" + Paths.get(file).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            return "file:" + file;
        }
    }
}
