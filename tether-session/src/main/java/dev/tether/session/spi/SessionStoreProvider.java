package dev.tether.session.spi;

import java.time.Clock;
import java.util.Map;

/**
 * Builds a store from configuration, found by its name through {@link java.util.ServiceLoader}
 * (register the implementation in {@code
 * META-INF/services/dev.tether.session.spi.SessionStoreProvider}). Use {@link SessionStoreRegistry}
 * to look one up.
 *
 * <pre>{@code
 * SessionStore store = SessionStoreRegistry.create("file", Map.of("directory", "/mnt/s"), clock);
 * }</pre>
 */
public interface SessionStoreProvider {

  /** The configuration name, lower case: {@code memory}, {@code file}, {@code redis}, … */
  String name();

  /**
   * A store built from {@code settings}.
   *
   * @throws IllegalArgumentException for a missing or unknown setting or a bad value, naming the
   *     setting and what is allowed
   */
  SessionStore create(Map<String, String> settings, Clock clock);

  /**
   * Whether stores built from settings ({@link SessionStoreRegistry#create}) are put behind a
   * {@link dev.tether.session.circuit.CircuitBreakingStore} unless {@code circuit.enabled} says
   * otherwise: true (the default) for stores that do I/O, false for those that keep sessions in
   * this process or in the client's cookies.
   */
  default boolean circuitBreakerByDefault() {
    return true;
  }
}
