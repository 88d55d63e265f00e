package dev.tether.demo.store;

import dev.tether.demo.DemoSettings;
import dev.tether.session.circuit.CircuitBreakerSettings;
import dev.tether.session.circuit.CircuitBreakingStore;
import dev.tether.session.spi.SessionStore;
import java.time.Clock;

/**
 * The store a demo cluster runs over: hands each instance its {@link InstanceStore}, and owns what
 * the instances share (a temporary directory, an in-memory database). Thread-safe: {@link #open}
 * may run for several instances at once once the first has opened.
 */
public interface StoreBackend extends AutoCloseable {

  /** The backend for {@code settings}' store kind. */
  static StoreBackend of(DemoSettings settings, Clock clock) {
    return switch (settings.store()) {
      case GRID -> new GridBackend(settings, clock);
      case REDIS -> new RedisBackend(settings, clock);
      case JDBC -> new JdbcBackend(settings, clock);
      case FILE -> new FileBackend(settings, clock);
      case MEMORY -> new MemoryBackend(clock);
    };
  }

  /**
   * {@code store} behind a circuit breaker with the library's defaults, as {@code
   * SessionStoreRegistry.create} builds every store that does I/O: while the backend is down,
   * requests that need their session get the filter's {@code 503} at once instead of waiting on a
   * dead server, and the store recovers by itself when the backend returns.
   *
   * @param name the store's name in the breaker's messages and log lines, e.g. {@code jdbc}
   */
  static SessionStore guarded(SessionStore store, String name, Clock clock) {
    return CircuitBreakingStore.wrap(store, name, CircuitBreakerSettings.defaults(), clock);
  }

  /** Connects instance {@code instance} (a new grid member, a new connection, …). */
  InstanceStore open(String instance);

  /** Releases what the instances shared; call after every instance released its store. */
  @Override
  void close();
}
