package dev.shmlite.spring.boot;

import com.zaxxer.hikari.HikariDataSource;
import java.util.Map;
import java.util.Properties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Adjusts a Hikari pool on a shmlite URL once Boot has bound {@code spring.datasource.hikari.*}
 * and before the pool starts (Hikari starts lazily, at the first {@code getConnection}):
 * <ul>
 *   <li>every {@code shmlite.<name>} property becomes the driver property {@code <name>} with
 *       dashes turned into underscores ({@code shmlite.busy-timeout=2000} → {@code busy_timeout}),
 *       unless {@code spring.datasource.hikari.data-source-properties} already has it;</li>
 *   <li>the pool never holds more connections than the driver's {@code pool_size} (when given):
 *       Hikari's default {@code maximum-pool-size} is lowered to it, and an explicit larger value
 *       is logged, because the connections above {@code pool_size} would wait for
 *       {@code pool_timeout} when opened;</li>
 *   <li>the connection test stays {@code Connection.isValid} (no {@code connection-test-query}):
 *       it takes no lock and runs no SQL.</li>
 * </ul>
 */
public class ShmliteHikariPostProcessor implements BeanPostProcessor {
    private static final Log LOG = LogFactory.getLog(ShmliteHikariPostProcessor.class);

    private final Environment environment;

    /** @param environment where {@code shmlite.*} and {@code spring.datasource.hikari.*} are read */
    public ShmliteHikariPostProcessor(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof HikariDataSource && ShmliteUrls.isShmlite(((HikariDataSource) bean).getJdbcUrl())) {
            configure((HikariDataSource) bean, beanName);
        }
        return bean;
    }

    private void configure(HikariDataSource pool, String beanName) {
        Binder binder = Binder.get(environment);
        Properties driverProps = pool.getDataSourceProperties();
        Map<String, String> shmlite = binder.bind("shmlite", Bindable.mapOf(String.class, String.class))
                .orElse(Map.of());
        shmlite.forEach((name, value) -> {
            String property = name.replace('-', '_');
            if (!driverProps.containsKey(property)) {
                pool.addDataSourceProperty(property, value);
            }
        });
        Integer poolSize = poolSize(pool.getJdbcUrl(), pool.getDataSourceProperties());
        if (poolSize == null) {
            return;
        }
        boolean explicit = binder.bind("spring.datasource.hikari.maximum-pool-size", Integer.class)
                .isBound();
        if (pool.getMaximumPoolSize() > poolSize) {
            if (explicit) {
                LOG.warn("DataSource '" + beanName + "': spring.datasource.hikari.maximum-pool-size="
                        + pool.getMaximumPoolSize() + " exceeds shmlite's pool_size=" + poolSize
                        + "; connections above it wait up to pool_timeout when opened");
            } else {
                pool.setMaximumPoolSize(poolSize);
                if (pool.getMinimumIdle() > poolSize) {
                    pool.setMinimumIdle(poolSize);
                }
            }
        }
    }

    /** pool_size from the driver properties or the URL query, null when neither gives one. */
    static Integer poolSize(String url, Properties driverProps) {
        Object fromProps = driverProps.get("pool_size");
        String value = fromProps == null ? null : fromProps.toString();
        int q = url.indexOf('?');
        if (value == null && q >= 0) {
            for (String pair : url.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).equals("pool_size")) {
                    value = pair.substring(eq + 1);
                }
            }
        }
        if (value == null) {
            return null;
        }
        try {
            int n = Integer.parseInt(value.trim());
            return n > 0 ? n : null;
        } catch (NumberFormatException e) {
            return null; // the driver rejects it with an SQLException naming the property
        }
    }
}
