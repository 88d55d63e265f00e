package dev.tether.demo.store;

import dev.tether.demo.DemoSettings;
import java.time.Clock;

/**
 * The store a demo cluster runs over: hands each instance its {@link InstanceStore}, and owns
 * what the instances share (a temporary directory, an in-memory database). Thread-safe: {@link
 * #open} may run for several instances at once once the first has opened.
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

  /** Connects instance {@code instance} (a new grid member, a new connection, …). */
  InstanceStore open(String instance);

  /** Releases what the instances shared; call after every instance released its store. */
  @Override
  void close();
}
