package dev.tether.session.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.session.SessionManager;
import dev.tether.session.cache.NearCacheStore;
import dev.tether.session.circuit.CircuitBreakingStore;
import dev.tether.session.memory.MemorySessionStore;
import dev.tether.session.servlet.TetherSessionFilter;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spring.boot.actuate.TetherSessionsEndpoint;
import dev.tether.session.spring.boot.actuate.TetherSessionsEndpointAutoConfiguration;
import dev.tether.session.spring.security.SecurityJsonAttributeSerializer;
import dev.tether.session.spring.security.TetherSessionRegistry;
import dev.tether.session.spring.security.TetherSessionSecurityAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.security.core.session.SessionRegistry;

class TetherSessionAutoConfigurationTest {

  private final WebApplicationContextRunner runner =
      new WebApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  TetherSessionAutoConfiguration.class,
                  TetherSessionSecurityAutoConfiguration.class,
                  TetherSessionsEndpointAutoConfiguration.class))
          .withPropertyValues("management.endpoints.web.exposure.include=tethersessions");

  @Test
  void byDefaultAMemoryStoreAndTheFilterAheadOfSpringSecurity() {
    runner.run(
        ctx -> {
          assertThat(ctx).hasNotFailed();
          assertThat(ctx.getBean(SessionStore.class)).isInstanceOf(MemorySessionStore.class);
          FilterRegistrationBean<?> filter =
              ctx.getBean("tetherSessionFilter", FilterRegistrationBean.class);
          assertThat(filter.getFilter()).isInstanceOf(TetherSessionFilter.class);
          assertThat(filter.getOrder()).isLessThan(SecurityFilterProperties.DEFAULT_FILTER_ORDER);
          assertThat(ctx.getBean(SessionRegistry.class)).isInstanceOf(TetherSessionRegistry.class);
          assertThat(ctx.getBean(SessionManager.class).codec().serializer())
              .isInstanceOf(SecurityJsonAttributeSerializer.class);
          assertThat(ctx).hasSingleBean(TetherSessionsEndpoint.class);
        });
  }

  @Test
  void propertiesSetThePolicyAndTheNearCache() {
    runner
        .withPropertyValues(
            "tether.session.idleTimeout=10m",
            "tether.session.absolute-timeout=2h",
            "tether.session.near-cache=true")
        .run(
            ctx -> {
              SessionManager m = ctx.getBean(SessionManager.class);
              assertThat(m.policy().idleTimeout()).isEqualTo(Duration.ofMinutes(10));
              assertThat(m.policy().absoluteTimeout()).isEqualTo(Duration.ofHours(2));
              assertThat(m.store()).isInstanceOf(NearCacheStore.class);
            });
  }

  @Test
  void metersGoToTheApplicationsRegistry() {
    runner
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .run(
            ctx -> {
              SessionManager m = ctx.getBean(SessionManager.class);
              m.commit(m.create());
              MeterRegistry registry = ctx.getBean(MeterRegistry.class);
              assertThat(registry.get("tether.sessions.created").counter().count()).isEqualTo(1.0);
              assertThat(
                      ctx.getBean(TetherSessionsEndpoint.class).overview().activeOnThisInstance())
                  .isEqualTo(1L);
              assertThat(
                      ctx.getBean(TetherSessionsEndpoint.class).overview().storeHealth().status())
                  .isEqualTo("UP");
            });
  }

  @Test
  void storeSettingsComeFromYamlAndTheEnvironment(@TempDir Path dir) {
    runner
        .withInitializer(
            ctx -> {
              try {
                ctx.getEnvironment()
                    .getPropertySources()
                    .addFirst(
                        new SystemEnvironmentPropertySource(
                            "systemEnvironment",
                            Map.of(
                                "TEST_DIR",
                                dir.toString(),
                                "TETHER_SESSION_COOKIE_SECURE",
                                "false")));
                for (PropertySource<?> yaml :
                    new YamlPropertySourceLoader()
                        .load("flat", new ClassPathResource("tether-session-flat.yaml"))) {
                  ctx.getEnvironment().getPropertySources().addLast(yaml);
                }
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            })
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              SessionStore store = ctx.getBean(SessionStore.class);
              assertThat(store)
                  .isInstanceOf(CircuitBreakingStore.class); // on by default for a store with I/O
              assertThat(((CircuitBreakingStore) store).delegate().getClass().getSimpleName())
                  .isEqualTo("FileSessionStore");
              SessionSettings settings = ctx.getBean(SessionSettings.class);
              assertThat(settings.storeSettings())
                  .containsExactly(Map.entry("directory", dir.toString()));
              assertThat(settings.cookie().name()).isEqualTo("SID");
            });
  }

  @Test
  void theCircuitBreakerIsConfiguredByStoreSettingsAndMetered(@TempDir Path dir) {
    runner
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues(
            "tether.session.store=file",
            "tether.session.store.directory=" + dir,
            "tether.session.cookie.secure=false",
            "tether.session.store.circuit.failures=3",
            "tether.session.store.circuit.cool-down=2s")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              CircuitBreakingStore store = (CircuitBreakingStore) ctx.getBean(SessionStore.class);
              assertThat(store.breaker().settings().failures()).isEqualTo(3);
              assertThat(store.breaker().settings().coolDown()).isEqualTo(Duration.ofSeconds(2));
              MeterRegistry registry = ctx.getBean(MeterRegistry.class);
              assertThat(registry.get("tether.sessions.store.circuit.state").gauge().value())
                  .isZero();
              assertThat(
                      registry
                          .get("tether.sessions.store.circuit.transitions")
                          .tag("to", "open")
                          .counter()
                          .count())
                  .isZero();
            });
    runner
        .withPropertyValues(
            "tether.session.store=file",
            "tether.session.store.directory=" + dir,
            "tether.session.cookie.secure=false",
            "tether.session.store.circuit.enabled=false")
        .run(
            ctx ->
                assertThat(ctx.getBean(SessionStore.class).getClass().getSimpleName())
                    .isEqualTo("FileSessionStore"));
    runner
        .withPropertyValues(
            "tether.session.store=file",
            "tether.session.store.directory=" + dir,
            "tether.session.cookie.secure=false",
            "tether.session.store.circuit.ratio=2")
        .run(
            ctx ->
                assertThat(ctx)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("circuit.ratio"));
  }

  @Test
  void theApplicationsOwnStoreWins() {
    runner
        .withPropertyValues("tether.session.store=redis")
        .withBean(SessionStore.class, () -> new MemorySessionStore(Clock.systemUTC()))
        .run(ctx -> assertThat(ctx).hasNotFailed().hasSingleBean(SessionStore.class));
  }

  @Test
  void theMetadataNamesEveryProperty() throws IOException {
    String metadata =
        new String(
            new ClassPathResource("META-INF/spring-configuration-metadata.json")
                .getInputStream()
                .readAllBytes(),
            java.nio.charset.StandardCharsets.UTF_8);
    for (String key :
        List.of(
            "store",
            "idle-timeout",
            "absolute-timeout",
            "near-cache",
            "cookie.name",
            "cookie.secure",
            "cookie.same-site",
            "cookie.host-prefix",
            "store.uri",
            "store.key-prefix",
            "store.url",
            "store.directory")) {
      assertThat(metadata).contains("\"name\": \"tether.session." + key + "\"");
    }
    assertThat(metadata).contains("The SameSite attribute: Strict or Lax.");
  }

  @Test
  void disabledLeavesTheContainersSessions() {
    runner
        .withPropertyValues("tether.session.enabled=false")
        .run(
            ctx ->
                assertThat(ctx)
                    .doesNotHaveBean(SessionManager.class)
                    .doesNotHaveBean("tetherSessionFilter"));
  }
}
