package dev.shmlite.spring.boot;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * shmlite's Spring Boot auto-configuration (the property defaults that make a URL enough are set
 * earlier, by {@link ShmliteEnvironmentPostProcessor}):
 * <ul>
 *   <li>{@link ShmliteHikariPostProcessor} for Hikari pools on shmlite URLs;</li>
 *   <li>with Micrometer: {@link ShmliteMetrics} for every shmlite DataSource bean;</li>
 *   <li>with Actuator: a {@code shmlite} health contributor with one {@link ShmliteHealthIndicator}
 *       per shmlite DataSource bean, named after the bean
 *       ({@code management.health.shmlite.enabled=false} turns it off).</li>
 * </ul>
 * DataSources on other URLs are left alone.
 */
@AutoConfiguration(
        after = DataSourceAutoConfiguration.class,
        afterName = "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration")
public class ShmliteAutoConfiguration {

    /** Creates the configuration; Spring Boot instantiates it. */
    public ShmliteAutoConfiguration() {}

    /** Hikari defaults for shmlite, when Hikari is on the class path. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "com.zaxxer.hikari.HikariDataSource")
    static class Hikari {
        /** Static: a BeanPostProcessor must exist before the beans it processes. */
        @Bean
        static ShmliteHikariPostProcessor shmliteHikariPostProcessor(Environment environment) {
            return new ShmliteHikariPostProcessor(environment);
        }
    }

    /** The shmlite DataSource beans, by bean name, with their URLs. */
    static Map<String, Map.Entry<DataSource, String>> shmliteDataSources(Map<String, DataSource> dataSources) {
        Map<String, Map.Entry<DataSource, String>> result = new LinkedHashMap<>();
        dataSources.forEach((name, ds) -> {
            Optional<String> url = ShmliteUrls.urlOf(ds);
            url.ifPresent(u -> result.put(name, Map.entry(ds, u)));
        });
        return result;
    }

    /** Micrometer meters for every shmlite DataSource. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({MeterRegistry.class, MeterBinder.class})
    static class Metrics {
        /** Binds {@link ShmliteMetrics} for each shmlite DataSource when the registry is set up. */
        @Bean
        MeterBinder shmliteMeterBinder(ListableBeanFactory beanFactory) {
            // Micrometer holds function meters' objects weakly: this bean keeps them reachable
            List<ShmliteMetrics> bound = new CopyOnWriteArrayList<>();
            // Boot binds MeterBinders once all singletons exist, so every DataSource bean is there
            return registry -> shmliteDataSources(beanFactory.getBeansOfType(DataSource.class))
                    .forEach((name, e) -> {
                        ShmliteMetrics m = new ShmliteMetrics(e.getValue(), Tags.of("name", name));
                        m.bindTo(registry);
                        bound.add(m);
                    });
        }
    }

    /** The {@code shmlite} health contributor. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthContributor.class)
    @ConditionalOnBean(DataSource.class)
    @ConditionalOnEnabledHealthIndicator("shmlite")
    static class Health {
        /** One indicator per shmlite DataSource bean; none when there is no such bean. */
        @Bean
        @ConditionalOnMissingBean(name = "shmliteHealthContributor")
        HealthContributor shmliteHealthContributor(Map<String, DataSource> dataSources) {
            Map<String, HealthIndicator> indicators = new LinkedHashMap<>();
            shmliteDataSources(dataSources)
                    .forEach((name, e) -> indicators.put(name, new ShmliteHealthIndicator(e.getKey(), e.getValue())));
            if (indicators.isEmpty()) {
                return (HealthIndicator) () -> org.springframework.boot.actuate.health.Health.unknown()
                        .withDetail("reason", "no shmlite DataSource")
                        .build();
            }
            return CompositeHealthContributor.fromMap(indicators);
        }
    }
}
