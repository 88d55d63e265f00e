package dev.tether.session.spring.boot;

import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.SessionStoreProvider;
import dev.tether.session.spi.SessionStoreRegistry;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * One configuration per store module, each active when its module is on the class path and {@code
 * tether.session.store} names it; {@link Unknown} comes last and stops start-up naming the stores
 * that are available. An application's own {@link SessionStore} bean replaces them all.
 */
final class SessionStoreConfigurations {

  private SessionStoreConfigurations() {}

  /**
   * Builds {@code provider}'s store, behind its circuit breaker unless {@code
   * tether.session.store.circuit.enabled=false} (see {@link SessionStoreRegistry#create(
   * SessionStoreProvider, java.util.Map, Clock)}), mapping its errors to property failures.
   */
  static SessionStore create(SessionStoreProvider provider, SessionSettings settings) {
    try {
      return SessionStoreRegistry.create(provider, settings.storeSettings(), Clock.systemUTC());
    } catch (IllegalArgumentException e) {
      throw InvalidSessionPropertyException.storeSetting(settings.store(), e.getMessage());
    } catch (RuntimeException e) {
      throw new SessionStoreUnavailableException(settings.store(), settings.describeStore(), e);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingBean(SessionStore.class)
  @ConditionalOnProperty(
      name = "tether.session.store",
      havingValue = "memory",
      matchIfMissing = true)
  static class Memory {
    @Bean
    SessionStore tetherSessionStore(SessionSettings settings) {
      return create(new dev.tether.session.memory.MemorySessionStoreProvider(), settings);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.tether.session.redis.RedisSessionStoreProvider")
  @ConditionalOnMissingBean(SessionStore.class)
  @ConditionalOnProperty(name = "tether.session.store", havingValue = "redis")
  static class Redis {
    @Bean
    SessionStore tetherSessionStore(SessionSettings settings) {
      return create(new dev.tether.session.redis.RedisSessionStoreProvider(), settings);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.tether.session.jdbc.JdbcSessionStoreProvider")
  @ConditionalOnMissingBean(SessionStore.class)
  @ConditionalOnProperty(name = "tether.session.store", havingValue = "jdbc")
  static class Jdbc {
    @Bean
    SessionStore tetherSessionStore(SessionSettings settings) {
      return create(new dev.tether.session.jdbc.JdbcSessionStoreProvider(), settings);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.tether.session.grid.GridSessionStoreProvider")
  @ConditionalOnMissingBean(SessionStore.class)
  @ConditionalOnProperty(name = "tether.session.store", havingValue = "grid")
  static class Grid {
    @Bean
    SessionStore tetherSessionStore(SessionSettings settings) {
      return create(new dev.tether.session.grid.GridSessionStoreProvider(), settings);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.tether.session.file.FileSessionStoreProvider")
  @ConditionalOnMissingBean(SessionStore.class)
  @ConditionalOnProperty(name = "tether.session.store", havingValue = "file")
  static class File {
    @Bean
    SessionStore tetherSessionStore(SessionSettings settings) {
      return create(new dev.tether.session.file.FileSessionStoreProvider(), settings);
    }
  }

  /**
   * Any other name, or a store whose module is missing: a store found through {@link
   * SessionStoreRegistry} (a third-party provider), else a failure listing the available stores.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingBean(SessionStore.class)
  static class Unknown {
    @Bean
    SessionStore tetherSessionStore(SessionSettings settings) {
      SessionStoreProvider p = SessionStoreRegistry.providers().get(settings.store());
      if (p == null) {
        throw new InvalidSessionPropertyException(
            SessionSettings.PREFIX + ".store",
            settings.store(),
            "no such session store on the class path (each store but memory needs its module, tether-session-"
                + settings.store()
                + ")",
            String.join(", ", SessionStoreRegistry.providers().keySet()));
      }
      return create(p, settings);
    }
  }
}
