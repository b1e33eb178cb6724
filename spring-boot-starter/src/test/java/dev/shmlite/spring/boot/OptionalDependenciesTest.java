package dev.shmlite.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.shmlite.jdbc.ShmliteDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Each part of the auto-configuration switches on with its library only, and is inert without. */
class OptionalDependenciesTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ShmliteAutoConfiguration.class))
            .withBean("dataSource", ShmliteDataSource.class, () -> {
                ShmliteDataSource ds = new ShmliteDataSource();
                ds.setUrl("jdbc:shmlite:mem:optional-deps");
                return ds;
            });

    @Test
    void withoutHikariMicrometerAndActuatorNothingFails() {
        runner.withClassLoader(
                        new FilteredClassLoader(HikariDataSource.class, MeterRegistry.class, HealthContributor.class))
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    assertThat(ctx).doesNotHaveBean(ShmliteHikariPostProcessor.class);
                    assertThat(ctx).doesNotHaveBean(MeterBinder.class);
                    assertThat(ctx).doesNotHaveBean("shmliteHealthContributor");
                });
    }

    @Test
    void withThemEachPartIsThere() {
        runner.withBean(SimpleMeterRegistry.class).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx).hasSingleBean(ShmliteHikariPostProcessor.class);
            assertThat(ctx).hasBean("shmliteMeterBinder");
            assertThat(ctx).hasBean("shmliteHealthContributor");
            MeterRegistry registry = ctx.getBean(MeterRegistry.class);
            ctx.getBean("shmliteMeterBinder", MeterBinder.class).bindTo(registry);
            assertThat(registry.find("shmlite.connections.active")
                            .tag("database", "mem:optional-deps")
                            .tag("name", "dataSource")
                            .gauge())
                    .isNotNull();
        });
    }
}
