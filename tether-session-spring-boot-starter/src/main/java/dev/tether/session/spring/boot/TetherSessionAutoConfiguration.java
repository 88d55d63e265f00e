package dev.tether.session.spring.boot;

import dev.tether.session.SessionManager;
import dev.tether.session.SessionSweeper;
import dev.tether.session.cache.NearCacheStore;
import dev.tether.session.circuit.CircuitBreakingStore;
import dev.tether.session.codec.AttributeCodec;
import dev.tether.session.metrics.SessionMetrics;
import dev.tether.session.servlet.TetherSessionFilter;
import dev.tether.session.spi.SessionStore;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import java.time.Duration;
import java.util.EnumSet;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * Clustered sessions from properties: a {@link SessionStore} as {@code tether.session.store} names
 * it (behind its circuit breaker for stores that do I/O), a {@link SessionManager} over it (with
 * Micrometer meters when the application has a {@link MeterRegistry}, the breaker's included), an
 * expiry sweeper, and in a servlet application the {@link TetherSessionFilter} ahead of every other
 * filter, Spring Security's included.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration", // Boot
      // 4
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration", // Boot 3.5
      "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration"
    })
@ConditionalOnProperty(name = "tether.session.enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(TetherSessionProperties.class)
@Import({
  SessionStoreConfigurations.Memory.class,
  SessionStoreConfigurations.Redis.class,
  SessionStoreConfigurations.Jdbc.class,
  SessionStoreConfigurations.Grid.class,
  SessionStoreConfigurations.File.class,
  SessionStoreConfigurations.Unknown.class
})
public class TetherSessionAutoConfiguration {

  /**
   * The filter's order: before everything else, Spring Security's filter chain ({@code -100})
   * included, so every filter sees the Tether session (Spring Session uses the same place).
   */
  public static final int FILTER_ORDER = Integer.MIN_VALUE + 50;

  /** How often this instance sweeps expired sessions (each is claimed by one instance). */
  static final Duration SWEEP_INTERVAL = Duration.ofSeconds(30);

  @Bean
  SessionSettings tetherSessionSettings(
      TetherSessionProperties properties, Environment environment) {
    return SessionSettings.of(properties, environment);
  }

  @Bean
  @ConditionalOnMissingBean
  SessionManager tetherSessionManager(
      SessionStore store,
      SessionSettings settings,
      ObjectProvider<AttributeCodec> codec,
      ObjectProvider<MeterRegistry> registry) {
    SessionStore used = store;
    NearCacheStore near = null;
    if (settings.nearCacheSize() > 0
        && !(store instanceof dev.tether.session.spi.ClientSideStore)) {
      near = new NearCacheStore(store, settings.nearCacheSize());
      used = near;
    }
    SessionManager.Builder b =
        SessionManager.builder(used)
            .policy(settings.policy())
            .codec(codec.getIfAvailable(AttributeCodec::json));
    MeterRegistry meters = registry.getIfAvailable();
    if (meters != null) {
      SessionMetrics metrics = new SessionMetrics(meters);
      if (near != null) {
        metrics.bindNearCache(near);
      }
      if (store instanceof CircuitBreakingStore guarded) {
        metrics.bindCircuitBreaker(guarded.breaker());
      }
      b.listener(metrics);
    }
    return b.build();
  }

  @Bean(destroyMethod = "close")
  SessionSweeper tetherSessionSweeper(SessionManager manager) {
    return SessionSweeper.start(manager, SWEEP_INTERVAL);
  }

  /** The filter, in servlet applications. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(name = "jakarta.servlet.Filter")
  static class Servlet {
    @Bean
    @ConditionalOnMissingBean(name = "tetherSessionFilter")
    FilterRegistrationBean<TetherSessionFilter> tetherSessionFilter(
        SessionManager manager,
        SessionSettings settings,
        ObjectProvider<TetherSessionFilterCustomizer> customizers) {
      TetherSessionFilter.Builder b =
          TetherSessionFilter.builder(manager).cookie(settings.cookie());
      customizers.orderedStream().forEach(c -> c.customize(b));
      FilterRegistrationBean<TetherSessionFilter> r = new FilterRegistrationBean<>(b.build());
      r.setName("tetherSessionFilter");
      r.setOrder(FILTER_ORDER);
      r.setAsyncSupported(true);
      r.setDispatcherTypes(EnumSet.allOf(DispatcherType.class));
      r.addUrlPatterns("/*");
      return r;
    }
  }
}
